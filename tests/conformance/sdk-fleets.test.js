// sdk-fleets.test.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The official balena SDK's fleet models against a freshly spawned
// balena-accounts-server with the demo fleets (account-api.md sections 11
// and 12): application.getAllDirectlyAccessible, application.membership
// getAllByApplication, create, changeRole and remove, and
// application.invite create, getAllByApplication, revoke and accept.
//
// Demo data: Acme Robotics (acme) is administered by demo and amara;
// bruno, chen and dana are members. Every demo user has the demo password.

'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
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

async function loginAs(email) {
  const sdk = getSdk({ apiUrl: server.url, dataDirectory: server.makeTempDir('sdk-') });

  await sdk.auth.login({ email, password: server.demo.password });
  return sdk;
}

const demo = () => loginAs(server.demo.email);

async function userId(sdk, username) {
  const [user] = await sdk.pine.get({
    resource: 'user', options: { $select: 'id', $filter: { username } },
  });
  assert.ok(user, `user ${username} is visible`);
  return user.id;
}

async function roleOf(sdk, membershipId) {
  const m = await sdk.models.application.membership.get(membershipId, {
    $expand: { application_membership_role: { $select: 'name' } },
  });
  return m.application_membership_role[0].name;
}

function newestMailTo(address) {
  const dir = path.join(server.dataDir, 'outbox');
  const mails = fs.readdirSync(dir).filter((n) => n.endsWith('.eml')).sort()
    .map((n) => fs.readFileSync(path.join(dir, n), 'utf8'))
    .filter((m) => m.includes(`\r\nTo: <${address}>\r\n`));
  assert.ok(mails.length > 0, `a mail to ${address} is in the outbox`);
  return mails[mails.length - 1];
}

test('getAllDirectlyAccessible lists the fleets each user reaches, with devices', async () => {
  const sdk = await demo();
  const apps = await sdk.models.application.getAllDirectlyAccessible({
    $select: ['id', 'app_name', 'slug', 'is_of__class'],
    $expand: { owns__device: { $select: 'is_online' }, organization: { $select: ['handle', 'name'] } },
  });
  assert.deepEqual(apps.map((a) => a.app_name),
    ['delivery-robots', 'greenhouse-sensors', 'lobby-kiosks', 'warehouse-cameras', 'weather-stations']);
  const greenhouse = apps.find((a) => a.slug === 'acme/greenhouse-sensors');
  assert.equal(greenhouse.is_of__class, 'fleet');
  assert.equal(greenhouse.owns__device.length, 6);
  assert.equal(greenhouse.owns__device.filter((d) => d.is_online).length, 4);
  assert.deepEqual(greenhouse.organization, [{ handle: 'acme', name: 'Acme Robotics' }]);

  // Without options, as the SDK sends it by default.
  const plain = await sdk.models.application.getAllDirectlyAccessible();
  assert.equal(plain.length, 5);
  assert.equal(typeof plain[0].organization.__id, 'number');

  // bruno is an organization member: only the fleets he was added to.
  const bruno = await loginAs('bruno@acme.example');
  const his = await bruno.models.application.getAllDirectlyAccessible({ $select: 'app_name' });
  assert.deepEqual(his.map((a) => a.app_name), ['delivery-robots', 'greenhouse-sensors']);

  // The device count the CLI asks for.
  const [counted] = await sdk.models.application.getAllDirectlyAccessible({
    $select: 'id', $filter: { slug: 'acme/delivery-robots' }, $expand: { owns__device: { $count: {} } },
  });
  assert.equal(counted.owns__device, 3);
});

test('membership.getAllByApplication with usernames and roles', async () => {
  const sdk = await demo();
  const members = await sdk.models.application.membership.getAllByApplication('acme/greenhouse-sensors', {
    $expand: { user: { $select: ['id', 'username'] }, application_membership_role: { $select: ['id', 'name'] } },
  });
  const byName = Object.fromEntries(members.map((m) => [m.user[0].username, m.application_membership_role[0].name]));
  assert.deepEqual(byName, { bruno: 'developer', chen: 'operator', dana: 'observer' });

  const plain = await sdk.models.application.membership.getAllByApplication('acme/greenhouse-sensors');
  assert.equal(plain.length, 3);
  assert.ok(plain.every((m) => typeof m.user.__id === 'number' &&
                              typeof m.application_membership_role.__id === 'number'));
});

