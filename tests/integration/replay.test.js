// Replay on a wall tile (issue 16, docs/protocol.md "Replay"): a real
// server records a real test RTSP camera (tests/tools/rtsp_server.c, a
// keyframe every 2 s); an operator replays the tile from 10 s back, every
// client of the wall gets the same frames, starting at the keyframe at or
// before the moment; stop, a layout change and the idle time bring the tile
// back to live; a viewer is refused; auth.playback_roles is checked; the
// camera stopped for 6 s leaves a gap that recording.span shows and a
// replay skips; a SIGTERM during an export stops the server cleanly (the
// export's temporary file on a disk made slow by tests/tools/slow_fsync.so),
// also when a write of that disk takes longer than any stop may.
// One server for the file, recording from `before`; the last test has one
// of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, mkdirSync, rmSync, readFileSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import {
  startServer, stopServer, Client, authConfig, login, sleep, runPantau, pluginDirArgs, diagnostics, locate, pantauBin,
} from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';

const OPERATOR = { name: 'otto', role: 'operator', password: 'operator-pass-1' };
const VIEWER = { name: 'vera', role: 'viewer', password: 'viewer-pass-1' };
const GOP_MS = 2000; // key-int-max = 2 x the frame rate
const IDLE_S = 4;
const BACK_MS = 10000;
const MOUNTS = { '/main': 'test:320x180@10:300' };
const OUTAGE_MS = 6000;

let rtsp;
let rtspH; // the H.265 camera's own server (the gap test stops rtsp)
let server;
let dir;
const clients = [];

// The binary media header (docs/protocol.md "Video: binary frames").
function frameOf(buf) {
  return { flags: buf.readUInt8(1), stream: buf.readUInt32LE(4), pts: Number(buf.readBigInt64LE(8)) };
}
const framesOf = (client, stream) => client.messages.filter((m) => m.binary)
  .map((m) => frameOf(m.binary)).filter((f) => f.stream === stream);

async function connectAs(user) {
  const { cookie } = await login(server, user.name, user.password);
  assert.ok(cookie, `${user.name} logged in`);
  const client = new Client(server.wsUrl, { headers: { cookie } });
  clients.push(client);
  await client.opened;
  await client.snapshot();
  return client;
}

// Resolves when `cond` holds (polled), or fails after timeoutMs.
async function until(cond, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

const tileOf = (wall, id) => wall.layout.tiles.find((t) => t.id === id);
// The wall event of client with version at least v.
const wallAt = (client, v) => client.waitFor((m) => m.ev === 'wall' && m.wall.id === 'main' && m.wall.version >= v, 5000)
  .then((m) => m.wall);

// The server's temporary folder (exports are written there) on a slow
// disk: every write to it waits writeMs (tests/tools/slow_fsync.so,
// preloaded after libasan in an ASan build), so an export takes seconds.
function slowExportEnv(tmp = join(dir, 'slow-tmp'), writeMs = 300) {
  const shim = join(dirname(dirname(pantauBin)), 'tests', 'tools', 'slow_fsync.so');
  assert.ok(existsSync(shim), `the shim ${shim} is built`);
  const ldd = execFileSync('ldd', [pantauBin], { encoding: 'utf8' });
  const asan = /=>\s*(\S*libasan\.so[.\d]*)/.exec(ldd)?.[1];
  mkdirSync(tmp);
  return { LD_PRELOAD: [asan, shim].filter(Boolean).join(':'), PANTAU_TEST_FSYNC_DELAY_MS: '0', TMPDIR: tmp,
    PANTAU_TEST_WRITE_MATCH: '/slow-tmp', PANTAU_TEST_WRITE_DELAY_MS: String(writeMs) };
}

// Whether srv has a file of tmp open whose name starts with prefix (an
// export's has none left: /proc shows the name it had, "(deleted)").
function hasOpen(srv, tmp, prefix) {
  const fds = `/proc/${srv.proc.pid}/fd`;
  let names = [];
  try { names = readdirSync(fds); } catch { return false; }
  return names.some((fd) => {
    try { return readlinkSync(join(fds, fd)).startsWith(join(tmp, prefix)); } catch { return false; }
  });
}

// What an export may leave in tmp: its own file, mp4mux's.
const leftovers = (tmp) => readdirSync(tmp).filter((n) => /^(pantau-|qtmux)/.test(n));

before(async () => {
  rtsp = await startRtsp({ mounts: MOUNTS });
  rtspH = await startRtsp({ mounts: { '/h265': 'test265:320x180@10' } });
  dir = mkdtempSync(join(tmpdir(), 'pantau-replay-'));
  const config = await authConfig({ users: [OPERATOR, VIEWER] });
  config.server = { ...config.server, stream_grace_ms: 500, replay_idle_s: IDLE_S,
    recording: { enabled: true, path: join(dir, 'recordings'), retention_minutes: 10 } };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({ id: 'cam-a', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url('/main') } });
  config.sources.push({ id: 'cam-h', type: 'rtsp', name: 'H.265', settings: { url: rtspH.url('/h265') } });
  config.walls[0].layout.tiles[1].source = 'cam-a';
  config.walls[0].layout.tiles[2].source = 'cam-h';
  server = await startServer({ config, env: slowExportEnv() });
  // Recorded long enough to go BACK_MS back (and a GOP before it).
  const op = await connectAs(OPERATOR);
  const end = Date.now() + 40000;
  for (;;) {
    const span = (await op.request('recording.span', { source: 'cam-a' })).ok;
    if (span.oldest_ms !== null && span.newest_ms - span.oldest_ms > BACK_MS + GOP_MS + 1000) break;
    if (Date.now() > end) throw new Error(`not recorded long enough: ${JSON.stringify(span)}\n${server.output()}`);
    await sleep(500);
  }
});

