// Recording (issue 16, docs/replay.md): each recorded camera's main stream
// goes into fragmented MP4 segments in <state>/recordings/<id>/, named
// <start_ms>-<end_ms>.mp4 (the one being written: <start_ms>.part.mp4).
// One server records two real RTSP test cameras for 60 s; the export,
// /metrics, retention by time, a kill -9 and the restart that rebuilds the
// index (with a byte budget) all run on that same recording.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, authConfig, login, sleep, pantauBin, Client } from '../lib/harness.js';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRtsp } from '../lib/rtsp.js';
import { launchBrowser } from '../browser/browser.js';

const CAMERA_PASSWORD = 'Cam3ra-Rec_9';
const VIEWER = { name: 'vera', role: 'viewer', password: 'viewer-pass-1' };
const OPERATOR = { name: 'otto', role: 'operator', password: 'operator-pass-1' };
const GOP_MS = 2000; // the test camera: a keyframe every 2 * fps frames
const SEGMENT_MS = 4000; // RECORDINGS_SEGMENT_MS: a segment ends at the first keyframe after it
const B_RETENTION_MS = 12000;

let rtsp;
let server;
let work;
let started;
let full; // records into a full tmpfs (null: none could be mounted)
let tmpfsRefusal;
let unwritable; // records into a path under a file
let slow; // records onto a disk whose every write takes a second
let checks; // the failure checks, running beside the 60 s recording

function camera(id, path, recording) {
  return { id, type: 'rtsp', name: id, recording,
    settings: { url: rtsp.url(path), username: 'admin', password: CAMERA_PASSWORD } };
}

async function recordingConfig(recording = {}) {
  const config = await authConfig({ users: [VIEWER, OPERATOR] });
  config.plugins = { load: ['clock', 'cctv'] };
  config.server = { ...config.server, recording };
  config.sources.push(camera('cam-a', '/a', { enabled: true }));
  config.sources.push(camera('cam-b', '/b', { retention_minutes: B_RETENTION_MS / 60000 }));
  return config;
}

// A config recording only camera cam-c (1 Mbit/s) into folder, from the
// test RTSP server's mount (one per server: gst-rtsp-server 1.22 can fail
// when several clients PLAY one shared media at once).
async function oneCamera(folder, mount) {
  const config = await recordingConfig({ path: folder });
  config.sources = config.sources.filter((s) => s.type !== 'rtsp');
  config.sources.push({ ...camera('cam-c', mount, { enabled: true }) });
  return config;
}

const cookies = new WeakMap();
async function metricsOf(srv) {
  if (!cookies.has(srv)) cookies.set(srv, (await login(srv, OPERATOR.name, OPERATOR.password)).cookie);
  const cookie = cookies.get(srv);
  return (await getBinary(srv, '/metrics', { cookie })).body.toString();
}

// tests/tools/slow_fsync.so with every write to a recordings file 1 s
// slow (preloaded after libasan in an ASan build), as slow-disk.test.js.
function slowDiskEnv() {
  const shim = join(dirname(dirname(pantauBin)), 'tests', 'tools', 'slow_fsync.so');
  assert.ok(existsSync(shim), `the shim ${shim} is built`);
  const ldd = execFileSync('ldd', [pantauBin], { encoding: 'utf8' });
  const asan = /=>\s*(\S*libasan\.so[.\d]*)/.exec(ldd)?.[1];
  return { LD_PRELOAD: [asan, shim].filter(Boolean).join(':'), PANTAU_TEST_FSYNC_DELAY_MS: '0',
    PANTAU_TEST_WRITE_MATCH: '/slow-recordings/', PANTAU_TEST_WRITE_DELAY_MS: '1000' };
}

// A tmpfs with 100 KiB free (else why not, for the skip).
function fullDisk(folder) {
  mkdirSync(folder);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder]);
  if (mounted.status !== 0) return String(mounted.stderr).trim() || 'mount failed';
  writeFileSync(join(folder, 'filler'), Buffer.alloc(1024 * 1024 - 100 * 1024));
  return null;
}