test('membership.create, changeRole and remove, by id and by composite key', async () => {
  const sdk = await demo();
  const [fleet] = await sdk.models.application.getAllDirectlyAccessible({
    $select: 'id', $filter: { slug: 'acme/warehouse-cameras' },
  });
  const chen = await userId(sdk, 'chen');

  const created = await sdk.models.application.membership.create({
    application: 'acme/warehouse-cameras', username: 'chen', roleName: 'observer',
  });
  assert.equal(created.user.__id, chen);
  assert.equal(created.is_member_of__application.__id, fleet.id);
  assert.equal(await roleOf(sdk, created.id), 'observer');

  // Twice: the server's unique constraint (409).
  await assert.rejects(sdk.models.application.membership.create({
    application: 'acme/warehouse-cameras', username: 'chen',
  }), (e) => e.statusCode === 409);

  // Someone outside the organization: the SDK's own pre-check refuses.
  await assert.rejects(sdk.models.application.membership.create({
    application: 'acme/warehouse-cameras', username: 'emeka',
  }), /is member of the organization/);

  await sdk.models.application.membership.changeRole(created.id, 'operator');
  assert.equal(await roleOf(sdk, created.id), 'operator');
  const key = { user: chen, is_member_of__application: fleet.id };
  await sdk.models.application.membership.changeRole(key, 'developer');
  assert.equal(await roleOf(sdk, created.id), 'developer');
  await assert.rejects(sdk.models.application.membership.changeRole(created.id, 'nonsense'),
    (e) => e.code === 'BalenaApplicationMembershipRoleNotFound');

  // bruno, an operator of delivery-robots, may not add, change or remove.
  const bruno = await loginAs('bruno@acme.example');
  await assert.rejects(bruno.models.application.membership.create({
    application: 'acme/delivery-robots', username: 'chen',
  }), (e) => e.statusCode === 401);
  const [own] = await bruno.models.application.membership.getAllByApplication('acme/delivery-robots');
  await assert.rejects(bruno.models.application.membership.changeRole(own.id, 'developer'),
    (e) => e.statusCode === 401);
  const others = await bruno.models.application.membership.getAllByApplication('acme/greenhouse-sensors', {
    $filter: { user: { $ne: own.user.__id } },
  });
  assert.equal(others.length, 2);
  await assert.rejects(bruno.models.application.membership.remove(others[0].id),
    (e) => e.statusCode === 401);

  await sdk.models.application.membership.remove(key);
  await assert.rejects(sdk.models.application.membership.get(created.id), /not found/);

  // Default role and removal by id.
  const dev = await sdk.models.application.membership.create({
    application: fleet.id, username: 'dana',
  });
  assert.equal(await roleOf(sdk, dev.id), 'developer');
  await sdk.models.application.membership.remove(dev.id);
  const left = await sdk.models.application.membership.getAllByApplication(fleet.id);
  assert.equal(left.length, 0);
});

test('invite.create, getAllByApplication, revoke and accept', async () => {
  const sdk = await demo();
  const invite = await sdk.models.application.invite.create('acme/warehouse-cameras', {
    invitee: 'emeka@weather.example', roleName: 'operator', message: 'Join us',
  });
  assert.equal(typeof invite.id, 'number');
  assert.equal(invite.message, 'Join us');
  assert.equal(invite.invitation_token, undefined);

  const later = await sdk.models.application.invite.create('acme/warehouse-cameras', {
    invitee: 'later@example.org',
  });

  let invites = await sdk.models.application.invite.getAllByApplication('acme/warehouse-cameras', {
    $expand: { invitee: { $select: 'email' }, application_membership_role: { $select: 'name' } },
  });
  assert.deepEqual(invites.map((i) => [i.invitee[0].email, i.application_membership_role[0].name]).sort(),
    [['emeka@weather.example', 'operator'], ['later@example.org', 'developer']]);

  await sdk.models.application.invite.revoke(later.id);
  invites = await sdk.models.application.invite.getAllByApplication('acme/warehouse-cameras');
  assert.deepEqual(invites.map((i) => i.id), [invite.id]);

  // emeka accepts with the token from the mail.
  const mail = newestMailTo('emeka@weather.example');
  const token = /Invitation token: ([A-Za-z0-9]+)/.exec(mail)[1];
  const emeka = await loginAs('emeka@weather.example');
  const before = await emeka.models.application.getAllDirectlyAccessible({ $select: 'app_name' });
  assert.deepEqual(before.map((a) => a.app_name), ['weather-stations']);
  await emeka.models.application.invite.accept(token);
  const after = await emeka.models.application.getAllDirectlyAccessible({ $select: 'app_name' });
  assert.deepEqual(after.map((a) => a.app_name), ['warehouse-cameras', 'weather-stations']);
  invites = await sdk.models.application.invite.getAllByApplication('acme/warehouse-cameras');
  assert.equal(invites.length, 0);

  // Used up; and logged out is BalenaNotLoggedIn.
  await assert.rejects(emeka.models.application.invite.accept(token), (e) => e.statusCode === 404);
  await emeka.auth.logout();
  await assert.rejects(emeka.models.application.invite.accept(token),
    (e) => e.code === 'BalenaNotLoggedIn');
});
