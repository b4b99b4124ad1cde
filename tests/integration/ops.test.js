// Every operation of docs/protocol.md with two clients: A changes, both get
// a snapshot first, A gets the reply (version + 1) before its own event, B
// gets the same `wall` or `presets` event. Each test has its own server,
// whose wall 'main' starts as testConfig()'s 2x2 layout:
//   t1 (0,0 1x1) clock-a | t2 (1,0 1x1) empty
//   t3 (0,1 2x1) empty
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverFor, twoClients, configWithLayout, wallIn, tileIn, byId, cellsOf,
  expectWallChange, expectError, expectUnchanged, wallEvents, currentWall, assertLayoutValid, eachCase,
} from '../lib/harness.js';

// The order of tiles in a layout is not specified: compare them by id.
function sameLayout(actual, expected) {
  assert.deepEqual({ ...actual, tiles: byId(actual.tiles) }, { ...expected, tiles: byId(expected.tiles) });
}

const T1 = { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' };
const T2 = { id: 't2', x: 1, y: 0, w: 1, h: 1, source: null };
const T3 = { id: 't3', x: 0, y: 1, w: 2, h: 1, source: null };

async function setup(t, config) {
  const server = await serverFor(t, config ? { config } : {});
  return twoClients(t, server);
}

// The preset list as this client knows it after message `upto`: the
// snapshot's, then each `preset` (upsert) and `preset.deleted` event.
function presetListAt(client, upto) {
  let list = [];
  for (const m of client.messages) {
    if (m.ev === 'snapshot') list = [...m.presets];
    else if (m.ev === 'preset') {
      const at = list.findIndex((p) => p.id === m.preset.id);
      if (at >= 0) list[at] = m.preset;
      else list.push(m.preset);
    } else if (m.ev === 'preset.deleted') list = list.filter((p) => p.id !== m.preset);
    if (m === upto) break;
  }
  return list;
}
const isPresetEvent = (m) => m.ev === 'preset' || m.ev === 'preset.deleted';
// Waits for the preset event after which pred(list) holds; resolves { presets: list }.
async function presetsEvent(client, pred) {
  const ev = await client.waitFor((m) => isPresetEvent(m) && pred(presetListAt(client, m)));
  return { presets: presetListAt(client, ev) };
}

test('both clients get the same full snapshot first', async (t) => {
  const { a, b, snapA, snapB } = await setup(t);
  for (const c of [a, b]) assert.equal(c.messages[0].ev, 'snapshot', 'the first message is the snapshot');
  assert.deepEqual(snapA.walls, snapB.walls);
  assert.deepEqual(snapA.presets, []);
  assert.equal(typeof snapA.server.name, 'string');
  assert.equal(typeof snapA.server.version, 'string');
  assert.deepEqual(snapA.sources.map((s) => s.id).sort(), ['clock-a', 'clock-b']);
  const wall = wallIn(snapA);
  assert.equal(wall.name, 'Test wall');
  assert.ok(Number.isInteger(wall.version) && wall.version >= 0);
  assert.deepEqual(wall.displays, { columns: 2, rows: 1, width: 1920, height: 1080, bezel: { x: 10, y: 10 } });
  assert.deepEqual(wall.layout, { columns: 2, rows: 2, tiles: [T1, T2, T3] });
  assert.equal(typeof snapA.data, 'object');
});

test('ping answers with the server time and pushes nothing', async (t) => {
  const { a, b } = await setup(t);
  const before = Date.now();
  const reply = await a.request('ping');
  assert.deepEqual(Object.keys(reply.ok), ['time']);
  assert.ok(reply.ok.time >= before - 2000 && reply.ok.time <= Date.now() + 2000, `time ${reply.ok.time}`);
  await b.request('ping');
  assert.equal(wallEvents(b).length, 0);
});

test('snapshot returns the full state, including changes', async (t) => {
  const { a, b, snapA, wall } = await setup(t);
  const set = await a.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't2', source: 'clock-b' });
  const changed = await expectWallChange(set, a, b, wall);
  const reply = await a.request('snapshot');
  for (const k of ['sources', 'walls', 'presets', 'data']) assert.ok(k in reply.ok, `snapshot has ${k}`);
  assert.deepEqual(reply.ok.sources, snapA.sources);
  assert.deepEqual(wallIn(reply.ok), changed);
  assert.deepEqual(reply.ok.presets, []);
  assert.deepEqual(Object.keys(reply.ok.data).sort(), ['clock-a', 'clock-b']);
});

