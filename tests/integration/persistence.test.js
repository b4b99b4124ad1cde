// The state directory: walls/<id>.json and presets/<id>.json, written before
// the reply. A clean restart and a kill -9 in the middle of a burst both come
// back with the last acknowledged state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  serverFor, stopServer, connect, twoClients, wallIn, tileIn, expectWallChange, configWithLayout, testConfig,
  requestUnlessClosed, sleep,
} from '../lib/harness.js';

// Restarts on the same state dir (and config) and returns the new snapshot.
async function restart(t, old, config = testConfig()) {
  const server = await serverFor(t, { config, stateDir: old.stateDir });
  const { snapshot } = await connect(t, server);
  return { server, snapshot };
}

// The wall file and every preset file, parsed (a broken one throws).
function readStateFiles(stateDir) {
  const wallFile = join(stateDir, 'walls', 'main.json');
  const presetsDir = join(stateDir, 'presets');
  assert.ok(existsSync(wallFile), 'walls/main.json exists');
  return {
    wall: JSON.parse(readFileSync(wallFile, 'utf8')),
    presets: existsSync(presetsDir)
      ? readdirSync(presetsDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(presetsDir, f), 'utf8')))
      : null,
  };
}

test('a clean restart restores the layout, version and presets', async (t) => {
  const first = await serverFor(t);
  const { a, b, wall } = await twoClients(t, first);
  let w = await expectWallChange(await a.request('tile.split', { wall: 'main', version: wall.version, tile: 't1', columns: 2, rows: 2 }), a, b, wall);
  const kept = (await a.request('preset.save', { wall: 'main', name: 'Split' })).ok.preset;
  const gone = (await a.request('preset.save', { wall: 'main', name: 'Gone' })).ok.preset;
  w = await expectWallChange(await a.request('tile.set_source', { wall: 'main', version: w.version, tile: 't2', source: 'clock-b' }), a, b, w);
  const renamed = (await a.request('preset.rename', { preset: kept.id, name: 'Split view' })).ok.preset;
  assert.ok((await a.request('preset.delete', { preset: gone.id })).ok);
  const third = (await a.request('preset.save', { wall: 'main', name: 'Third' })).ok.preset;
  const before = await a.request('snapshot');

  const { code } = await stopServer(first);
  assert.equal(code, 0, 'SIGTERM stops the server with status 0');
  const files = readStateFiles(first.stateDir);
  assert.equal(files.presets.length, 2, 'presets/ holds a file per preset');

  const { server: second, snapshot } = await restart(t, first);
  assert.deepEqual(wallIn(snapshot), wallIn(before.ok), 'the wall is as it was, version included');
  assert.deepEqual(snapshot.presets, [renamed, third], 'the presets are as they were, in order');
  // The version goes on from where it was, and preset ids are not reused.
  const c = await twoClients(t, second);
  await expectWallChange(await c.a.request('wall.clear', { wall: 'main', version: w.version }), c.a, c.b, w);
  const fourth = (await c.a.request('preset.save', { wall: 'main', name: 'Fourth' })).ok.preset;
  assert.ok(![kept.id, gone.id, third.id].includes(fourth.id), `preset id ${fourth.id} is new`);
});

test('a layout restored from the state directory wins over the config', async (t) => {
  const first = await serverFor(t);
  const { a, b, wall } = await twoClients(t, first);
  const w = await expectWallChange(await a.request('wall.clear', { wall: 'main', version: wall.version }), a, b, wall);
  await stopServer(first);
  const other = configWithLayout({ columns: 1, rows: 1, tiles: [{ id: 'only', x: 0, y: 0, w: 1, h: 1, source: 'clock-b' }] });
  const { snapshot } = await restart(t, first, other);
  assert.deepEqual(wallIn(snapshot).layout, w.layout);
  assert.equal(wallIn(snapshot).version, w.version);
});

test('a broken wall state file is ignored: the config layout is used', async (t) => {
  const first = await serverFor(t);
  const { a, b, wall } = await twoClients(t, first);
  await expectWallChange(await a.request('wall.clear', { wall: 'main', version: wall.version }), a, b, wall);
  await stopServer(first);
  writeFileSync(join(first.stateDir, 'walls', 'main.json'), '{"layout": {"columns": 2, "rows"');
  const { server, snapshot } = await restart(t, first);
  assert.deepEqual(wallIn(snapshot).layout, wall.layout, 'the config layout');
  assert.match(server.output(), /main\.json/, 'the broken file is logged');
});

