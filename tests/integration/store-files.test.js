// The files of the state directory (docs/protocol.md, "Persistence"): one
// file per preset, an old presets.json moved over once, temporary files of
// a crash removed at start, failed writes logged, and a file that cannot be
// read kept aside instead of being overwritten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  serverFor, stopServer, connect, twoClients, wallIn, expectError, testConfig,
} from '../lib/harness.js';

const presetFile = (stateDir, id) => join(stateDir, 'presets', `${id}.json`);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const filesIn = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const stamp = (path) => { const s = statSync(path, { bigint: true }); return `${s.ino}/${s.mtimeNs}`; };

// A server on a state directory prepared by prepare(stateDir) before it starts.
async function serverOnState(t, prepare) {
  const first = await serverFor(t);
  // Once a client is served, the loop runs and SIGTERM stops it cleanly.
  await connect(t, first);
  await stopServer(first);
  prepare(first.stateDir);
  const server = await serverFor(t, { stateDir: first.stateDir });
  const { client, snapshot } = await connect(t, server);
  return { server, client, snapshot, stateDir: first.stateDir };
}

test('each preset is its own file, and saving one writes only that file', async (t) => {
  const server = await serverFor(t);
  const { client } = await connect(t, server);
  const saved = [];
  for (const name of ['A', 'B', 'C']) saved.push((await client.request('preset.save', { wall: 'main', name })).ok.preset);
  const dir = server.stateDir;
  for (const p of saved) assert.deepEqual(readJson(presetFile(dir, p.id)), p, `presets/${p.id}.json holds the preset`);
  assert.ok(!existsSync(join(dir, 'presets.json')), 'no presets.json');
  const before = saved.map((p) => stamp(presetFile(dir, p.id)));

  const d = (await client.request('preset.save', { wall: 'main', name: 'D' })).ok.preset;
  assert.ok(existsSync(presetFile(dir, d.id)));
  assert.deepEqual(saved.map((p) => stamp(presetFile(dir, p.id))), before, 'a new preset leaves the others untouched');
  assert.ok((await client.request('preset.rename', { preset: saved[1].id, name: 'B2' })).ok);
  assert.equal(readJson(presetFile(dir, saved[1].id)).name, 'B2');
  assert.equal(stamp(presetFile(dir, saved[0].id)), before[0], 'a rename writes only its preset');
  assert.ok((await client.request('preset.delete', { preset: saved[2].id })).ok);
  assert.ok(!existsSync(presetFile(dir, saved[2].id)), 'a deleted preset has no file');
  assert.equal(stamp(presetFile(dir, saved[0].id)), before[0], 'a delete writes only its preset');
});

test('the presets.json of an older version is moved to presets/ once at start, and kept under another name', async (t) => {
  const layout = { columns: 1, rows: 1, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }] };
  const old = { next_id: 7, presets: [{ id: 'p3', name: 'Morning', layout }, { id: 'p5', name: 'Night', layout }] };
  const text = JSON.stringify(old, null, 1);
  const { server, client, snapshot, stateDir } = await serverOnState(t, (dir) => writeFileSync(join(dir, 'presets.json'), text));
  assert.deepEqual(snapshot.presets.map((p) => [p.id, p.name]), [['p3', 'Morning'], ['p5', 'Night']]);
  assert.deepEqual(filesIn(join(stateDir, 'presets')), ['p3.json', 'p5.json']);
  assert.ok(!existsSync(join(stateDir, 'presets.json')), 'presets.json is gone');
  const kept = filesIn(stateDir).filter((f) => f.startsWith('presets.json.'));
  assert.equal(kept.length, 1, `the old file is kept: ${kept}`);
  assert.equal(readFileSync(join(stateDir, kept[0]), 'utf8'), text, 'unchanged');
  assert.match(server.output(), /presets\.json/, 'the move is logged');
  assert.equal((await client.request('preset.save', { wall: 'main', name: 'New' })).ok.preset.id, 'p7', 'next_id is kept');

  await stopServer(server);
  const again = await serverFor(t, { stateDir });
  const { snapshot: after } = await connect(t, again);
  assert.deepEqual(after.presets.map((p) => p.id), ['p3', 'p5', 'p7'], 'moved once, not twice');
});