test('layout.apply replaces the layout; tiles without id get fresh ones', async (t) => {
  const { a, b, wall } = await setup(t);
  const layout = { columns: 3, rows: 1, tiles: [
    { id: 'big', x: 0, y: 0, w: 2, h: 1, source: 'clock-b' },
    { x: 2, y: 0, w: 1, h: 1, source: null },
  ] };
  const reply = await a.request('layout.apply', { wall: 'main', version: wall.version, layout });
  const after = await expectWallChange(reply, a, b, wall);
  assert.equal(after.layout.columns, 3);
  assert.equal(after.layout.rows, 1);
  assert.equal(after.layout.tiles.length, 2);
  assert.deepEqual(tileIn(after.layout, 'big'), layout.tiles[0]);
  const fresh = after.layout.tiles.find((x) => x.id !== 'big');
  assert.deepEqual({ ...fresh, id: undefined }, { ...layout.tiles[1], id: undefined });
});

test('layout.apply refuses impossible layouts and changes nothing', async (t) => {
  const { a, b, wall } = await setup(t);
  const apply = (layout) => a.request('layout.apply', { wall: 'main', version: wall.version, layout });
  const cases = [
    [{ columns: 2, rows: 2, tiles: [{ x: 0, y: 0, w: 2, h: 1, source: null }, { x: 1, y: 0, w: 1, h: 1, source: null }] },
      'invalid_layout', 'layout.tiles[1]'],
    [{ columns: 2, rows: 2, tiles: [{ x: 1, y: 0, w: 2, h: 1, source: null }] }, 'invalid_layout', 'layout.tiles[0]'],
    [{ columns: 2, rows: 2, tiles: [{ x: 0, y: 2, w: 1, h: 1, source: null }] }, 'invalid_layout', 'layout.tiles[0]'],
    [{ columns: 2, rows: 2, tiles: [{ x: 0, y: 0, w: 1, h: 1, source: 'no-such-source' }] }, 'not_found', 'layout.tiles[0].source'],
    [{ columns: 2, rows: 2, tiles: [{ x: 0, y: 0, w: '1', h: 1, source: null }] }, 'bad_request', 'layout.tiles[0].w'],
    [{ columns: 2, rows: 2, tiles: [{ x: 0, y: 0, w: 1, h: 1, source: null }, { x: 1, y: 0, w: 1, h: 1, source: 7 }] },
      'bad_request', 'layout.tiles[1].source'],
    [{ columns: 2, rows: 2, tiles: [{ id: 'bad id!', x: 0, y: 0, w: 1, h: 1, source: null }] }, 'bad_request', 'layout.tiles[0].id'],
    [{ columns: 2, tiles: [] }, 'bad_request', 'layout.rows'],
    [{ columns: 2, rows: 2, tiles: 'none' }, 'bad_request', 'layout.tiles'],
  ];
  await eachCase(cases, async (layout, code, field) => {
    const reply = await apply(layout);
    await expectUnchanged(a, b, wall);
    expectError(reply, code, field);
  });
  // Duplicate ids: refused (the spec says ids are unique; the code is not pinned down).
  const dup = await apply({ columns: 2, rows: 1, tiles: [
    { id: 'x', x: 0, y: 0, w: 1, h: 1, source: null }, { id: 'x', x: 1, y: 0, w: 1, h: 1, source: null }] });
  assert.ok(dup.error && ['bad_request', 'invalid_layout'].includes(dup.error.code), JSON.stringify(dup));
  assert.equal(dup.error.field, 'layout.tiles[1].id');
  await expectUnchanged(a, b, wall);
});