before(async () => {
  rtsp = await startRtsp({ mounts: { '/a': 'test:320x180@15', '/b': 'test:320x180@15', '/c1': 'test:320x180@15', '/c2': 'test:320x180@15', '/c3': 'test:320x180@15' }, user: 'admin', password: CAMERA_PASSWORD });
  work = mkdtempSync(join(tmpdir(), 'pantau-rec-'));
  started = Date.now();
  server = await startServer({ config: await recordingConfig(), stateDir: join(work, 'state') });
  // The failures run beside the 60 s recording, each on a server of its own.
  tmpfsRefusal = fullDisk(join(work, 'tmpfs'));
  if (!tmpfsRefusal) full = await startServer({ config: await oneCamera(join(work, 'tmpfs'), '/c1') });
  writeFileSync(join(work, 'not-a-folder'), 'x');
  unwritable = await startServer({ config: await oneCamera(join(work, 'not-a-folder', 'recordings'), '/c2') });
  const slowConfig = await oneCamera('slow-recordings', '/c3');
  slow = await startServer({ config: slowConfig, env: slowDiskEnv() });
  checks = {
    full: full ? settle(fullDiskCheck()) : null,
    unwritable: settle(unwritableCheck()),
    slow: settle(slowDiskCheck()),
  };
});