test('kill -9 during a burst of preset saves and wall changes loses nothing acknowledged', { timeout: 30000 }, async (t) => {
  const first = await serverFor(t);
  const savers = [];
  for (let i = 0; i < 4; i++) savers.push((await connect(t, first)).client);
  const { client: changer, snapshot } = await connect(t, first);
  const initial = wallIn(snapshot);

  // Wall changes one after another, each on the version the last reply gave.
  const sources = ['clock-b', null, 'clock-a'];
  let acked = { version: initial.version, source: tileIn(initial.layout, 't2').source };
  let inflight = null;
  let killed = false;
  const changing = (async () => {
    for (let i = 0; !killed; i++) {
      inflight = { version: acked.version + 1, source: sources[i % 3] };
      const reply = await requestUnlessClosed(changer, 'tile.set_source',
        { wall: 'main', version: acked.version, tile: 't2', source: inflight.source });
      if (killed || !reply) break;
      assert.deepEqual(reply.ok, { wall: 'main', version: inflight.version }, JSON.stringify(reply));
      acked = inflight;
      await sleep(10); // stay under the rate limit
    }
  })().catch((err) => err); // resolves with the failure, checked below

  // 200 saves with distinct names, 50 on each of 4 clients (within each
  // client's rate limit), each client keeping WINDOW requests in flight, so
  // the server is busy saving when it is killed on the 50th reply.
  const WINDOW = 4;
  const sent = new Set();
  const savedAck = new Map(); // name -> preset id
  const refused = [];
  const killAfter = 50;
  const burstStart = Date.now();
  for (const [c, client] of savers.entries()) {
    let next = 0;
    const sendNext = () => {
      if (killed || next >= 50) return;
      const name = `burst ${c}-${next}`;
      sent.add(name);
      client.sendRaw(JSON.stringify({ op: 'preset.save', id: 100000 + next, wall: 'main', name }));
      next++;
    };
    client.ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (killed || !('re' in m)) return;
      if (!(m.ok && m.ok.preset)) { refused.push(m); return; }
      savedAck.set(m.ok.preset.name, m.ok.preset.id);
      if (savedAck.size >= killAfter) { killed = true; first.proc.kill('SIGKILL'); return; }
      sendNext();
    });
    for (let i = 0; i < WINDOW; i++) sendNext();
  }
  while (!killed && refused.length === 0) await sleep(20);
  assert.deepEqual(refused, [], 'no save is refused');
  const exit = await first.exited;
  assert.equal(exit.signal, 'SIGKILL', 'the server was killed by the test');
  const changeFailure = await changing;
  if (changeFailure) throw changeFailure;
  assert.ok(savedAck.size >= killAfter);
  t.diagnostic(`acknowledged before the kill: ${savedAck.size} saves, wall version ${acked.version}; ${Date.now() - burstStart} ms`);

  // The files parse.
  const files = readStateFiles(first.stateDir);
  assert.ok(files.presets.length > 0, 'the preset files exist and parse');

  const { snapshot: after } = await restart(t, first);
  t.diagnostic(`presets after the restart: ${after.presets.length}`);
  const byName = new Map(after.presets.map((p) => [p.name, p]));
  assert.equal(byName.size, after.presets.length, 'preset names are unique');
  assert.equal(new Set(after.presets.map((p) => p.id)).size, after.presets.length, 'preset ids are unique');
  for (const [name, id] of savedAck) {
    assert.ok(byName.has(name), `acknowledged preset '${name}' survived`);
    assert.equal(byName.get(name).id, id, `preset '${name}' kept its id`);
  }
  for (const p of after.presets) assert.ok(sent.has(p.name), `preset '${p.name}' was sent`);
  assert.ok(after.presets.length <= savedAck.size + savers.length * WINDOW, 'at most the requests in flight were saved unacknowledged');
  assert.ok(sent.size < 200, 'the kill came in the middle of the burst');
  // The wall: the last acknowledged change, or the one in flight (written
  // before its reply could be sent), never anything else.
  const w = wallIn(after);
  const t2 = tileIn(w.layout, 't2').source;
  if (w.version === acked.version) assert.equal(t2, acked.source, 'the last acknowledged layout');
  else {
    assert.equal(w.version, acked.version + 1, `version ${w.version}, last acknowledged ${acked.version}`);
    assert.equal(t2, inflight.source, 'the layout of the change in flight');
  }
  assert.deepEqual(w.layout.tiles.filter((x) => x.id !== 't2'), initial.layout.tiles.filter((x) => x.id !== 't2'));
});
