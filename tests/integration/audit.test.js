// The audit log (docs/security.md): a JSON line for every change, written
// and flushed before the change is acknowledged, so every acknowledged
// change survives a kill -9; logins and failed logins too, never a
// password; audit.query for admins only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  serverFor, connect, authConfig, login, connectAs, currentWall, expectError, requestUnlessClosed, wallIn, testConfig,
} from '../lib/harness.js';

function auditLines(server) {
  const path = join(server.stateDir, 'audit.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('every change is audited with user, role, address, wall and versions; reads are not', async (t) => {
  const server = await serverFor(t);
  const { client, snapshot } = await connect(t, server);
  let wall = wallIn(snapshot);
  const v = wall.version;
  const changes = [
    ['tile.swap', { a: 't1', b: 't2' }],
    ['tile.set_source', { tile: 't3', source: 'clock-b' }],
    ['tile.split', { tile: 't3', columns: 2, rows: 1 }],
    ['wall.clear', {}],
  ];
  for (const [op, fields] of changes) {
    wall = await currentWall(client);
    const reply = await client.request(op, { wall: 'main', version: wall.version, ...fields });
    assert.ok(reply.ok, `${op}: ${JSON.stringify(reply)}`);
  }
  const saved = await client.request('preset.save', { wall: 'main', name: 'Audit me' });
  assert.ok(saved.ok);
  await client.request('ping');
  await client.request('snapshot');
  const lines = auditLines(server);
  assert.deepEqual(lines.map((l) => l.action), [...changes.map(([op]) => op), 'preset.save']);
  lines.slice(0, 4).forEach((l, i) => {
    assert.match(l.time, ISO_MS);
    assert.deepEqual({ ...l, time: 0 }, {
      time: 0, user: 'local', role: 'admin', address: '127.0.0.1', action: changes[i][0], wall: 'main',
      version_before: v + i, version_after: v + i + 1, ok: true,
    });
  });
  assert.equal(lines[4].version_before, lines[4].version_after, 'a preset save leaves the wall version');
  // A refused change writes nothing.
  expectError(await client.request('tile.swap', { wall: 'main', version: 1, a: 't1', b: 't2' }), 'conflict');
  assert.equal(auditLines(server).length, 5);
});

test('every acknowledged change is in the audit log after a kill -9', async (t) => {
  const server = await serverFor(t);
  const { client, snapshot } = await connect(t, server);
  let version = wallIn(snapshot).version;
  const acked = [];
  for (let i = 0; i < 40; i++) {
    const reply = await requestUnlessClosed(client, 'tile.swap', { wall: 'main', version, a: 't1', b: 't2' });
    assert.ok(reply?.ok, JSON.stringify(reply));
    version = reply.ok.version;
    acked.push(version);
  }
  // More changes in flight while the server dies: only acknowledged ones count.
  const inFlight = requestUnlessClosed(client, 'tile.swap', { wall: 'main', version, a: 't1', b: 't2' });
  await server.kill9();
  const late = await inFlight;
  if (late?.ok) acked.push(late.ok.version);
  const after = new Set(auditLines(server).filter((l) => l.action === 'tile.swap').map((l) => l.version_after));
  const missing = acked.filter((v) => !after.has(v));
  assert.deepEqual(missing, [], 'acknowledged changes missing from the audit log');
});

test('a change whose state file cannot be written keeps its line, and a second one says it was rolled back', async (t) => {
  const server = await serverFor(t);
  const { client, snapshot } = await connect(t, server);
  const v = wallIn(snapshot).version;
  // A directory where the file goes makes the write fail (even as root).
  mkdirSync(join(server.stateDir, 'walls', 'main.json'), { recursive: true });
  mkdirSync(join(server.stateDir, 'presets', 'p1.json'), { recursive: true });
  expectError(await client.request('wall.clear', { wall: 'main', version: v }), 'internal');
  expectError(await client.request('preset.save', { wall: 'main', name: 'Kept?' }), 'internal');
  const strip = ({ time, user, role, address, ...rest }) => rest;
  const now = (await currentWall(client)).version;
  assert.deepEqual(auditLines(server).map(strip), [
    { action: 'wall.clear', wall: 'main', version_before: v, version_after: v + 1, ok: true },
    { action: 'wall.clear', wall: 'main', version_before: v, version_after: v + 1, ok: false, rolled_back: true },
    { action: 'preset.save', wall: 'main', version_before: now, version_after: now, ok: true },
    { action: 'preset.save', wall: 'main', version_before: now, version_after: now, ok: false, rolled_back: true },
  ]);
});

