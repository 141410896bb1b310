// sdk-api-key.test.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The official balena SDK's apiKey model against a freshly spawned
// balena-accounts-server (account-api.md section 6): create, getAll,
// getAllNamedUserApiKeys, update and revoke with a session token, then a
// named API key used as the SDK's own credential, and what it may not do.

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');

let getSdk;
try {
  ({ getSdk } = require('balena-sdk'));
} catch (e) {
  throw new Error(
    'balena-sdk is not installed. Run `npm ci` in tests/conformance ' +
    '(build-aux/test does this for you). Cause: ' + e.message);
}

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server)
    await server.stop();
});

function newSdk() {
  return getSdk({
    apiUrl: server.url,
    dataDirectory: server.makeTempDir('sdk-'),
  });
}

async function loggedIn() {
  const sdk = newSdk();
  const { email, password } = server.demo;

  await sdk.auth.login({ email, password });
  return sdk;
}

const KEY_RE = /^[A-Za-z0-9]{32}$/;
const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Each test uses names of its own, so they can share the demo user.
function unique(name) {
  return `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

test('create, list, update and revoke with a session token', async () => {
  const sdk = await loggedIn();
  const name = unique('ci');

  const key = await sdk.models.apiKey.create({
    name, description: 'for the CI', expiryDate: null,
  });
  assert.equal(typeof key, 'string');
  assert.match(key, KEY_RE);

  const second = await sdk.models.apiKey.create({
    name: unique('deploy'), expiryDate: '2099-01-02T03:04:05.678Z',
  });
  assert.match(second, KEY_RE);
  assert.notEqual(second, key);

  // getAll: every visible key, ordered by name, never with the secret.
  const all = await sdk.models.apiKey.getAll();
  const names = all.map((k) => k.name);
  assert.deepEqual(names, [...names].sort());
  const created = all.find((k) => k.name === name);
  assert.ok(created, 'the new key is listed');
  assert.equal(created.description, 'for the CI');
  assert.equal(created.expiry_date, null);
  assert.match(created.created_at, ISO_RE);
  assert.equal(created.is_of__actor.__id, await sdk.auth.getActorId());
  for (const k of all) {
    assert.equal(k.key, undefined, 'the secret is never returned');
    assert.ok(!JSON.stringify(k).includes(key));
  }

  // getAllNamedUserApiKeys sends the CLI's filter (is_of__actor eq ME and
  // name ne null) and $orderby=name asc.
  const named = await sdk.models.apiKey.getAllNamedUserApiKeys({
    $select: ['id', 'name', 'description', 'expiry_date'],
  });
  const mine = named.find((k) => k.name === name);
  assert.ok(mine);
  assert.deepEqual(Object.keys(mine).sort(), ['description', 'expiry_date', 'id', 'name']);
  const dated = named.find((k) => k.expiry_date === '2099-01-02T03:04:05.678Z');
  assert.ok(dated, 'the expiry date comes back as sent');

  // update maps expiryDate to expiry_date and PATCHes /v7/api_key(id).
  const renamed = unique('renamed');
  await sdk.models.apiKey.update(created.id, {
    name: renamed, description: 'new words', expiryDate: '2031-02-03T04:05:06.000Z',
  });
  const [after] = await sdk.models.apiKey.getAll({ $filter: { id: created.id } });
  assert.equal(after.name, renamed);
  assert.equal(after.description, 'new words');
  assert.equal(after.expiry_date, '2031-02-03T04:05:06.000Z');

  // Only the description: the rest stays.
  await sdk.models.apiKey.update(created.id, { description: 'only this' });
  const [again] = await sdk.models.apiKey.getAll({ $filter: { id: created.id } });
  assert.equal(again.name, renamed);
  assert.equal(again.description, 'only this');

  // The server's length rule, as the SDK reports it.
  await assert.rejects(
    sdk.models.apiKey.update(created.id, { name: 'n'.repeat(51) }),
    (err) => {
      assert.equal(err.statusCode, 400);
      assert.match(String(err.body ?? err.message), /less than or equal to 50/);
      return true;
    });

  // The key works until it is revoked, then not at all.
  const user = newSdk();
  await user.auth.loginWithToken(key);
  assert.equal(await user.auth.isLoggedIn(), true);
  await sdk.models.apiKey.revoke(created.id);
  const left = await sdk.models.apiKey.getAll({ $filter: { id: created.id } });
  assert.deepEqual(left, []);
  const revoked = newSdk();
  await revoked.auth.loginWithToken(key);
  assert.equal(await revoked.auth.isLoggedIn(), false);

  await sdk.auth.logout();
});

test('create refuses a name over 50 characters', async () => {
  const sdk = await loggedIn();

  // The SDK turns every failure of create into BalenaNotLoggedIn; the
  // server's answer is checked in the C tests. Here: nothing was created.
  const before = (await sdk.models.apiKey.getAll()).length;
  await assert.rejects(
    sdk.models.apiKey.create({ name: 'n'.repeat(51), expiryDate: null }),
    (err) => err.code === 'BalenaNotLoggedIn');
  assert.equal((await sdk.models.apiKey.getAll()).length, before);
  await sdk.auth.logout();
});

test('an API key as the SDK credential', async () => {
  const owner = await loggedIn();
  const name = unique('as-credential');
  const key = await owner.models.apiKey.create({ name, expiryDate: null });
  const [row] = await owner.models.apiKey.getAll({ $filter: { name } });
  const me = await owner.auth.whoami();

  const sdk = newSdk();
  await sdk.auth.loginWithToken(key);
  assert.equal(await sdk.auth.isLoggedIn(), true);
  assert.equal(await sdk.auth.getToken(), key);

  // whoami and the actor id are the key owner's.
  const who = await sdk.auth.whoami();
  assert.equal(who.actorType, 'user');
  assert.equal(who.id, me.id);
  assert.equal(who.username, server.demo.username);
  assert.equal(await sdk.auth.getActorId(), me.id);

  // A key may read its user's keys.
  const named = await sdk.models.apiKey.getAllNamedUserApiKeys();
  assert.ok(named.some((k) => k.id === row.id));

  // It may not create keys (no authTime, so never fresh), rename or
  // revoke them (section 6: 401).
  await assert.rejects(
    sdk.models.apiKey.create({ name: unique('from-key'), expiryDate: null }),
    (err) => err.code === 'BalenaNotLoggedIn');
  await assert.rejects(
    sdk.models.apiKey.update(row.id, { name: unique('from-key') }),
    (err) => {
      assert.equal(err.statusCode, 401);
      return true;
    });
  await assert.rejects(
    sdk.models.apiKey.revoke(row.id),
    (err) => {
      assert.equal(err.statusCode, 401);
      return true;
    });

  // Nothing changed, and no key was created from the key.
  const [still] = await owner.models.apiKey.getAll({ $filter: { id: row.id } });
  assert.equal(still.name, name);
  const fromKey = await owner.models.apiKey.getAll({
    $filter: { name: { $startswith: 'from-key' } },
  });
  assert.deepEqual(fromKey, []);

  await owner.models.apiKey.revoke(row.id);
  await owner.auth.logout();
});

test('an expired API key is not logged in', async () => {
  const owner = await loggedIn();
  const past = new Date(Date.now() - 60 * 1000).toISOString();
  const key = await owner.models.apiKey.create({ name: unique('expired'), expiryDate: past });

  const sdk = newSdk();
  await sdk.auth.loginWithToken(key);
  assert.equal(await sdk.auth.isLoggedIn(), false);
  await owner.auth.logout();
});

test('a token refreshed with the password can create keys', async () => {
  const sdk = await loggedIn();
  const token = await sdk.auth.getToken();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

  // The stale case (authTime over 20 minutes old) needs a forged token and
  // is covered by tests/server/test-server-api-keys.c; here the SDK uses
  // the token from the refresh call the app makes to regain freshness.
  assert.ok(Date.now() - claims.authTime < 20 * 60 * 1000);
  const response = await fetch(`${server.url}/user/v1/refresh-token`, {
    method: 'POST',
    headers: { 'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: server.demo.password }),
  });
  assert.equal(response.status, 200);
  const fresh = await response.text();
  await sdk.auth.loginWithToken(fresh);
  const key = await sdk.models.apiKey.create({ name: unique('after-refresh'), expiryDate: null });
  assert.match(key, KEY_RE);
  await sdk.auth.logout();
});