after(async () => {
  for (const c of clients) c.ws.terminate();
  if (server) {
    await stopServer(server);
    server.cleanup();
  }
  await rtsp?.stop();
  await rtspH?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Starts a replay of t2 BACK_MS back; resolves to { reply, at, replay }.
async function startReplay(op) {
  const asked = Date.now() - BACK_MS;
  const reply = await op.request('replay.start', { wall: 'main', tile: 't2', back_ms: BACK_MS });
  assert.ok(reply.ok, JSON.stringify(reply));
  const { replay } = reply.ok;
  assert.ok(Math.abs(replay.at_ms - asked) < 1000, `at_ms ${replay.at_ms} is about now - ${BACK_MS}`);
  return { reply, at: replay.at_ms, replay };
}

async function subscribeReplay(client, id) {
  const reply = await client.request('subscribe', { sources: [{ replay: id }] });
  assert.ok(reply.ok, JSON.stringify(reply));
  const media = await client.waitFor((m) => m.ev === 'media' && m.replay_id === id, 5000);
  assert.equal(media.replay, true);
  assert.equal(media.source, 'cam-a');
  return media.stream;
}

test('replay from 10 s back: the keyframe before the moment at once, then paced; two clients get the same frames', async () => {
  const op = await connectAs(OPERATOR);
  const other = await connectAs(VIEWER);
  const before = (await op.request('snapshot')).ok.walls.find((w) => w.id === 'main').version;
  const asked = Date.now();
  const { reply, at, replay } = await startReplay(op);
  assert.equal(reply.ok.version, before + 1);
  // Every client of the wall sees the tile in replay.
  for (const c of [op, other]) {
    const wall = await wallAt(c, reply.ok.version);
    assert.equal(tileOf(wall, 't2').replay.id, replay.id);
    assert.equal(tileOf(wall, 't2').replay.by, OPERATOR.name);
  }
  const [sa, sb] = await Promise.all([subscribeReplay(op, replay.id), subscribeReplay(other, replay.id)]);
  const subscribeMs = Date.now() - asked;
  assert.equal(sa, sb);
  // The picture of the moment within 500 ms of the request, the wall event
  // and the subscribe included (generous on a loaded machine: 1500),
  // starting with the keyframe at or before it, within one GOP.
  await until(() => framesOf(op, sa).some((f) => f.pts >= at * 1000), 1500, 'frames up to the moment');
  const tookMs = Date.now() - asked;
  assert.ok(tookMs < 1500, `the picture of the moment ${tookMs} ms after replay.start`);
  const first = framesOf(op, sa)[0];
  assert.ok(first.flags & 1, 'the first frame is a keyframe');
  // A subscriber gets the replay from its last keyframe: the one at or
  // before the moment, unless the replay (at 1x) had sent the next one
  // before the subscribe came (once, a keyframe 1 ms after the moment).
  assert.ok(first.pts <= (at + subscribeMs) * 1000,
    `first frame ${(first.pts - at * 1000) / 1000} ms after the moment; subscribed ${subscribeMs} ms after replay.start`);
  assert.ok(first.pts > (at - GOP_MS - 500) * 1000, `first frame ${(at * 1000 - first.pts) / 1000} ms before the moment: within one GOP`);
  // Then paced at 1x: 1.5 s more gives about 15 frames, not a burst of 100.
  const n = framesOf(op, sa).length;
  await sleep(1500);
  const paced = framesOf(op, sa).slice(n);
  assert.ok(paced.length >= 5 && paced.length <= 30, `${paced.length} frames in 1.5 s at 10 fps`);
  const spanUs = paced.at(-1).pts - paced[0].pts;
  assert.ok(spanUs > 0.5e6 && spanUs < 2.5e6, `paced frames cover ${spanUs / 1000} ms`);
  // The same frames for both clients.
  await sleep(300);
  const a = framesOf(op, sa).map((f) => f.pts);
  const b = framesOf(other, sb).map((f) => f.pts);
  const common = Math.min(a.length, b.length) - 3;
  assert.ok(common > 10);
  assert.deepEqual(b.slice(0, common), a.slice(0, common));
  console.log(`replay: picture of the moment after ${tookMs} ms; first keyframe ${(at * 1000 - first.pts) / 1000} ms before it`);
  // replay.stop: back to live; the replay's frames stop, the camera's come.
  const stop = await op.request('replay.stop', { wall: 'main', tile: 't2' });
  assert.ok(stop.ok, JSON.stringify(stop));
  assert.equal(stop.ok.replay, null);
  assert.equal(tileOf(await wallAt(other, stop.ok.version), 't2').replay, undefined);
  await sleep(300);
  const ended = framesOf(op, sa).length;
  await op.request('subscribe', { sources: ['cam-a'] });
  const live = await op.waitFor((m) => m.ev === 'media' && m.source === 'cam-a' && m.kind === 'main', 5000);
  await until(() => framesOf(op, live.stream).length > 3, 5000, 'live frames');
  assert.equal(framesOf(op, sa).length, ended, 'no replay frame after the stop');
  await op.request('subscribe', { sources: [] });
  // Audited: who, wall, tile, camera, moment.
  const lines = readFileSync(join(server.stateDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const line = lines.find((l) => l.action === 'replay.start' && l.version_after === reply.ok.version);
  assert.ok(line, 'replay.start audited');
  assert.equal(line.user, OPERATOR.name);
  assert.equal(line.wall, 'main');
  assert.deepEqual(line.details, { tile: 't2', camera: 'cam-a', at_ms: at });
  assert.ok(lines.some((l) => l.action === 'replay.stop' && l.details?.tile === 't2'), 'replay.stop audited');
});

test('a layout change of the tile ends its replay; pause, step and rate are the wall\'s state', async () => {
  const op = await connectAs(OPERATOR);
  const { replay } = await startReplay(op);
  const stream = await subscribeReplay(op, replay.id);
  await until(() => framesOf(op, stream).length > 5, 3000, 'replay frames');
  const paused = await op.request('replay.control', { wall: 'main', tile: 't2', action: 'pause' });
  assert.equal(paused.ok.replay.paused, true);
  await sleep(200);
  const n = framesOf(op, stream).length;
  await sleep(500);
  assert.equal(framesOf(op, stream).length, n, 'nothing while paused');
  await op.request('replay.control', { wall: 'main', tile: 't2', action: 'step' });
  await until(() => framesOf(op, stream).length === n + 1, 2000, 'one frame stepped');
  const rate = await op.request('replay.control', { wall: 'main', tile: 't2', action: 'rate', rate: 3 });
  assert.equal(rate.error.code, 'bad_request');
  assert.equal(rate.error.field, 'rate');
  const four = await op.request('replay.control', { wall: 'main', tile: 't2', action: 'rate', rate: 4 });
  assert.equal(four.ok.replay.rate, 4);
  // The tile shows nothing now: its replay ends with the same change.
  const change = await op.request('tile.set_source', { wall: 'main', version: four.ok.version, tile: 't2', source: null });
  assert.ok(change.ok, JSON.stringify(change));
  assert.equal(tileOf(await wallAt(op, change.ok.version), 't2').replay, undefined);
  assert.equal(change.ok.version, four.ok.version + 1);
  const gone = await op.request('replay.control', { wall: 'main', tile: 't2', action: 'play' });
  assert.equal(gone.error.field, 'tile');
  const back = await op.request('tile.set_source', { wall: 'main', version: change.ok.version, tile: 't2', source: 'cam-a' });
  assert.ok(back.ok);
  // layout.apply replaces the tiles: even the same layout ends the replay
  // (a tile's "replay" in a layout sent is ignored).
  const again = await startReplay(op);
  const wall = await wallAt(op, again.reply.ok.version);
  const applied = await op.request('layout.apply', { wall: 'main', version: wall.version, layout: wall.layout });
  assert.ok(applied.ok, JSON.stringify(applied));
  const after = await wallAt(op, applied.ok.version);
  assert.equal(tileOf(after, 't2').source, 'cam-a');
  assert.equal(tileOf(after, 't2').replay, undefined);
});

test('a viewer may not replay; bad requests name their field and change nothing', async () => {
  const viewer = await connectAs(VIEWER);
  const refused = await viewer.request('replay.start', { wall: 'main', tile: 't2', back_ms: BACK_MS });
  assert.equal(refused.error.code, 'forbidden');
  assert.equal((await viewer.request('recording.span', { source: 'cam-a' })).error.code, 'forbidden');
  assert.equal((await viewer.request('auth.whoami')).ok.playback, false, 'whoami: the viewer may not replay');
  const op = await connectAs(OPERATOR);
  assert.equal((await op.request('auth.whoami')).ok.playback, true, 'whoami: the operator may replay');
  const version = (await op.request('snapshot')).ok.walls.find((w) => w.id === 'main').version;
  const cases = [
    [{ tile: 't2', back_ms: 3600000 }, 'at_ms'],
    [{ tile: 't1', back_ms: BACK_MS }, 'tile'], // a clock
    [{ tile: 'nope', back_ms: BACK_MS }, 'tile'],
    [{ tile: 't2' }, 'at_ms'],
    [{ tile: 't2', back_ms: 'x' }, 'back_ms'],
  ];
  for (const [fields, field] of cases) {
    const reply = await op.request('replay.start', { wall: 'main', ...fields });
    assert.equal(reply.error?.field, field, JSON.stringify([fields, reply]));
  }
  assert.equal((await op.request('replay.stop', { wall: 'main', tile: 't2' })).error.field, 'tile');
  assert.equal((await op.request('snapshot')).ok.walls.find((w) => w.id === 'main').version, version);
});

test('a replay without an operation for server.replay_idle_s goes back to live', async () => {
  const op = await connectAs(OPERATOR);
  const { reply } = await startReplay(op);
  const started = Date.now();
  const wall = await op.waitFor((m) => m.ev === 'wall' && m.wall.version > reply.ok.version, (IDLE_S + 3) * 1000);
  const after = (Date.now() - started) / 1000;
  assert.equal(tileOf(wall.wall, 't2').replay, undefined);
  assert.ok(after > IDLE_S - 1, `back to live after ${after} s (idle ${IDLE_S} s)`);
});

test('auth.playback_roles is checked (file:line:col: path)', async () => {
  const text = JSON.stringify({
    server: { listen: '127.0.0.1', port: 0 },
    auth: { anonymous_role: 'viewer', playback_roles: ['operator', 'boss'] },
    sources: [],
    walls: [{ id: 'main', displays: { columns: 1, rows: 1, width: 1920, height: 1080 }, layout: { columns: 1, rows: 1, tiles: [] } }],
  }, null, 2);
  const file = join(dir, 'bad-roles.json');
  writeFileSync(file, text);
  const { code, output } = await runPantau(['--check-config', file, ...pluginDirArgs()]);
  assert.equal(code, 2, output);
  const found = diagnostics(output).find((d) => d.path === 'auth.playback_roles[1]');
  assert.ok(found, output);
  assert.equal(found.file, file);
  assert.equal(found.line, locate(text, '"boss"').line);
  assert.match(found.message, /viewer, operator, presenter, admin/);
});

test('an H.265 recording: replayed as H.265 to a client that declared hvc1, refused with the reason to one that did not; exported as an MP4 with hvc1', async () => {
  const op = await connectAs(OPERATOR);
  const plain = await connectAs(OPERATOR);
  let span;
  for (const end = Date.now() + 20000; ; await sleep(250)) {
    span = (await op.request('recording.span', { source: 'cam-h' })).ok;
    if (span.oldest_ms !== null && span.newest_ms - span.oldest_ms > 3000) break;
    assert.ok(Date.now() < end, `cam-h not recorded: ${JSON.stringify(span)}`);
  }
  const started = await op.request('replay.start', { wall: 'main', tile: 't3', at_ms: span.oldest_ms });
  assert.ok(started.ok, JSON.stringify(started));
  const { id } = started.ok.replay;
  const isMine = (m) => m.ev === 'media' && m.replay_id === id;
  assert.ok((await op.request('subscribe', { sources: [{ replay: id }], codecs: ['avc1', 'hvc1'] })).ok);
  const media = await op.waitFor(isMine, 5000);
  assert.equal(media.refused, undefined, JSON.stringify(media));
  assert.ok((await plain.request('subscribe', { sources: [{ replay: id }], codecs: ['avc1'] })).ok);
  // The replay's first media event may come before its codec is known.
  const refused = await plain.waitFor((m) => isMine(m) && (m.refused || m.codec), 5000);
  assert.equal(refused.refused, 'h265', `the client that cannot decode it is told why: ${JSON.stringify(refused)}`);
  await until(() => framesOf(op, media.stream).length >= 10, 5000, 'H.265 replay frames');
  const frames = framesOf(op, media.stream);
  assert.ok(frames.every((f) => f.flags & 16), 'every frame is flagged H.265 (passed through, not converted)');
  assert.ok(frames[0].flags & 1, 'from a keyframe');
  assert.equal(framesOf(plain, refused.stream).length, 0, 'no frame to the client that cannot decode H.265');
  await op.request('replay.stop', { wall: 'main', tile: 't3' });
  await op.request('subscribe', { sources: [] });
  await plain.request('subscribe', { sources: [] });
  // The export: an MP4 with an hvc1 track that gst-discoverer reads.
  const { cookie } = await login(server, OPERATOR.name, OPERATOR.password);
  const clip = await exportRequest(cookie, span.oldest_ms, span.oldest_ms + 2000, 'cam-h', true);
  assert.equal(clip.status, 200, clip.body?.toString().slice(0, 200));
  assert.ok(clip.body.includes(Buffer.from('hvc1')), 'an hvc1 sample entry');
  const file = join(dir, 'h265.mp4');
  writeFileSync(file, clip.body);
  const info = execFileSync('gst-discoverer-1.0', [file], { encoding: 'utf8' });
  assert.match(info, /H\.265/, info);
});

test('the camera stopped for 6 s: recording.span shows the gap, and a replay across it skips to the next segment', async () => {
  const op = await connectAs(OPERATOR);
  await rtsp.stop();
  const stopped = Date.now();
  await sleep(OUTAGE_MS); // the outage itself
  rtsp = await startRtsp({ port: rtsp.port, mounts: MOUNTS });
  const restarted = Date.now();
  // Recorded again for a few seconds after the camera came back.
  let gap;
  for (const end = Date.now() + 30000; Date.now() < end && !gap; await sleep(250)) {
    const span = (await op.request('recording.span', { source: 'cam-a' })).ok;
    const g = span.gaps.find(([from]) => from > stopped - GOP_MS - 1000);
    if (g && span.newest_ms > g[1] + 3000) gap = g;
  }
  assert.ok(gap, 'recording.span lists the outage as a gap');
  const [from, to] = gap;
  assert.ok(from <= stopped + 500, `the gap starts ${from - stopped} ms after the camera stopped`);
  assert.ok(to >= restarted - 500, `the gap ends ${to - restarted} ms after it came back`);
  assert.ok(to - from >= OUTAGE_MS - 500, `the gap is ${to - from} ms`);
  // A replay from 1.5 s before the gap: its last frames before the gap,
  // then at once the next segment's first keyframe, not 6 s of nothing.
  const arrivals = [];
  op.ws.on('message', (data, isBinary) => { if (isBinary) arrivals.push({ t: Date.now(), ...frameOf(data) }); });
  const started = await op.request('replay.start', { wall: 'main', tile: 't2', at_ms: from - 1500 });
  assert.ok(started.ok, JSON.stringify(started));
  const stream = await subscribeReplay(op, started.ok.replay.id);
  const mine = () => arrivals.filter((f) => f.stream === stream);
  await until(() => mine().some((f) => f.pts >= to * 1000), 15000, 'a frame after the gap');
  const before = mine().filter((f) => f.pts < from * 1000);
  const after = mine().find((f) => f.pts >= to * 1000);
  assert.ok(before.length > 5, `${before.length} frames before the gap`);
  assert.ok(after.flags & 1, 'the first frame after the gap is a keyframe');
  const waited = after.t - before.at(-1).t;
  console.log(`replay: gap of ${to - from} ms skipped in ${waited} ms`);
  assert.ok(waited < (to - from) / 2, `the replay waited ${waited} ms at a gap of ${to - from} ms`);
  await op.request('replay.stop', { wall: 'main', tile: 't2' });
  await op.request('subscribe', { sources: [] });
});

// GET /export.mp4 with the operator's cookie; resolves to { status, bytes,
// error } when the response ends or the connection is cut.
function exportRequest(cookie, from, to, source = 'cam-a', keep = false, srv = server) {
  return new Promise((resolve) => {
    const path = `/export.mp4?source=${source}&from=${from}&to=${to}`;
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, headers: { cookie }, agent: false }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (c) => { bytes += c.length; if (keep) chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode, bytes, body: Buffer.concat(chunks) }));
      res.on('error', (e) => resolve({ status: res.statusCode, bytes, error: e.code || e.message }));
    });
    req.on('error', (e) => resolve({ error: e.code || e.message }));
    req.end();
  });
}

