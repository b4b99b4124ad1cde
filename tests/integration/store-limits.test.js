// Limits on what the state directory may grow to (docs/configuration.md,
// server.max_presets and server.max_layout_tiles; the error code `limit`
// in docs/protocol.md). A state already past a limit still loads; only
// what would grow it further is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  serverFor, stopServer, connect, twoClients, wallIn, expectError, expectUnchanged, testConfig, configWithLayout,
  runPantau, pluginDirArgs,
} from '../lib/harness.js';

const withLimits = (limits, config = testConfig()) => ({ ...config, server: { ...config.server, ...limits } });

// A columns x 1 layout of 1x1 tiles.
const row = (columns) => ({
  columns, rows: 1, tiles: Array.from({ length: columns }, (_, i) => ({ id: `c${i}`, x: i, y: 0, w: 1, h: 1, source: null })),
});

test('a preset past server.max_presets is refused with limit; overwrite, rename and delete still work', async (t) => {
  const server = await serverFor(t, { config: withLimits({ max_presets: 3 }) });
  const { client } = await connect(t, server);
  const ids = [];
  for (const name of ['A', 'B', 'C']) ids.push((await client.request('preset.save', { wall: 'main', name })).ok.preset.id);
  const refused = await client.request('preset.save', { wall: 'main', name: 'D' });
  expectError(refused, 'limit');
  assert.match(refused.error.message, /3/, 'the message names the limit');
  assert.deepEqual((await client.request('snapshot')).ok.presets.map((p) => p.name), ['A', 'B', 'C'], 'nothing was saved');
  assert.ok((await client.request('preset.save', { wall: 'main', name: 'B', overwrite: true })).ok, 'overwriting does not grow');
  assert.ok((await client.request('preset.rename', { preset: ids[0], name: 'A2' })).ok);
  assert.ok((await client.request('preset.delete', { preset: ids[2] })).ok);
  assert.ok((await client.request('preset.save', { wall: 'main', name: 'D' })).ok, 'a deleted preset frees its place');
});

test('a layout past server.max_layout_tiles is refused with limit, and the wall stays as it was', async (t) => {
  const server = await serverFor(t, { config: withLimits({ max_layout_tiles: 4 }) });
  const { a, b, wall } = await twoClients(t, server);
  const apply = await a.request('layout.apply', { wall: 'main', version: wall.version, layout: row(5) });
  expectError(apply, 'limit', 'layout.tiles');
  assert.match(apply.error.message, /4/, 'the message names the limit');
  // t3 split in three: 3 - 1 + 3 = 5 tiles.
  expectError(await a.request('tile.split', { wall: 'main', version: wall.version, tile: 't3', columns: 3, rows: 1 }), 'limit', 'tiles');
  await expectUnchanged(a, b, wall);
  const ok = await a.request('tile.split', { wall: 'main', version: wall.version, tile: 't3', columns: 2, rows: 1 });
  assert.ok(ok.ok, `4 tiles are allowed: ${JSON.stringify(ok)}`);
});

test('a state over a lowered limit still loads whole, and only what would grow it is refused', async (t) => {
  const first = await serverFor(t, { config: configWithLayout(row(6)) });
  const { client } = await connect(t, first);
  for (const name of ['A', 'B', 'C', 'D']) assert.ok((await client.request('preset.save', { wall: 'main', name })).ok);
  await stopServer(first);

  const config = withLimits({ max_presets: 2, max_layout_tiles: 4 }, configWithLayout(row(6)));
  const second = await serverFor(t, { config, stateDir: first.stateDir });
  const { client: c, snapshot } = await connect(t, second);
  assert.deepEqual(snapshot.presets.map((p) => p.name), ['A', 'B', 'C', 'D'], 'every preset is kept');
  let w = wallIn(snapshot);
  assert.equal(w.layout.tiles.length, 6, 'the wall keeps its 6 tiles');
  expectError(await c.request('preset.save', { wall: 'main', name: 'E' }), 'limit');
  expectError(await c.request('preset.save', { wall: 'main', name: 'A', overwrite: true }), 'limit', 'wall');
  expectError(await c.request('tile.split', { wall: 'main', version: w.version, tile: 'c0', columns: 2, rows: 1 }), 'limit', 'tiles');
  // Changes that do not grow it go on.
  const swap = await c.request('tile.swap', { wall: 'main', version: w.version, a: 'c0', b: 'c1' });
  assert.ok(swap.ok, JSON.stringify(swap));
  assert.ok((await c.request('preset.delete', { preset: snapshot.presets[0].id })).ok);
  const merged = await c.request('tile.merge', { wall: 'main', version: swap.ok.version, tiles: ['c0', 'c1'] });
  assert.ok(merged.ok, JSON.stringify(merged));
});

test('max_presets and max_layout_tiles are checked in the config', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-limits-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pantau.json');
  writeFileSync(path, JSON.stringify(withLimits({ max_presets: 0, max_layout_tiles: 257 }), null, 2));
  const { code, output } = await runPantau(['--check-config', path, ...pluginDirArgs()]);
  assert.equal(code, 2, output);
  assert.match(output, /server\.max_presets: must be 1 to \d+/);
  assert.match(output, /server\.max_layout_tiles: must be 1 to 256/);
});
