// capture-sdk-urls.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Prints the exact OData URLs balena-sdk sends for the calls the account
// manager cares about, by pointing the SDK at a stub HTTP server that logs
// every request. The output was pasted into test-odata.c (test_sdk_urls).
// Not run by the test suite. Usage, after `npm ci` in tests/conformance:
//   node tests/server-odata/capture-sdk-urls.js

'use strict';
const http = require('node:http');
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const { getSdk } = require(path.join(__dirname, '../conformance/node_modules/balena-sdk'));

const urls = [];
const row = { id: 1, app_name: 'a', slug: 'alice/a', name: 'developer', username: 'alice', email: 'a@x',
  user: { __id: 1 }, is_member_of__application: { __id: 1 }, application_membership_role: { __id: 1 },
  organization: [{ id: 1, handle: 'alice', organization_membership: [{ id: 1 }] }], is_of__actor: { __id: 1001 },
  actor: { __id: 1001 }, is_for__device_type: [{ slug: 'rpi' }], owns__device: [] };
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => body += c);
  req.on('end', () => {
    urls.push(req.method + ' ' + req.url + (body ? ' ' + body : ''));
    res.setHeader('Content-Type', 'application/json');
    if (req.url.startsWith('/actor/v1/whoami'))
      return res.end(JSON.stringify({ id: 1001, actorType: 'user', actorTypeId: 1, username: 'alice', email: 'a@x' }));
    if (req.url.startsWith('/user/v1/whoami'))
      return res.end(JSON.stringify({ id: 1, username: 'alice', email: 'a@x' }));
    if (req.url.includes('/$count'))
      return res.end(JSON.stringify({ d: 1 }));
    if (req.method === 'POST') { res.statusCode = 201; return res.end(JSON.stringify(row)); }
    if (req.method !== 'GET') return res.end('');
    res.end(JSON.stringify({ d: [row] }));
  });
});

server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-'));
  const sdk = getSdk({ apiUrl: url, dataDirectory });
  await sdk.auth.loginWithToken('abcdefghijklmnopqrstuvwxyz012345');
  const calls = [
    () => sdk.models.apiKey.getAllNamedUserApiKeys(),
    () => sdk.models.apiKey.getAll(),
    () => sdk.models.apiKey.update(7, { name: 'n', description: 'd' }),
    () => sdk.models.apiKey.revoke(7),
    () => sdk.models.application.getAllDirectlyAccessible(),
    () => sdk.models.application.getAll(),
    () => sdk.models.application.get('alice/a'),
    () => sdk.models.application.get(1, { $expand: { owns__device: { $count: {} } } }),
    () => sdk.models.application.membership.getAllByApplication(1),
    () => sdk.models.application.membership.getAllByApplication('alice/a', { $expand: { user: { $select: ['id', 'username'] }, application_membership_role: { $select: ['id', 'name'] } } }),
    () => sdk.models.application.membership.get(3),
    () => sdk.models.application.membership.get({ user: 2, is_member_of__application: 1 }),
    () => sdk.models.application.membership.create({ application: 1, username: "o'brien", roleName: 'observer' }),
    () => sdk.models.application.membership.changeRole(3, 'operator'),
    () => sdk.models.application.membership.changeRole({ user: 2, is_member_of__application: 1 }, 'operator'),
    () => sdk.models.application.membership.remove(3),
    () => sdk.models.application.invite.getAllByApplication(1),
    () => sdk.models.application.invite.create({ application: 1, invitee: 'x@y', roleName: 'developer', message: 'hi' }),
    () => sdk.models.application.invite.revoke(5),
    () => sdk.models.device.getAllByApplication(1, { $select: ['id', 'is_online'] }),
    () => sdk.models.organization.getAll(),
    () => sdk.pine.get({ resource: 'api_key', options: { $filter: { created_at: { $gt: new Date('2024-01-01T00:00:00Z') }, name: { $in: ['a', 'b'] }, $not: { description: null } } } }),
    () => sdk.pine.get({ resource: 'device', options: { $count: { $filter: { belongs_to__application: 1 } } } }),
  ];
  for (const call of calls) {
    try { await call(); } catch (e) { urls.push('# error: ' + e.message.split('\n')[0]); }
  }
  console.log(urls.join('\n'));
  fs.rmSync(dataDirectory, { recursive: true, force: true });
  server.close();
});