// Stops srv with SIGTERM while it writes an export of cam-a into tmp (on
// a slow disk): it must exit 0 within 5 s (ASan: no leak), answer or cut
// the export's client, and leave no file in tmp. Resolves to the time the
// stop took.
async function stopDuringExport(srv, tmp) {
  const { cookie } = await login(srv, OPERATOR.name, OPERATOR.password);
  const op = new Client(srv.wsUrl, { headers: { cookie } });
  clients.push(op);
  await op.opened;
  const span = (await op.request('recording.span', { source: 'cam-a' })).ok;
  const from = Math.max(span.oldest_ms, span.newest_ms - 20000);
  const answer = exportRequest(cookie, from, span.newest_ms - 500, 'cam-a', false, srv);
  // The export runs: its temporary file is open (and written slowly).
  await until(() => hasOpen(srv, tmp, 'pantau-export-'), 5000, 'the export\'s temporary file');
  await sleep(300); // well inside it: it takes seconds on this disk
  const sent = Date.now();
  const result = await stopServer(srv, 5000);
  const took = Date.now() - sent;
  const reply = await Promise.race([answer, sleep(2000).then(() => 'hang')]);
  console.log(`export: server stopped ${took} ms after SIGTERM; the client got ${JSON.stringify(reply)}`);
  assert.deepEqual(result, { code: 0, signal: null });
  assert.notEqual(reply, 'hang', 'the export\'s client is answered or cut, not left hanging');
  assert.ok(reply.error || reply.status !== 200, `not a whole export: ${JSON.stringify(reply)}`);
  assert.deepEqual(leftovers(tmp), [], 'no temporary file is left');
  return took;
}

