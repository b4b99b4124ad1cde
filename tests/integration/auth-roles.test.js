// Every operation × every role (docs/security.md): the operations are read
// from the op tables in core/src (so operations added later are covered),
// each is sent by a viewer, an operator, a presenter, an admin and an
// operator limited to another wall; a refused one gets `forbidden` and
// changes nothing. An operation answered `unknown_op` fails the test (it was
// listed in a table the dispatcher does not search).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverFor, authConfig, login, connectAs, currentState, expectError, sleep } from '../lib/harness.js';
import { repoRoot } from '../lib/server.js';

const PERMISSION_OF_ROLE = {
  viewer: ['OP_READ'],
  // OP_PLAYBACK: auth.playback_roles, operator and admin by default.
  operator: ['OP_READ', 'OP_OPERATE', 'OP_PLAYBACK'],
  presenter: ['OP_READ', 'OP_PRESENT'],
  admin: ['OP_READ', 'OP_OPERATE', 'OP_PRESENT', 'OP_ADMIN', 'OP_PLAYBACK'],
};

// {name, permission} of every entry of every op table in core/src/*/*.c.
function opsFromSources() {
  const dir = join(repoRoot, 'core', 'src');
  const ops = new Map();
  const files = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.c'));
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/\{\s*"([a-z_.]+)",\s*[A-Za-z_0-9]+,\s*(OP_[A-Z]+)\s*(?:,\s*OP_[A-Z]+\s*)?\}/g)) ops.set(m[1], m[2]);
  }
  return [...ops].map(([name, permission]) => ({ name, permission }));
}

// One request that carries every field any operation reads, so an allowed
// request gets past its field checks as far as possible.
function requestFor(state, wallId) {
  const wall = state.walls.find((w) => w.id === wallId);
  const tiles = wall.layout.tiles.map((t) => t.id);
  return {
    wall: wallId, version: wall.version, tile: tiles[0], tiles: tiles.slice(0, 2), a: tiles[0], b: tiles[1] || tiles[0],
    source: null, columns: 1, rows: 1, x: 0, y: 0, w: 1, h: 1,
    layout: wall.layout, preset: state.presets[0]?.id || 'p1', name: 'Role test', sources: [],
    alarm: 'a1', presentation: 'demo', step: 0, limit: 5,
  };
}

// What a refused request must not have changed: walls, presets and every
// other top-level part of the state but the live data and sources.
function stable(state) {
  const { sources, data, server, stats, ...rest } = state;
  return rest;
}

const USERS = [
  { name: 'vera', role: 'viewer', password: 'vera-password-1' },
  { name: 'otto', role: 'operator', password: 'otto-password-1' },
  { name: 'pia', role: 'presenter', password: 'pia-password-1' },
  { name: 'ada', role: 'admin', password: 'ada-password-1' },
  { name: 'olaf', role: 'operator', password: 'olaf-password-1', walls: ['other'] },
];

test('every operation is allowed or forbidden by role and wall, and a forbidden one changes nothing', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const ops = opsFromSources();
  for (const core of ['ping', 'layout.apply', 'tile.swap', 'preset.save', 'audit.query', 'auth.whoami']) {
    assert.ok(ops.some((o) => o.name === core), `op table parse found ${core}: ${JSON.stringify(ops)}`);
  }
  const clients = {};
  for (const u of USERS) {
    const res = await login(server, u.name, u.password);
    assert.equal(res.status, 200, `login ${u.name}: ${res.body}`);
    clients[u.name] = (await connectAs(t, server, { cookie: res.cookie })).client;
  }
  // A second admin connection that only reads, paced under the server's
  // 100 requests per second per client.
  const admin = (await connectAs(t, server, { cookie: (await login(server, 'ada', 'ada-password-1')).cookie })).client;
  // A preset to recall, rename and delete.
  const saved = await admin.request('preset.save', { wall: 'main', name: 'Base' });
  assert.ok(saved.ok, JSON.stringify(saved));

  const failures = [];
  const skipped = new Set();
  let checked = 0;
  for (const op of ops) {
    for (const u of USERS) {
      for (const wallId of ['main', 'other']) {
        await sleep(35);
        const before = await currentState(admin);
        const fields = requestFor(before, wallId);
        const reply = await clients[u.name].request(op.name, fields);
        if (reply.error?.code === 'unknown_op') {
          skipped.add(op.name);
          continue;
        }
        checked++;
        const roleOk = PERMISSION_OF_ROLE[u.role].includes(op.permission);
        const wallOk = op.permission === 'OP_READ' || !u.walls || u.walls.includes(wallId);
        const expectAllowed = roleOk && wallOk;
        const refused = reply.error?.code === 'forbidden';
        const label = `${op.name} (${op.permission}) by ${u.name}/${u.role} on ${wallId}`;
        if (expectAllowed && refused) failures.push(`${label}: forbidden: ${JSON.stringify(reply)}`);
        if (!expectAllowed) {
          if (!refused) {
            failures.push(`${label}: expected forbidden, got ${JSON.stringify(reply).slice(0, 200)}`);
            continue;
          }
          expectError(reply, 'forbidden');
          const after = await currentState(admin);
          if (JSON.stringify(stable(after)) !== JSON.stringify(stable(before))) failures.push(`${label}: the state changed`);
        }
        // Keep a preset to work on for the next cases.
        if ((await currentState(admin)).presets.length === 0) await admin.request('preset.save', { wall: 'main', name: 'Base' });
      }
    }
  }
  assert.ok(checked > 0);
  assert.deepEqual(failures, [], `${failures.length} of ${checked} cases failed:\n${failures.join('\n')}`);
  // Every module is in now: an op in a table that the server calls unknown
  // would be a table the dispatcher does not search.
  assert.deepEqual([...skipped], [], 'every op in the tables is served');
});

test('a forbidden change pushes no wall event to anyone', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS.slice(0, 1).concat(USERS[3]) }) });
  const viewer = (await connectAs(t, server, { cookie: (await login(server, 'vera', 'vera-password-1')).cookie })).client;
  const admin = (await connectAs(t, server, { cookie: (await login(server, 'ada', 'ada-password-1')).cookie })).client;
  const before = await currentState(admin);
  const wall = before.walls.find((w) => w.id === 'main');
  const reply = await viewer.request('wall.clear', { wall: 'main', version: wall.version });
  expectError(reply, 'forbidden', 'op');
  await admin.request('ping');
  await sleep(50);
  assert.deepEqual(admin.messages.filter((m) => m.ev === 'wall'), []);
  assert.deepEqual((await currentState(admin)).walls, before.walls);
});