test('layout.apply: grid of 1-48 cells each way and at most 256 tiles', async (t) => {
  const { a, b, wall } = await setup(t);
  const apply = (layout) => a.request('layout.apply', { wall: 'main', version: wall.version, layout });
  // A range error is bad_request by the error table; invalid_layout is tolerated.
  await eachCase([[{ columns: 49, rows: 2, tiles: [] }, 'layout.columns'], [{ columns: 2, rows: 0, tiles: [] }, 'layout.rows']], async (layout, field) => {
    const reply = await apply(layout);
    await expectUnchanged(a, b, wall);
    assert.ok(reply.error && ['bad_request', 'invalid_layout'].includes(reply.error.code), JSON.stringify(reply));
    assert.equal(reply.error.field, field);
  });
  const cells = (n) => Array.from({ length: n }, (_, i) => ({ x: i % 48, y: Math.floor(i / 48), w: 1, h: 1, source: null }));
  const tooMany = await apply({ columns: 48, rows: 48, tiles: cells(257) });
  expectError(tooMany, 'invalid_layout');
  await expectUnchanged(a, b, wall);
  const max = await apply({ columns: 48, rows: 48, tiles: cells(256) });
  const after = await expectWallChange(max, a, b, wall);
  assert.equal(after.layout.tiles.length, 256);
  assert.equal(new Set(after.layout.tiles.map((x) => x.id)).size, 256);
});

test('tile.set_source shows a source on a tile, and null clears it', async (t) => {
  const { a, b, wall } = await setup(t);
  const r1 = await a.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't2', source: 'clock-b' });
  const w1 = await expectWallChange(r1, a, b, wall);
  sameLayout(w1.layout, { columns: 2, rows: 2, tiles: [T1, { ...T2, source: 'clock-b' }, T3] });
  const r2 = await a.request('tile.set_source', { wall: 'main', version: w1.version, tile: 't1', source: null });
  const w2 = await expectWallChange(r2, a, b, w1);
  sameLayout(w2.layout, { columns: 2, rows: 2, tiles: [{ ...T1, source: null }, { ...T2, source: 'clock-b' }, T3] });
  expectError(await a.request('tile.set_source', { wall: 'main', version: w2.version, tile: 't9', source: null }), 'not_found', 'tile');
  await expectUnchanged(a, b, w2);
});

