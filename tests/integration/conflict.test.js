// A change based on an old version is refused with `conflict` (field
// version, current = the wall's version now) and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, twoClients, expectWallChange, expectError, expectUnchanged } from '../lib/harness.js';

// Every wall-changing operation, with fields that would succeed on the
// current version of testConfig()'s wall after one set_source.
const changes = {
  'layout.apply': { layout: { columns: 1, rows: 1, tiles: [{ x: 0, y: 0, w: 1, h: 1, source: null }] } },
  'tile.set_source': { tile: 't2', source: 'clock-a' },
  'tile.split': { tile: 't1', columns: 2, rows: 1 },
  'tile.merge': { tiles: ['t1', 't2'] },
  'tile.resize': { tile: 't1', x: 0, y: 0, w: 2, h: 1 },
  'tile.swap': { a: 't1', b: 't2' },
  'wall.clear': {},
  'preset.recall': { preset: null }, // filled in with a saved preset
};

async function movedOnWall(t) {
  const server = await serverFor(t);
  const { a, b, wall } = await twoClients(t, server);
  // Make a free cell for tile.resize and move the wall on by one version.
  const w1 = await expectWallChange(await a.request('layout.apply', { wall: 'main', version: wall.version,
    layout: { columns: 2, rows: 2, tiles: [
      { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }, { id: 't2', x: 0, y: 1, w: 1, h: 1, source: null }] } }), a, b, wall);
  const preset = (await a.request('preset.save', { wall: 'main', name: 'p' })).ok.preset;
  const w2 = await expectWallChange(await a.request('tile.set_source', { wall: 'main', version: w1.version, tile: 't2', source: 'clock-b' }), a, b, w1);
  return { a, b, wall: w2, preset };
}

for (const [op, fields] of Object.entries(changes)) {
  test(`${op} on a stale version is refused with conflict`, async (t) => {
    const { a, b, wall, preset } = await movedOnWall(t);
    const body = { wall: 'main', ...fields, ...(op === 'preset.recall' ? { preset: preset.id } : {}) };
    const reply = await a.request(op, { ...body, version: wall.version - 1 });
    expectError(reply, 'conflict', 'version');
    assert.equal(reply.error.current, wall.version, 'current is the version now');
    await expectUnchanged(a, b, wall);
    // The same request on the current version is accepted (so the refusal
    // above was about the version only).
    await expectWallChange(await a.request(op, { ...body, version: wall.version }), a, b, wall);
  });
}

test('a version from the future is refused and changes nothing', async (t) => {
  const { a, b, wall } = await movedOnWall(t);
  const reply = await a.request('tile.set_source', { wall: 'main', version: wall.version + 1, tile: 't1', source: null });
  expectError(reply, 'conflict', 'version');
  assert.equal(reply.error.current, wall.version);
  await expectUnchanged(a, b, wall);
});

test('of two clients racing on one version, exactly one wins', async (t) => {
  const { a, b, wall } = await movedOnWall(t);
  const [ra, rb] = await Promise.all([
    a.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't1', source: 'clock-b' }),
    b.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't1', source: null }),
  ]);
  const winners = [ra, rb].filter((r) => r.ok);
  const losers = [ra, rb].filter((r) => r.error);
  assert.equal(winners.length, 1, `one ok: ${JSON.stringify([ra, rb])}`);
  assert.equal(losers.length, 1);
  expectError(losers[0], 'conflict', 'version');
  assert.equal(losers[0].error.current, wall.version + 1);
  assert.deepEqual(winners[0].ok, { wall: 'main', version: wall.version + 1 });
  const source = winners[0] === ra ? 'clock-b' : null;
  const ev = await b.waitFor((m) => m.ev === 'wall' && m.wall.version === wall.version + 1);
  assert.equal(ev.wall.layout.tiles.find((x) => x.id === 't1').source, source);
  await b.request('ping');
  assert.equal(b.messages.filter((m) => m.ev === 'wall' && m.wall.version > wall.version + 1).length, 0);
});

test('a change without a version is refused with bad_request', async (t) => {
  const { a, b, wall } = await movedOnWall(t);
  expectError(await a.request('wall.clear', { wall: 'main' }), 'bad_request', 'version');
  await expectUnchanged(a, b, wall);
});