test('a SIGTERM while an export runs: the server exits within 5 s with 0, the client gets a cut or closed response', async () => {
  await stopDuringExport(server, join(dir, 'slow-tmp'));
});

// Last: it stops its own server after the file's.
test('a SIGTERM while an export waits for a disk slower than a stop: the stop does not wait for it and leaves no file', async () => {
  const tmp = join(dir, 'slow-tmp-6s');
  const config = await authConfig({ users: [OPERATOR] });
  config.server = { ...config.server,
    recording: { enabled: true, path: join(dir, 'recordings-6s'), retention_minutes: 10 } };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({ id: 'cam-a', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url('/main') } });
  // Each write of the export waits 6 s: longer than the 5 s of a stop.
  const slow = await startServer({ config, env: slowExportEnv(tmp, 6000) });
  try {
    const { cookie } = await login(slow, OPERATOR.name, OPERATOR.password);
    const op = new Client(slow.wsUrl, { headers: { cookie } });
    clients.push(op);
    await op.opened;
    const end = Date.now() + 20000;
    for (;;) {
      const span = (await op.request('recording.span', { source: 'cam-a' })).ok;
      if (span.oldest_ms !== null && span.newest_ms - span.oldest_ms > 2 * GOP_MS) break;
      if (Date.now() > end) throw new Error(`not recorded: ${JSON.stringify(span)}\n${slow.output()}`);
      await sleep(500);
    }
    const took = await stopDuringExport(slow, tmp);
    // A stop that waited for the export's thread took 3 s and more.
    assert.ok(took < 3000, `the stop took ${took} ms: it waited for the export`);
  } finally {
    await stopServer(slow).catch(() => {});
    slow.cleanup();
  }
});