test('tile.split of a 1x1 tile into 2x2 refines the grid', async (t) => {
  const { a, b, wall } = await setup(t);
  const reply = await a.request('tile.split', { wall: 'main', version: wall.version, tile: 't1', columns: 2, rows: 2 });
  const after = await expectWallChange(reply, a, b, wall);
  const { layout } = after;
  assert.equal(layout.columns, 4, 'the grid doubled in width');
  assert.equal(layout.rows, 4, 'the grid doubled in height');
  assert.equal(layout.tiles.length, 6);
  // The first part keeps the id and source; the others are new and empty.
  assert.deepEqual(tileIn(layout, 't1'), { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' });
  const parts = layout.tiles.filter((x) => !['t1', 't2', 't3'].includes(x.id));
  assert.deepEqual(parts.map((p) => [p.x, p.y, p.w, p.h, p.source]).sort(),
    [[0, 1, 1, 1, null], [1, 0, 1, 1, null], [1, 1, 1, 1, null]]);
  // Every other tile is scaled with the grid.
  assert.deepEqual(tileIn(layout, 't2'), { id: 't2', x: 2, y: 0, w: 2, h: 2, source: null });
  assert.deepEqual(tileIn(layout, 't3'), { id: 't3', x: 0, y: 2, w: 4, h: 2, source: null });
  // Non-overlapping (assertLayoutValid) and still covering the whole grid.
  assert.equal(new Set(layout.tiles.flatMap(cellsOf)).size, 16);
});

test('tile.split of an evenly divisible tile keeps the grid', async (t) => {
  const { a, b, wall } = await setup(t);
  const reply = await a.request('tile.split', { wall: 'main', version: wall.version, tile: 't3', columns: 2, rows: 1 });
  const after = await expectWallChange(reply, a, b, wall);
  assert.equal(after.layout.columns, 2);
  assert.equal(after.layout.rows, 2);
  const rest = after.layout.tiles.filter((x) => !['t1', 't2', 't3'].includes(x.id));
  assert.equal(rest.length, 1);
  assert.deepEqual(byId(after.layout.tiles), byId([T1, T2, { ...T3, w: 1 }, { ...rest[0], x: 1, y: 1, w: 1, h: 1, source: null }]));
});

test('tile.split refuses a grid over 48 cells and an unknown tile', async (t) => {
  const start = { columns: 30, rows: 1, tiles: [{ id: 'n', x: 0, y: 0, w: 1, h: 1, source: null }] };
  const { a, b, wall } = await setup(t, configWithLayout(start));
  expectError(await a.request('tile.split', { wall: 'main', version: wall.version, tile: 'n', columns: 2, rows: 1 }), 'invalid_layout');
  await expectUnchanged(a, b, wall);
  expectError(await a.request('tile.split', { wall: 'main', version: wall.version, tile: 'zz', columns: 2, rows: 1 }), 'not_found', 'tile');
  await expectUnchanged(a, b, wall);
  expectError(await a.request('tile.split', { wall: 'main', version: wall.version, tile: 'n', columns: 'two', rows: 1 }), 'bad_request', 'columns');
  await expectUnchanged(a, b, wall);
});

test('tile.merge merges tiles into their bounding rectangle', async (t) => {
  const { a, b, wall } = await setup(t);
  const reply = await a.request('tile.merge', { wall: 'main', version: wall.version, tiles: ['t2', 't1'] });
  const after = await expectWallChange(reply, a, b, wall);
  // The merged tile keeps the first listed tile's id and source.
  sameLayout(after.layout, { columns: 2, rows: 2, tiles: [{ id: 't2', x: 0, y: 0, w: 2, h: 1, source: null }, T3] });
});

test('tile.merge covers blank cells inside the rectangle', async (t) => {
  const start = { columns: 3, rows: 1, tiles: [
    { id: 'l', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }, { id: 'r', x: 2, y: 0, w: 1, h: 1, source: 'clock-b' }] };
  const { a, b, wall } = await setup(t, configWithLayout(start));
  const after = await expectWallChange(await a.request('tile.merge', { wall: 'main', version: wall.version, tiles: ['l', 'r'] }), a, b, wall);
  sameLayout(after.layout, { columns: 3, rows: 1, tiles: [{ id: 'l', x: 0, y: 0, w: 3, h: 1, source: 'clock-a' }] });
});

test('tile.merge refuses a rectangle that contains part of another tile', async (t) => {
  // a (0,0) | b (1,0 2x1)
  // c (0,1) | d (1,1) | e (2,1)      merging a and d would cut b in half.
  const start = { columns: 3, rows: 2, tiles: [
    { id: 'a', x: 0, y: 0, w: 1, h: 1, source: null }, { id: 'b', x: 1, y: 0, w: 2, h: 1, source: 'clock-a' },
    { id: 'c', x: 0, y: 1, w: 1, h: 1, source: null }, { id: 'd', x: 1, y: 1, w: 1, h: 1, source: null },
    { id: 'e', x: 2, y: 1, w: 1, h: 1, source: null }] };
  const { a, b, wall } = await setup(t, configWithLayout(start));
  const reply = await a.request('tile.merge', { wall: 'main', version: wall.version, tiles: ['a', 'd'] });
  expectError(reply, 'invalid_layout');
  assert.ok(reply.error.field, 'the error names the offending field');
  await expectUnchanged(a, b, wall);
  // Also a tile wholly inside the rectangle: a + e contains c and d.
  expectError(await a.request('tile.merge', { wall: 'main', version: wall.version, tiles: ['c', 'e'] }), 'invalid_layout');
  await expectUnchanged(a, b, wall);
  expectError(await a.request('tile.merge', { wall: 'main', version: wall.version, tiles: ['a', 'zz'] }), 'not_found', 'tiles[1]');
  await expectUnchanged(a, b, wall);
});

test('tile.resize moves and resizes a tile inside free cells', async (t) => {
  const start = { columns: 3, rows: 2, tiles: [
    { id: 'p', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }, { id: 'q', x: 2, y: 1, w: 1, h: 1, source: null }] };
  const { a, b, wall } = await setup(t, configWithLayout(start));
  const w1 = await expectWallChange(await a.request('tile.resize', { wall: 'main', version: wall.version, tile: 'p', x: 0, y: 0, w: 2, h: 1 }), a, b, wall);
  sameLayout(w1.layout, { ...start, tiles: [{ ...start.tiles[0], w: 2 }, start.tiles[1]] });
  const w2 = await expectWallChange(await a.request('tile.resize', { wall: 'main', version: w1.version, tile: 'q', x: 0, y: 1, w: 1, h: 1 }), a, b, w1);
  sameLayout(w2.layout, { ...start, tiles: [{ ...start.tiles[0], w: 2 }, { ...start.tiles[1], x: 0 }] });
});

test('tile.resize refuses out of bounds and overlapping rectangles', async (t) => {
  const { a, b, wall } = await setup(t);
  const resize = (tile, x, y, w, h) => a.request('tile.resize', { wall: 'main', version: wall.version, tile, x, y, w, h });
  // Out of the 2x2 grid (right, bottom, left), then onto t2, t3, t1.
  await eachCase([['t2', 1, 0, 2, 1], ['t2', 1, 1, 1, 2], ['t2', -1, 0, 1, 1], ['t1', 0, 0, 2, 1], ['t1', 0, 0, 1, 2], ['t2', 0, 0, 1, 1]], async (...args) => {
    const reply = await resize(...args);
    await expectUnchanged(a, b, wall);
    expectError(reply, 'invalid_layout');
    assert.ok(reply.error.field, `the error names a field: ${JSON.stringify(reply)}`);
  });
  const zero = await resize('t2', 1, 0, 0, 1);
  assert.ok(zero.error && ['bad_request', 'invalid_layout'].includes(zero.error.code), JSON.stringify(zero));
  assert.equal(zero.error.field, 'w');
  await expectUnchanged(a, b, wall);
  expectError(await resize('zz', 0, 0, 1, 1), 'not_found', 'tile');
  expectError(await resize('t2', 1, 0, 1.5, 1), 'bad_request', 'w');
  await expectUnchanged(a, b, wall);
});

test('tile.swap swaps what two tiles show, not where they are', async (t) => {
  const { a, b, wall } = await setup(t);
  const after = await expectWallChange(await a.request('tile.swap', { wall: 'main', version: wall.version, a: 't1', b: 't3' }), a, b, wall);
  sameLayout(after.layout, { columns: 2, rows: 2, tiles: [{ ...T1, source: null }, T2, { ...T3, source: 'clock-a' }] });
  expectError(await a.request('tile.swap', { wall: 'main', version: after.version, a: 't1', b: 'zz' }), 'not_found', 'b');
  await expectUnchanged(a, b, after);
});

test('wall.clear empties every tile and keeps the tiles', async (t) => {
  const start = { columns: 2, rows: 1, tiles: [
    { id: 'l', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }, { id: 'r', x: 1, y: 0, w: 1, h: 1, source: 'clock-b' }] };
  const { a, b, wall } = await setup(t, configWithLayout(start));
  const after = await expectWallChange(await a.request('wall.clear', { wall: 'main', version: wall.version }), a, b, wall);
  sameLayout(after.layout, { ...start, tiles: start.tiles.map((x) => ({ ...x, source: null })) });
});

test('preset.save stores the current layout and pushes presets', async (t) => {
  const { a, b, wall } = await setup(t);
  const reply = await a.request('preset.save', { wall: 'main', name: 'Morning briefing' });
  const { preset } = reply.ok;
  assert.equal(preset.name, 'Morning briefing');
  assert.equal(typeof preset.id, 'string');
  assert.deepEqual(preset.layout, wall.layout);
  const ev = await presetsEvent(b, (list) => list.length === 1);
  assert.deepEqual(ev.presets, [preset]);
  await presetsEvent(a, (list) => list.length === 1);
  // Saving a preset does not change the wall.
  assert.deepEqual(await currentWall(a), wall);
  assert.equal(wallEvents(b).length, 0);
});

test('preset.save: a name in use is refused with exists unless overwrite', async (t) => {
  const { a, b, wall } = await setup(t);
  const first = (await a.request('preset.save', { wall: 'main', name: 'Night' })).ok.preset;
  const second = (await a.request('preset.save', { wall: 'main', name: 'Day' })).ok.preset;
  assert.notEqual(first.id, second.id);
  await presetsEvent(b, (list) => list.length === 2);
  const presetsSeen = b.messages.filter(isPresetEvent).length;
  expectError(await a.request('preset.save', { wall: 'main', name: 'Night' }), 'exists', 'name');
  await b.request('ping');
  assert.equal(b.messages.filter(isPresetEvent).length, presetsSeen, 'a refused save pushes nothing');
  // Change the wall, then overwrite: same id, new layout, same place in the list.
  const w1 = await expectWallChange(await a.request('wall.clear', { wall: 'main', version: wall.version }), a, b, wall);
  const over = await a.request('preset.save', { wall: 'main', name: 'Night', overwrite: true });
  assert.deepEqual(over.ok.preset, { id: first.id, name: 'Night', layout: w1.layout });
  const ev = await presetsEvent(b, (list) => list.length === 2 && list[0].layout.tiles.every((x) => x.source === null));
  assert.deepEqual(ev.presets, [over.ok.preset, second]);
});

test('presets are listed in creation order', async (t) => {
  const { a, b } = await setup(t);
  const names = ['one', 'two', 'three', 'four'];
  const saved = [];
  for (const name of names) saved.push((await a.request('preset.save', { wall: 'main', name })).ok.preset);
  const ev = await presetsEvent(b, (list) => list.length === 4);
  assert.deepEqual(ev.presets.map((p) => p.name), names);
  assert.equal(new Set(saved.map((p) => p.id)).size, 4, 'distinct ids');
});

test('preset.recall applies a preset to the wall', async (t) => {
  const { a, b, wall } = await setup(t);
  const { preset } = (await a.request('preset.save', { wall: 'main', name: 'Saved' })).ok;
  const w1 = await expectWallChange(await a.request('tile.split', { wall: 'main', version: wall.version, tile: 't1', columns: 2, rows: 2 }), a, b, wall);
  assert.notDeepEqual(w1.layout, preset.layout);
  const w2 = await expectWallChange(await a.request('preset.recall', { wall: 'main', version: w1.version, preset: preset.id }), a, b, w1);
  assert.deepEqual(w2.layout, preset.layout);
  expectError(await a.request('preset.recall', { wall: 'main', version: w2.version, preset: 'no-such-preset' }), 'not_found', 'preset');
  await expectUnchanged(a, b, w2);
});

test('preset.rename renames and pushes presets', async (t) => {
  const { a, b } = await setup(t);
  const { preset } = (await a.request('preset.save', { wall: 'main', name: 'Old name' })).ok;
  const reply = await a.request('preset.rename', { preset: preset.id, name: 'Briefing' });
  assert.deepEqual(reply.ok.preset, { ...preset, name: 'Briefing' });
  const ev = await presetsEvent(b, (list) => list.length === 1 && list[0].name === 'Briefing');
  assert.deepEqual(ev.presets, [reply.ok.preset]);
  expectError(await a.request('preset.rename', { preset: 'no-such-preset', name: 'X' }), 'not_found', 'preset');
  expectError(await a.request('preset.rename', { preset: preset.id, name: 5 }), 'bad_request', 'name');
});

test('preset.delete removes the preset and pushes presets', async (t) => {
  const { a, b, wall } = await setup(t);
  const keep = (await a.request('preset.save', { wall: 'main', name: 'Keep' })).ok.preset;
  const gone = (await a.request('preset.save', { wall: 'main', name: 'Gone' })).ok.preset;
  await presetsEvent(b, (list) => list.length === 2);
  const reply = await a.request('preset.delete', { preset: gone.id });
  assert.deepEqual(reply.ok, { preset: gone.id });
  const ev = await presetsEvent(b, (list) => list.length === 1);
  assert.deepEqual(ev.presets, [keep]);
  expectError(await a.request('preset.delete', { preset: gone.id }), 'not_found', 'preset');
  expectError(await a.request('preset.recall', { wall: 'main', version: wall.version, preset: gone.id }), 'not_found', 'preset');
  await expectUnchanged(a, b, wall);
  // The name is free again.
  assert.ok((await a.request('preset.save', { wall: 'main', name: 'Gone' })).ok);
});

test('a chain of changes keeps every version step and a valid layout', async (t) => {
  const { a, b, wall } = await setup(t);
  let w = wall;
  const steps = [
    ['tile.split', { tile: 't3', columns: 2, rows: 1 }],
    ['tile.set_source', { tile: 't3', source: 'clock-b' }],
    ['tile.swap', { a: 't1', b: 't3' }],
    ['tile.merge', { tiles: ['t1', 't2'] }],
    ['tile.split', { tile: 't1', columns: 3, rows: 1 }],
    ['wall.clear', {}],
  ];
  for (const [op, fields] of steps) {
    w = await expectWallChange(await a.request(op, { wall: 'main', version: w.version, ...fields }), a, b, w);
    assertLayoutValid(w.layout);
  }
  assert.equal(w.version, wall.version + steps.length);
  assert.deepEqual(wallEvents(b).map((e) => e.wall.version), steps.map((_, i) => wall.version + i + 1));
});
