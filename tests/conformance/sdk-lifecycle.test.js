// sdk-lifecycle.test.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The account lifecycle as the official balena SDK drives it (account-api.md
// sections 8, 9 and 17.2): auth.register, auth.verifyEmail with the token
// from the mail in the server's outbox, auth.requestVerificationEmail, then a
// login as the new user; user_profile read over pine; deleting the account.

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { startServer } = require('./server');

const { getSdk } = require('balena-sdk');

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

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// The verification mails to @to, oldest first.
function verificationMails(to) {
  const outbox = path.join(server.dataDir, 'outbox');
  return fs.readdirSync(outbox)
    .filter((name) => name.endsWith('.eml') && name.includes('-verify-email-'))
    .sort()
    .map((name) => fs.readFileSync(path.join(outbox, name), 'utf8'))
    .filter((text) => text.includes(`\r\nTo: <${to}>\r\n`));
}

function tokenOf(mail) {
  const m = /[?&]token=([A-Za-z0-9]+)/.exec(mail);
  assert.ok(m, 'the mail holds a link with a token');
  return m[1];
}

test('register, verify the email with the mailed token, log in as the new user', async () => {
  const sdk = newSdk();
  const email = 'new.user@example.com';
  const password = 'a long enough password';

  const token = await sdk.auth.register({ email, password });
  assert.match(token, JWT_RE, 'register answers a session token');
  // The SDK does not keep it; it is not logged in yet.
  assert.equal(await sdk.auth.isLoggedIn(), false);

  await assert.rejects(sdk.auth.register({ email, password }),
                       (e) => /This email is already taken/.test(e.message));
  await assert.rejects(sdk.auth.register({ email: 'not-an-email', password }),
                       (e) => /Invalid email/.test(e.message));

  let mails = verificationMails(email);
  assert.equal(mails.length, 1);

  await assert.rejects(sdk.auth.verifyEmail({ email, token: 'wrong' }),
                       (e) => /Invalid or expired token/.test(e.message));

  const verified = await sdk.auth.verifyEmail({ email, token: tokenOf(mails[0]) });
  assert.match(verified, JWT_RE, 'verifyEmail answers a session token');

  await sdk.auth.login({ email, password });
  assert.equal(await sdk.auth.isLoggedIn(), true);
  const me = await sdk.auth.whoami();
  assert.equal(me.actorType, 'user');
  assert.equal(me.email, email);
  assert.equal(me.username, 'new_user');

  const [profile] = await sdk.pine.get({
    resource: 'user_profile',
    options: {
      $select: ['email', 'has_password_set', 'is_verified'],
      $filter: { is_of__user: me.actorTypeId },
    },
  });
  assert.deepEqual(profile, { email, has_password_set: true, is_verified: true });
});

test('requestVerificationEmail sends a new mail whose token verifies', async () => {
  const sdk = newSdk();
  const email = 'resend@example.com';
  const password = 'another long password';

  await sdk.auth.register({ email, password });
  await sdk.auth.login({ email, password });
  assert.equal(verificationMails(email).length, 1);

  await sdk.auth.requestVerificationEmail();
  const mails = verificationMails(email);
  assert.equal(mails.length, 2);

  // Only the newest code works.
  await assert.rejects(sdk.auth.verifyEmail({ email, token: tokenOf(mails[0]) }));
  assert.match(await sdk.auth.verifyEmail({ email, token: tokenOf(mails[1]) }), JWT_RE);
});

test('a new user deletes their own account over pine', async () => {
  const sdk = newSdk();
  const email = 'short.lived@example.com';
  const password = 'yet another password';

  await sdk.auth.register({ email, password });
  await sdk.auth.login({ email, password });
  const { id } = await sdk.auth.getUserInfo();

  await sdk.pine.delete({ resource: 'user', id });
  assert.equal(await sdk.auth.isLoggedIn(), false, 'the session died with the account');
  await assert.rejects(newSdk().auth.login({ email, password }));
});