after(async () => {
  await server?.stop();
  await full?.stop();
  await unwritable?.stop();
  await slow?.stop();
  if (tmpfsRefusal === null) spawnSync('umount', ['-l', join(work, 'tmpfs')]); // null: mounted
  await rtsp?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// The segments of id in the recordings folder root (default: the state
// dir's): [{start, end, part, bytes, name}], oldest first.
function segments(stateDir, id, root = join(stateDir, 'recordings')) {
  const dir = join(root, id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((name) => {
    const closed = /^(\d+)-(\d+)\.mp4$/.exec(name);
    const part = /^(\d+)\.part\.mp4$/.exec(name);
    assert.ok(closed || part, `unexpected file ${name}`);
    return { name, start: Number((closed || part)[1]), end: closed ? Number(closed[2]) : null, part: Boolean(part),
      bytes: statSync(join(dir, name)).size };
  }).sort((x, y) => x.start - y.start);
}

async function until(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

// GET as binary: { status, headers, body: Buffer }.
function getBinary(srv, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

// gst-discoverer-1.0's duration of file, in ms.
function discoveredMs(file) {
  const out = execFileSync('gst-discoverer-1.0', [file], { encoding: 'utf8' });
  const m = /Duration: (\d+):(\d+):([\d.]+)/.exec(out);
  assert.ok(m, `no duration in:\n${out}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
}

// Chromium's <video> loads the MP4 (from a blob: URL) and plays a moment
// of it: { duration (s), width, height, frames decoded }.
async function playInChromium(mp4) {
  const { browser } = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    return await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const v = document.createElement('video');
      v.muted = true;
      v.preload = 'auto';
      v.src = URL.createObjectURL(new Blob([bytes], { type: 'video/mp4' }));
      await new Promise((resolve, reject) => {
        v.onloadedmetadata = resolve;
        v.onerror = () => reject(new Error(`media error ${v.error?.code}`));
      });
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { duration: v.duration, width: v.videoWidth, height: v.videoHeight, frames: v.getVideoPlaybackQuality().totalVideoFrames };
    }, mp4.toString('base64'));
  } finally {
    await browser.close();
  }
}

function metric(text, name, id) {
  const m = new RegExp(`^${name}\\{source="${id}"\\} ([\\d.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

test('a test camera is recorded for 60 s into contiguous segments, each from a keyframe', async () => {
  const segs = await until('60 s of cam-a', () => {
    const s = segments(server.stateDir, 'cam-a').filter((x) => !x.part);
    return s.length && s[s.length - 1].end - s[0].start >= 60000 ? s : null;
  }, 90000);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    assert.ok(s.end > s.start && s.bytes > 0, `segment ${s.name}`);
    assert.ok(s.end - s.start <= SEGMENT_MS + GOP_MS + 500, `segment ${s.name} is longer than one segment and a GOP`);
    if (i) assert.ok(s.start - segs[i - 1].end < 500, `a gap of ${s.start - segs[i - 1].end} ms before ${s.name}; the server said:\n${server.output().slice(-3000)}`);
  }
  const one = join(server.stateDir, 'recordings', 'cam-a', segs[1].name);
  const ms = discoveredMs(one);
  assert.ok(Math.abs(ms - (segs[1].end - segs[1].start)) <= 500, `${one}: ${ms} ms`);
});

test('a replay from 30 s ago on that recording starts at the keyframe before the moment, within one GOP', async () => {
  const { cookie } = await login(server, OPERATOR.name, OPERATOR.password);
  const op = new Client(server.wsUrl, { headers: { cookie } });
  try {
    await op.opened;
    await op.snapshot();
    const wall = (await op.request('snapshot')).ok.walls[0];
    const tile = wall.layout.tiles[0].id;
    const shown = await op.request('tile.set_source', { wall: wall.id, version: wall.version, tile, source: 'cam-a' });
    assert.ok(shown.ok, JSON.stringify(shown));
    const at = Date.now() - 30000;
    const reply = await op.request('replay.start', { wall: wall.id, tile, at_ms: at });
    assert.ok(reply.ok, JSON.stringify(reply));
    const { id } = reply.ok.replay;
    assert.ok((await op.request('subscribe', { sources: [{ replay: id }] })).ok);
    const media = await op.waitFor((m) => m.ev === 'media' && m.replay_id === id, 5000);
    const frames = () => op.messages.filter((m) => m.binary && m.binary.readUInt32LE(4) === media.stream)
      .map((m) => ({ key: (m.binary.readUInt8(1) & 1) === 1, pts: Number(m.binary.readBigInt64LE(8)) }));
    await until('the frames up to the moment', () => frames().some((f) => f.pts >= at * 1000), 5000);
    const first = frames()[0];
    assert.ok(first.key, 'the first frame is a keyframe');
    assert.ok(first.pts <= at * 1000 && first.pts > (at - GOP_MS - 500) * 1000,
      `the first frame is ${(at * 1000 - first.pts) / 1000} ms before the moment asked`);
    assert.ok((await op.request('replay.stop', { wall: wall.id, tile })).ok);
  } finally {
    op.ws.terminate();
  }
});

test('retention by time deletes a camera\'s segments that ended before its retention', async () => {
  const segs = segments(server.stateDir, 'cam-b').filter((x) => !x.part);
  const now = Date.now();
  assert.ok(segs.length > 0, 'cam-b is recorded');
  assert.ok(segs[0].start > started + 20000, 'the first minute of cam-b is deleted');
  for (const s of segs) assert.ok(s.end >= now - B_RETENTION_MS - 3000, `${s.name} is past the retention`);
  // cam-a keeps what cam-b's retention deleted (its default is a day).
  const oldestA = segments(server.stateDir, 'cam-a')[0];
  assert.ok(oldestA.end < now - B_RETENTION_MS - 3000, `cam-a's oldest kept is ${oldestA.name}, ${now - oldestA.end} ms old`);
});

test('/metrics shows per camera bytes, segments, the oldest time kept and write lag', async () => {
  const res = await getBinary(server, '/metrics', { cookie: (await login(server, OPERATOR.name, OPERATOR.password)).cookie });
  const text = res.body.toString();
  assert.ok(metric(text, 'pantau_recording_bytes', 'cam-a') > 10000, text);
  assert.ok(metric(text, 'pantau_recording_segments', 'cam-a') >= 10);
  const oldest = metric(text, 'pantau_recording_oldest_seconds', 'cam-a') * 1000;
  assert.ok(Math.abs(oldest - segments(server.stateDir, 'cam-a')[0].start) < 2, `${oldest}`);
  assert.ok(metric(text, 'pantau_recording_write_lag_seconds', 'cam-a') < 5);
  assert.equal(metric(text, 'pantau_recording_failing', 'cam-a'), 0);
});

test('an export is one MP4 of the range asked (within a GOP) that Chromium plays, with no credentials, audited; a viewer is refused', async () => {
  const { cookie } = await login(server, OPERATOR.name, OPERATOR.password);
  const to = Date.now() - 15000;
  const from = to - 20000;
  const res = await getBinary(server, `/export.mp4?source=cam-a&from=${from}&to=${to}`, { cookie });
  assert.equal(res.status, 200, res.body.toString().slice(0, 200));
  assert.equal(res.headers['content-type'], 'video/mp4');
  const file = join(work, 'clip.mp4');
  writeFileSync(file, res.body);
  const ms = discoveredMs(file);
  assert.ok(ms >= 20000 - 200 && ms <= 20000 + GOP_MS + 200, `duration ${ms} ms for 20000 ms asked`);
  const moov = res.body.indexOf('moov'), mdat = res.body.indexOf('mdat');
  assert.ok(moov > 0 && moov < mdat, 'moov before mdat (plays while it downloads)');
  assert.equal(res.body.indexOf(CAMERA_PASSWORD), -1, 'no camera password');
  assert.equal(res.body.indexOf('rtsp://'), -1, 'no camera URL');
  const played = await playInChromium(res.body);
  assert.ok(Math.abs(played.duration * 1000 - ms) < 200 && played.width === 320 && played.frames > 0, JSON.stringify(played));

  const lines = readFileSync(join(server.stateDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const line = lines.find((l) => l.action === 'export');
  assert.ok(line, 'the export is audited');
  assert.equal(line.user, OPERATOR.name);
  assert.deepEqual([line.details.source, line.details.from_ms, line.details.to_ms], ['cam-a', from, to]);

  const viewer = await login(server, VIEWER.name, VIEWER.password);
  const refused = await getBinary(server, `/export.mp4?source=cam-a&from=${from}&to=${to}`, { cookie: viewer.cookie });
  assert.equal(refused.status, 403);
  const nobody = await getBinary(server, `/export.mp4?source=cam-a&from=${from}&to=${to}`);
  assert.notEqual(nobody.status, 200);
  const bad = await getBinary(server, `/export.mp4?source=cam-a&from=soon&to=${to}`, { cookie });
  assert.equal(bad.status, 400);
  assert.match(bad.body.toString(), /^from:/);
  const none = await getBinary(server, `/export.mp4?source=cam-x&from=${from}&to=${to}`, { cookie });
  assert.equal(none.status, 404);
});

test('a kill -9 loses at most the segment being written; the restart rebuilds the index, and the budget deletes the oldest', async () => {
  await until('a segment being written with a fragment in it', () => {
    const open = segments(server.stateDir, 'cam-a').find((s) => s.part);
    return open && open.bytes > 2000;
  }, 10000);
  const killedAt = Date.now();
  await server.kill9();
  const before = segments(server.stateDir, 'cam-a');
  assert.ok(before.some((s) => s.part), 'a .part file was left');
  const budgetMb = 0.25;
  server = await startServer({ config: await recordingConfig({ budget_mb: budgetMb }), stateDir: server.stateDir });
  const after = segments(server.stateDir, 'cam-a');
  const recovered = after.filter((s) => !s.part && s.end <= killedAt + 1000);
  const newest = recovered[recovered.length - 1];
  assert.ok(newest, 'segments from before the crash are indexed');
  assert.ok(newest.end >= killedAt - SEGMENT_MS - GOP_MS, `lost more than one segment: newest ${killedAt - newest.end} ms before the kill`);
  assert.equal(after.filter((s) => s.part && s.start < killedAt).length, 0, 'the cut segment is closed on start');
  discoveredMs(join(server.stateDir, 'recordings', 'cam-a', newest.name));
  // The budget: the oldest go first, down to 0.25 MB for both cameras.
  await until('the budget', () => {
    const all = [...segments(server.stateDir, 'cam-a'), ...segments(server.stateDir, 'cam-b')];
    const total = all.reduce((n, s) => n + s.bytes, 0);
    return total <= budgetMb * 1024 * 1024 + 200000;
  }, 10000);
  const kept = segments(server.stateDir, 'cam-a');
  assert.ok(kept[0].start > started + 30000, 'the oldest of cam-a were deleted');
});

// The failures are checked while cam-a records its 60 s (started in
// before(), awaited by their tests), each on a server of its own.

async function fullDiskCheck() {
  const folder = join(work, 'tmpfs');
  await until('recording to fail on the full disk', async () => metric(await metricsOf(full), 'pantau_recording_failing', 'cam-c') === 1, 30000);
  const failedAt = Date.now();
  const segs = await until('the cut segment closed', () => {
    const s = segments(null, 'cam-c', folder);
    return s.every((x) => !x.part || x.start > failedAt - 1000) ? s : null;
  }, 5000);
  const closed = segs.filter((s) => !s.part);
  assert.ok(closed.length >= 1, `what was written before the disk filled is kept: ${JSON.stringify(segs)}`);
  for (const s of closed) discoveredMs(join(folder, 'cam-c', s.name));
  // The server and the camera's live video carry on.
  assert.equal(metric(await metricsOf(full), 'pantau_camera_live', 'cam-c'), 1);
  // Room again: the next segment is written.
  rmSync(join(folder, 'filler'));
  await until('recording to resume', async () => metric(await metricsOf(full), 'pantau_recording_failing', 'cam-c') === 0, 20000);
}

async function unwritableCheck() {
  await until('recording to report the failure', async () => metric(await metricsOf(unwritable), 'pantau_recording_failing', 'cam-c') === 1, 20000);
  assert.match(unwritable.output(), /cam-c: recording fails: cannot make .*not-a-folder/);
  assert.equal(metric(await metricsOf(unwritable), 'pantau_camera_live', 'cam-c'), 1);
}

async function slowDiskCheck() {
  const { cookie } = await login(slow, OPERATOR.name, OPERATOR.password);
  const client = new Client(slow.wsUrl, { headers: { cookie } });
  try {
    await client.opened;
    const times = [];
    client.ws.on('message', (data, isBinary) => { if (isBinary) times.push(performance.now()); });
    await client.request('subscribe', { sources: ['cam-c'] });
    const stats = await client.waitFor((m) => m.ev === 'stats' && m.sources?.['cam-c']?.recording?.state === 'behind', 30000);
    const rec = stats.sources['cam-c'].recording;
    assert.match(rec.reason, /disk does not keep up/);
    assert.ok(rec.write_lag_ms >= 4000 && rec.dropped > 0, JSON.stringify(rec));
    const text = await metricsOf(slow);
    assert.ok(metric(text, 'pantau_recording_dropped_total', 'cam-c') > 0);
    assert.ok(metric(text, 'pantau_recording_write_lag_seconds', 'cam-c') >= 4);
    // Live video is not held back by the disk (15 fps: a frame every 67 ms).
    const from = times.length;
    await sleep(2000);
    const seen = times.slice(from);
    assert.ok(seen.length >= 15, `${seen.length} frames in 2 s`);
    const gap = seen.slice(1).reduce((max, x, i) => Math.max(max, x - seen[i]), 0);
    assert.ok(gap < 500, `a ${Math.round(gap)} ms gap in live video`);
  } finally {
    client.ws.terminate();
  }
}

// A check's outcome, held until its test awaits it (no unhandled rejection).
function settle(promise) {
  const held = promise.then(() => null, (err) => err);
  return async () => { const err = await held; if (err) throw err; };
}

test('a full disk (a tmpfs with 100 KiB free) loses at most the segment being written; recording resumes when there is room', async (t) => {
  if (!full) {
    t.skip(`cannot mount a tmpfs here (${tmpfsRefusal}); docs/replay.md, "What survives a crash"`);
    return;
  }
  await checks.full();
});

test('an unwritable recordings folder is reported, and the server runs on', async () => {
  await checks.unwritable();
});

test('a disk that cannot keep up: recording falls behind and says so, live video flows on', async () => {
  await checks.slow();
});