test('temporary files a crash left are removed at start, and nothing else', async (t) => {
  const stray = ['walls/main.json.tmp.4242', 'walls/other.json.tmp.1', 'presets/p1.json.tmp.77', 'alarms/takeover-main.json.tmp.9'];
  const others = ['walls/main.json.tmp.x1', 'walls/notes.txt', 'presets/readme.tmp'];
  const { server, stateDir } = await serverOnState(t, (dir) => {
    for (const f of [...stray, ...others]) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '{"half": ');
    }
  });
  for (const f of stray) assert.ok(!existsSync(join(stateDir, f)), `${f} is removed`);
  for (const f of others) assert.ok(existsSync(join(stateDir, f)), `${f} is not ours and stays`);
  assert.match(server.output(), /main\.json\.tmp\.4242/, 'the removal is logged');
});

test('a failed state write is logged with the file and the reason', async (t) => {
  const server = await serverFor(t);
  const { a, b, wall } = await twoClients(t, server);
  // A directory where the file goes makes the rename fail (even as root).
  mkdirSync(join(server.stateDir, 'walls', 'main.json'), { recursive: true });
  expectError(await a.request('wall.clear', { wall: 'main', version: wall.version }), 'internal');
  mkdirSync(join(server.stateDir, 'presets', 'p1.json'), { recursive: true });
  expectError(await a.request('preset.save', { wall: 'main', name: 'A' }), 'internal');
  await b.request('ping');
  const out = server.output();
  assert.match(out, /walls\/main\.json.*(Is a directory|directory)/i, `the wall write is logged:\n${out}`);
  assert.match(out, /presets\/p1\.json.*(Is a directory|directory)/i, `the preset write is logged:\n${out}`);
});

test('a corrupt presets file is kept aside, never overwritten', async (t) => {
  const text = '{"next_id": 4, "presets": [{"id": "p1", "name": "A", "layout": ';
  const { server, client, snapshot, stateDir } = await serverOnState(t, (dir) => writeFileSync(join(dir, 'presets.json'), text));
  assert.deepEqual(snapshot.presets, []);
  assert.ok((await client.request('preset.save', { wall: 'main', name: 'B' })).ok);
  const aside = filesIn(stateDir).filter((f) => /^presets\.json\.corrupt-/.test(f));
  assert.equal(aside.length, 1, `kept aside: ${filesIn(stateDir)}`);
  assert.equal(readFileSync(join(stateDir, aside[0]), 'utf8'), text, 'as it was');
  assert.match(server.output(), new RegExp(aside[0].replace(/\./g, '\\.')), 'the new name is logged');
});

test('a corrupt preset file is kept aside and the others load', async (t) => {
  const first = await serverFor(t);
  const { client } = await connect(t, first);
  for (const name of ['A', 'B', 'C']) assert.ok((await client.request('preset.save', { wall: 'main', name })).ok);
  await stopServer(first);
  writeFileSync(presetFile(first.stateDir, 'p2'), '{"id": "p2", "na');
  const server = await serverFor(t, { stateDir: first.stateDir });
  const { snapshot } = await connect(t, server);
  assert.deepEqual(snapshot.presets.map((p) => p.name), ['A', 'C']);
  const aside = filesIn(join(first.stateDir, 'presets')).filter((f) => /^p2\.json\.corrupt-/.test(f));
  assert.equal(aside.length, 1);
  assert.match(server.output(), /p2\.json\.corrupt-/);
});

test('a corrupt or invalid wall state file is kept aside, never overwritten', async (t) => {
  for (const text of ['{"layout": {"columns": 2, "rows"', '{"layout": {"columns": 2, "rows": 1, "tiles": []}}']) {
    const { server, client, snapshot, stateDir } = await serverOnState(t, (dir) => {
      mkdirSync(join(dir, 'walls'), { recursive: true });
      writeFileSync(join(dir, 'walls', 'main.json'), text);
    });
    const wall = wallIn(snapshot);
    assert.deepEqual(wall.layout, testConfig().walls[0].layout, 'the config layout');
    assert.ok((await client.request('wall.clear', { wall: 'main', version: wall.version })).ok);
    const aside = filesIn(join(stateDir, 'walls')).filter((f) => /^main\.json\.corrupt-/.test(f));
    assert.equal(aside.length, 1, `kept aside: ${filesIn(join(stateDir, 'walls'))}`);
    assert.equal(readFileSync(join(stateDir, 'walls', aside[0]), 'utf8'), text, 'as it was');
    assert.match(server.output(), /main\.json\.corrupt-/, 'the new name is logged');
  }
});
