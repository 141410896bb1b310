// sdk-two-factor.test.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The official balena SDK's auth.twoFactor against a spawned
// balena-accounts-server (account-api.md sections 3.1 and 7). This file
// has a server of its own: it turns 2FA on for the demo user.

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

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

// RFC 4648 base32, as in the otpauth URI.
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0)
      throw new Error(`not base32: ${c}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

// RFC 6238 with SHA-1, 6 digits, 30-second steps; written here rather than
// taken from the C code under test.
function totp(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1000000).padStart(6, '0');
}

function currentStep() {
  return Math.floor(Date.now() / 1000 / 30);
}

// Leaves enough of the current step for a code computed now to still be
// within the server's window when it arrives.
async function waitForFreshStep() {
  const into = Math.floor(Date.now() / 1000) % 30;
  if (into > 22)
    await new Promise((resolve) => setTimeout(resolve, (31 - into) * 1000));
}

test('getSetupKey, enable, isEnabled, challenge, isPassed, disable', async () => {
  const sdk = newSdk();
  const { email, password } = server.demo;

  await sdk.auth.login({ email, password });
  assert.equal(await sdk.auth.twoFactor.isEnabled(), false);
  assert.equal(await sdk.auth.twoFactor.isPassed(), true);

  const setupKey = await sdk.auth.twoFactor.getSetupKey();
  assert.equal(typeof setupKey, 'string');
  const uri = new URL(setupKey);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  // The Python SDK reads the secret with a query-string parser.
  const secret = uri.searchParams.get('secret');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(uri.searchParams.get('issuer'), 'Balena Accounts');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
  assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
  const key = base32Decode(secret);

  await waitForFreshStep();
  const step = currentStep();
  const token = await sdk.auth.twoFactor.enable(totp(key, step));
  assert.equal(typeof token, 'string');
  assert.equal(await sdk.auth.getToken(), token, 'enable stores the new token');
  assert.equal(await sdk.auth.twoFactor.isEnabled(), true);
  assert.equal(await sdk.auth.twoFactor.isPassed(), true);
  assert.equal((await sdk.auth.whoami()).username, server.demo.username);
  await sdk.auth.logout();

  // A new login is pending until the challenge.
  const other = newSdk();
  await other.auth.login({ email, password });
  assert.equal(await other.auth.twoFactor.isEnabled(), true);
  assert.equal(await other.auth.twoFactor.isPassed(), false);
  assert.equal(await other.auth.isLoggedIn(), false, 'a partial token is not a user');

  // The code that enabled 2FA was used up; a wrong one is refused too.
  await assert.rejects(other.auth.twoFactor.challenge(totp(key, step)),
                       (err) => err.statusCode === 401);
  await assert.rejects(other.auth.twoFactor.challenge('000000'),
                       (err) => err.statusCode === 401);
  assert.equal(await other.auth.twoFactor.isPassed(), false);

  await other.auth.twoFactor.challenge(totp(key, step + 1));
  assert.equal(await other.auth.twoFactor.isPassed(), true);
  assert.equal(await other.auth.isLoggedIn(), true);
  assert.equal((await other.auth.getUserInfo()).username, server.demo.username);

  // Disable with a wrong password fails and keeps 2FA on.
  await assert.rejects(other.auth.twoFactor.disable(password + '-wrong'),
                       (err) => err.statusCode === 401);
  assert.equal(await other.auth.twoFactor.isEnabled(), true);

  await other.auth.twoFactor.disable(password);
  assert.equal(await other.auth.twoFactor.isEnabled(), false);
  assert.equal(await other.auth.isLoggedIn(), true);
  await other.auth.logout();

  // Logins are full again.
  const third = newSdk();
  await third.auth.login({ email, password });
  assert.equal(await third.auth.twoFactor.isEnabled(), false);
  assert.equal(await third.auth.isLoggedIn(), true);
  await third.auth.logout();
});
