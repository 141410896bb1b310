// sdk-auth.test.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Drives the official balena SDK from npm against a freshly spawned
// balena-accounts-server. If these pass, the server speaks the part of
// balenaCloud's protocol that the SDK uses for authentication.

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

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

// Each SDK instance gets its own data directory: the SDK stores the token as
// a plain file there, and tests must not share or leave one behind.
function newSdk() {
  return getSdk({
    apiUrl: server.url,
    dataDirectory: server.makeTempDir('sdk-'),
  });
}

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function jwtClaims(token) {
  const payload = token.split('.')[1];
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

test('login with email and password, whoami, user info, logout', async () => {
  const sdk = newSdk();
  const { email, username, password } = server.demo;

  assert.equal(await sdk.auth.isLoggedIn(), false, 'a fresh SDK is not logged in');

  await sdk.auth.login({ email, password });
  assert.equal(await sdk.auth.isLoggedIn(), true);

  const me = await sdk.auth.whoami();
  assert.equal(me.actorType, 'user');
  assert.equal(me.username, username);
  assert.equal(typeof me.id, 'number');
  assert.equal(typeof me.actorTypeId, 'number');

  const info = await sdk.auth.getUserInfo();
  // getUserInfo() swaps the ids round: its "id" is the user id and "actor"
  // the actor id (account-api.md section 4).
  assert.equal(info.id, me.actorTypeId);
  assert.equal(info.actor, me.id);
  assert.equal(info.email, email);
  assert.equal(info.username, username);
  assert.equal(await sdk.auth.getActorId(), me.id);

  const token = await sdk.auth.getToken();
  assert.match(token, JWT_RE);
  const claims = jwtClaims(token);
  assert.equal(claims.id, info.id);
  assert.equal(typeof claims.authTime, 'number');
  assert.equal(claims.exp - claims.iat, 7 * 24 * 3600, 'session tokens live 7 days');

  await sdk.auth.logout();
  assert.equal(await sdk.auth.isLoggedIn(), false);
});

test('login with the username instead of the email', async () => {
  const sdk = newSdk();
  const { username, password } = server.demo;

  // The SDK sends whatever it is given in the "username" field; the server
  // treats a value without "@" as a username, case-insensitively.
  await sdk.auth.login({ email: username.toUpperCase(), password });
  const me = await sdk.auth.whoami();
  assert.equal(me.username, username);
  await sdk.auth.logout();
});

test('wrong password is BalenaInvalidLoginCredentials', async () => {
  const sdk = newSdk();
  const { email, password } = server.demo;

  await assert.rejects(
    sdk.auth.login({ email, password: password + '-wrong' }),
    (err) => {
      assert.equal(err.code, 'BalenaInvalidLoginCredentials');
      return true;
    });
  assert.equal(await sdk.auth.isLoggedIn(), false);

  await assert.rejects(
    sdk.auth.login({ email: 'nobody-' + process.pid + '@example.invalid', password }),
    (err) => err.code === 'BalenaInvalidLoginCredentials');
});

test('loginWithToken with a token from another session', async () => {
  const first = newSdk();
  const { email, username, password } = server.demo;

  await first.auth.login({ email, password });
  const token = await first.auth.getToken();

  const second = newSdk();
  await second.auth.loginWithToken(token);
  assert.equal(await second.auth.isLoggedIn(), true);
  const me = await second.auth.whoami();
  assert.equal(me.actorType, 'user');
  assert.equal(me.username, username);
  assert.equal(await second.auth.getToken(), token);

  await second.auth.logout();
  assert.equal(await second.auth.isLoggedIn(), false);
  // Logging out is local only: the first session is unaffected.
  assert.equal(await first.auth.isLoggedIn(), true);
  await first.auth.logout();
});

test('a tampered token is not logged in', async () => {
  const sdk = newSdk();
  const { email, password } = server.demo;

  await sdk.auth.login({ email, password });
  const token = await sdk.auth.getToken();
  await sdk.auth.logout();

  // Flip one character of the signature: the server must reject it, and the
  // SDK reports that as "not logged in" rather than as an error.
  const sig = token.split('.')[2];
  const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  const forged = token.split('.').slice(0, 2).concat(flipped).join('.');

  const other = newSdk();
  await other.auth.loginWithToken(forged);
  assert.equal(await other.auth.isLoggedIn(), false);
});

test('the eleventh failed login is BalenaTooManyRequests', async () => {
  const sdk = newSdk();
  // The limit is per client address and username (account-api.md section 3),
  // so a name of its own keeps the demo user usable for the other tests.
  const email = `rate-limit-${process.pid}@example.invalid`;

  for (let i = 1; i <= 10; i++) {
    await assert.rejects(
      sdk.auth.login({ email, password: 'wrong password' }),
      (err) => {
        assert.equal(err.code, 'BalenaInvalidLoginCredentials', `attempt ${i}`);
        return true;
      });
  }
  await assert.rejects(
    sdk.auth.login({ email, password: 'wrong password' }),
    (err) => {
      assert.equal(err.code, 'BalenaTooManyRequests');
      return true;
    });

  // Another username from the same address is not affected.
  const { email: demoEmail, password } = server.demo;
  await sdk.auth.login({ email: demoEmail, password });
  assert.equal(await sdk.auth.isLoggedIn(), true);
  await sdk.auth.logout();
});
