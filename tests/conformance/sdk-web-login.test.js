// sdk-web-login.test.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// balena-cli's web login (`balena login --web`) against the server's
// /login/cli/<callback> page: a listener on 127.0.0.1, the URL built the
// way the CLI builds it, the page's form submitted as a browser would, its
// auto-post followed to the listener, and the token checked the way the
// CLI checks it (balena-sdk's loginWithToken, then isLoggedIn).

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

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

// The CLI's getDashboardLoginURL(), with the server as the dashboard.
function dashboardLoginUrl(callbackUrl, dashboardUrl) {
  const cb = encodeURIComponent(callbackUrl).replace(/%/g, '%25');
  return new URL(`/login/cli/${cb}`, dashboardUrl).href;
}

// The CLI's LoginServer: one POST of token to /auth.
function startListener() {
  return new Promise((resolve) => {
    let gotToken;
    const received = new Promise((r) => { gotToken = r; });
    const listener = http.createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== '/auth') {
        res.writeHead(404).end('Not found');
        return;
      }
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const token = new URLSearchParams(body).get('token');
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('Success!');
        gotToken({ token, contentType: req.headers['content-type'] });
      });
    });
    listener.listen(0, '127.0.0.1', () => {
      const { port } = listener.address();
      resolve({ callbackUrl: `http://127.0.0.1:${port}/auth`, received, listener });
    });
  });
}

function attribute(page, after, name) {
  const start = page.indexOf(after);
  assert.notEqual(start, -1, `the page has ${after}`);
  const m = new RegExp(`${name}="([^"]*)"`).exec(page.slice(start));
  assert.ok(m, `${after} has ${name}`);
  return m[1];
}

test('the CLI web login gets a token the SDK accepts', async () => {
  const { callbackUrl, received, listener } = await startListener();
  try {
    const url = dashboardLoginUrl(callbackUrl, server.url);
    assert.match(url, /\/login\/cli\/http%253A%252F%252F127\.0\.0\.1%253A[0-9]+%252Fauth$/);

    const form = await fetch(url);
    assert.equal(form.status, 200);
    assert.match(await form.text(), /name="password"/);

    const answer = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({
        step: 'password',
        username: server.demo.email,
        password: server.demo.password,
      }),
    });
    assert.equal(answer.status, 200);
    const page = await answer.text();
    const action = attribute(page, 'id="callback"', 'action');
    const token = attribute(page, 'name="token"', 'value');
    assert.equal(action, callbackUrl);

    // What the page's script does in a browser.
    await fetch(action, { method: 'POST', body: new URLSearchParams({ token }) });
    const got = await received;
    assert.equal(got.token, token);
    assert.equal(got.contentType, 'application/x-www-form-urlencoded;charset=UTF-8');

    // utils.loginIfTokenValid(): the SDK logs in with it and asks whoami.
    const sdk = getSdk({ apiUrl: server.url, dataDirectory: server.makeTempDir('sdk-') });
    await sdk.auth.loginWithToken(got.token);
    assert.equal(await sdk.auth.isLoggedIn(), true);
    assert.equal((await sdk.auth.whoami()).username, server.demo.username);
  } finally {
    listener.close();
  }
});

test('a callback that is not this computer gets no token', async () => {
  const url = dashboardLoginUrl('http://example.com:3000/auth', server.url);
  const answer = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({
      step: 'password',
      username: server.demo.email,
      password: server.demo.password,
    }),
  });
  assert.equal(answer.status, 400);
  assert.doesNotMatch(await answer.text(), /name="token"/);
});