test('logins and failed logins are audited without the password; audit.query filters and is for admins only', async (t) => {
  const users = [
    { name: 'ana', role: 'admin', password: 'ana-secret-password' },
    { name: 'otto', role: 'operator', password: 'otto-secret-password' },
  ];
  const server = await serverFor(t, { config: await authConfig({ users }) });
  assert.equal((await login(server, 'ana', 'wrong-secret-guess')).status, 401);
  assert.equal((await login(server, 'ghost', 'ghost-secret-guess')).status, 401);
  const ana = (await connectAs(t, server, { cookie: (await login(server, 'ana', 'ana-secret-password')).cookie })).client;
  const otto = (await connectAs(t, server, { cookie: (await login(server, 'otto', 'otto-secret-password')).cookie })).client;
  const wall = await currentWall(otto, 'other');
  assert.ok((await otto.request('wall.clear', { wall: 'other', version: wall.version })).ok);

  const text = readFileSync(join(server.stateDir, 'audit.jsonl'), 'utf8');
  for (const secret of ['secret', '$argon2', 'pantau_session']) assert.ok(!text.includes(secret), `no '${secret}' in the audit log`);
  const lines = auditLines(server);
  // An unknown name is audited as a tag, never as typed (auth-audit-names.test.js).
  const ghost = lines[1].user;
  assert.match(ghost, /^\(unknown user [0-9a-f]{8}\)$/);
  assert.deepEqual(lines.map((l) => [l.action, l.user, l.role, l.ok]), [
    ['login_failed', 'ana', null, false],
    ['login_failed', ghost, null, false],
    ['login', 'ana', 'admin', true],
    ['login', 'otto', 'operator', true],
    ['wall.clear', 'otto', 'operator', true],
  ]);
  assert.ok(lines.every((l) => l.address === '127.0.0.1'));

  expectError(await otto.request('audit.query', {}), 'forbidden');
  const all = await ana.request('audit.query', {});
  assert.deepEqual(all.ok.entries.map((e) => e.action), ['wall.clear', 'login', 'login', 'login_failed', 'login_failed']);
  const failed = await ana.request('audit.query', { action: 'login_failed', limit: 1 });
  assert.deepEqual(failed.ok.entries.map((e) => e.user), [ghost]);
  assert.equal(failed.ok.more, true);
  const byWall = await ana.request('audit.query', { wall: 'other', user: 'otto' });
  assert.deepEqual(byWall.ok.entries.map((e) => e.action), ['wall.clear']);
  const future = await ana.request('audit.query', { since: '2999-01-01T00:00:00Z' });
  assert.deepEqual(future.ok.entries, []);
  expectError(await ana.request('audit.query', { since: 'last tuesday' }), 'bad_request', 'since');
  // Reading the audit log is a read: it leaves no line (issue 13).
  assert.equal(auditLines(server).filter((l) => l.action === 'audit.query').length, 0);
});

test('reads leave no audit line, whatever role they need; changes and logins do (issue 13)', async (t) => {
  const users = [
    { name: 'ana', role: 'admin', password: 'ana-secret-password' },
    { name: 'pia', role: 'presenter', password: 'pia-secret-password' },
  ];
  const server = await serverFor(t, { config: await authConfig({ users }) });
  const ana = (await connectAs(t, server, { cookie: (await login(server, 'ana', 'ana-secret-password')).cookie })).client;
  const pia = (await connectAs(t, server, { cookie: (await login(server, 'pia', 'pia-secret-password')).cookie })).client;
  const reads = [
    [pia, 'presentation.list'], [ana, 'presentation.list'], [ana, 'audit.query'], [ana, 'auth.whoami'],
    [ana, 'alarm.list'], [ana, 'snapshot'], [ana, 'ping'],
  ];
  for (const [client, op] of reads) assert.ok((await client.request(op, {})).ok, op);
  const wall = await currentWall(ana, 'other');
  assert.ok((await ana.request('wall.clear', { wall: 'other', version: wall.version })).ok);
  assert.deepEqual(auditLines(server).map((l) => [l.action, l.user]), [
    ['login', 'ana'], ['login', 'pia'], ['wall.clear', 'ana'],
  ]);
});

test('when the audit log cannot be opened, a change is refused before it happens', async (t) => {
  // /proc takes no new files, even for root.
  const server = await serverFor(t, { config: testConfig({ audit: { file: '/proc/pantau-audit-test.jsonl' } }) });
  const { client, snapshot } = await connect(t, server);
  const wall = snapshot.walls.find((w) => w.id === 'main');
  const reply = await client.request('wall.clear', { wall: 'main', version: wall.version });
  assert.equal(reply.error?.code, 'internal', JSON.stringify(reply));
  assert.match(reply.error.message, /audit/);
  const after = (await client.request('snapshot')).ok.walls.find((w) => w.id === 'main');
  assert.equal(after.version, wall.version, 'nothing changed');
  assert.deepEqual(after.layout, wall.layout);
  assert.equal(client.messages.filter((m) => m.ev === 'wall').length, 0, 'no wall event');
  assert.ok((await client.request('ping')).ok, 'reading still works');
});
