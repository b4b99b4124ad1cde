// A slow disk must never stall the wall (docs/reliability.md, "Slow disk"):
// every fsync/fdatasync of the server is delayed on purpose by an LD_PRELOAD
// shim (tests/tools/slow_fsync.c), and while an operator makes layout
// changes, video keeps flowing and pings are answered; each change's reply
// still waits for its disk write, and the other clients see it at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { serverFor, connect, testConfig, pantauBin, wallIn, expectError, sleep } from '../lib/harness.js';

const DELAY_MS = 500;
const CHANGES = 20;
// The bounds: a stalled loop misses them by far (one delayed sync
// is already 500 ms), a free one meets them with room to spare.
const MAX_FRAME_GAP_MS = 150;
const MAX_PING_MS = 50;

// The shim, preloaded after libasan when the binary is an ASan build (ASan
// must come first in the list of libraries).
function slowDiskEnv(delayMs = DELAY_MS) {
  const shim = join(dirname(dirname(pantauBin)), 'tests', 'tools', 'slow_fsync.so');
  assert.ok(existsSync(shim), `the shim ${shim} is built`);
  const ldd = execFileSync('ldd', [pantauBin], { encoding: 'utf8' });
  const asan = /=>\s*(\S*libasan\.so[.\d]*)/.exec(ldd)?.[1];
  return { LD_PRELOAD: [asan, shim].filter(Boolean).join(':'), PANTAU_TEST_FSYNC_DELAY_MS: String(delayMs) };
}

function cameraConfig() {
  const config = testConfig();
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({ id: 'cam-t', type: 'test', name: 'Test camera', settings: { width: 320, height: 180, fps: 25 } });
  config.walls[0].layout.tiles[2].source = 'cam-t';
  return config;
}

// Records when each video frame arrives (ms, monotonic).
function recordFrames(client) {
  const times = [];
  client.ws.on('message', (data, isBinary) => { if (isBinary) times.push(performance.now()); });
  return times;
}

const maxGap = (times) => times.slice(1).reduce((max, t, i) => Math.max(max, t - times[i]), 0);

// Pings every 20-50 ms until stop() and records each round trip (ms).
function pingLoop(client) {
  const rtts = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const sent = performance.now();
      await request(client, 'ping');
      rtts.push(performance.now() - sent);
      await sleep(20 + Math.floor(Math.random() * 30));
    }
  })();
  return { rtts, stop: () => { running = false; return done; } };
}

const round = (x) => Math.round(x);

// client.request with a longer wait: on this disk a change takes seconds.
function request(client, op, fields = {}, timeoutMs = 20000) {
  const id = client.nextId++;
  client.ws.send(JSON.stringify({ op, id, ...fields }));
  return client.waitFor((m) => m.re === id, timeoutMs);
}

test('with every fsync 500 ms slow, video and pings flow on during 20 layout changes, and each reply waits for its write', { timeout: 180000 }, async (t) => {
  const server = await serverFor(t, { config: cameraConfig(), env: slowDiskEnv() });
  const { client: viewer } = await connect(t, server);
  const { client: pinger } = await connect(t, server);
  const { client: operator, snapshot } = await connect(t, server);
  const frames = recordFrames(viewer);
  assert.ok((await viewer.request('subscribe', { sources: ['cam-t'] })).ok);
  await viewer.waitFor((m) => m.binary, 20000);
  await sleep(1000); // the encoder's start is not what is measured
  const watchedFrom = frames.length;
  const pings = pingLoop(pinger);

  let version = wallIn(snapshot).version;
  const replyMs = [];
  const seenEarlierMs = [];
  const sources = ['clock-a', 'clock-b', null];
  for (let i = 0; i < CHANGES; i++) {
    const sent = performance.now();
    const seen = pinger.waitFor((m) => m.ev === 'wall' && m.wall.version === version + 1, 20000).then(() => performance.now());
    const reply = await request(operator, 'tile.set_source', { wall: 'main', version, tile: 't2', source: sources[i % 3] });
    const replied = performance.now();
    assert.ok(reply.ok, `change ${i}: ${JSON.stringify(reply)}`);
    version = reply.ok.version;
    replyMs.push(replied - sent);
    seenEarlierMs.push(replied - (await seen));
  }
  await pings.stop();
  const gaps = frames.slice(watchedFrom);
  const figures = {
    frames: gaps.length,
    maxFrameGapMs: round(maxGap(gaps)),
    pings: pings.rtts.length,
    maxPingMs: round(Math.max(...pings.rtts)),
    replyMs: { min: round(Math.min(...replyMs)), max: round(Math.max(...replyMs)) },
    eventBeforeReplyMs: { min: round(Math.min(...seenEarlierMs)), max: round(Math.max(...seenEarlierMs)) },
  };
  t.diagnostic(`slow disk (${DELAY_MS} ms per sync): ${JSON.stringify(figures)}`);
  assert.ok(figures.maxFrameGapMs < MAX_FRAME_GAP_MS, `a gap of ${figures.maxFrameGapMs} ms between frames`);
  assert.ok(figures.maxPingMs < MAX_PING_MS, `a ping took ${figures.maxPingMs} ms`);
  assert.ok(figures.replyMs.min >= DELAY_MS * 0.9, `a reply came after ${figures.replyMs.min} ms, before its write could be on disk`);
  // The other clients see each change at once, long before its reply.
  assert.ok(figures.eventBeforeReplyMs.min >= DELAY_MS * 0.5, `another client saw a change only ${figures.eventBeforeReplyMs.min} ms before its reply`);
});

test('on a slow disk a failed write is still rolled back and answered internal', { timeout: 60000 }, async (t) => {
  const server = await serverFor(t, { env: slowDiskEnv() });
  const { client: operator, snapshot } = await connect(t, server);
  const { client: other } = await connect(t, server);
  const before = wallIn(snapshot);
  // A directory where the file goes makes the rename fail (even as root).
  mkdirSync(join(server.stateDir, 'walls', 'main.json'), { recursive: true });
  const sent = performance.now();
  const reply = await request(operator, 'wall.clear', { wall: 'main', version: before.version });
  expectError(reply, 'internal');
  assert.ok(performance.now() - sent >= DELAY_MS * 0.9, 'the failure is known only once the write ran');
  // Everyone saw the change, then its roll-back: the layout as it was, one version on.
  const back = await other.waitFor((m) => m.ev === 'wall' && m.wall.version === before.version + 2, 5000);
  assert.deepEqual(back.wall.layout, before.layout);
  assert.deepEqual(wallIn((await request(operator, 'snapshot')).ok).layout, before.layout);
  // The requester got its reply before any event of the roll-back.
  const replyAt = operator.messages.indexOf(reply);
  const rolledBackAt = operator.messages.findIndex((m) => m.ev === 'wall' && m.wall.version === before.version + 2);
  assert.ok(rolledBackAt === -1 || replyAt < rolledBackAt, 'the reply comes before the roll-back event');
  // A preset that cannot be written is taken back too.
  mkdirSync(join(server.stateDir, 'presets', 'p1.json'), { recursive: true });
  expectError(await request(operator, 'preset.save', { wall: 'main', name: 'A' }), 'internal');
  assert.deepEqual((await request(operator, 'snapshot')).ok.presets, [], 'no preset is left');
});

test('on a slow disk a client gets its replies in request order, and no newer change before its own reply', { timeout: 60000 }, async (t) => {
  const server = await serverFor(t, { env: slowDiskEnv() });
  const { client: a, snapshot } = await connect(t, server);
  const { client: b } = await connect(t, server);
  const v = wallIn(snapshot).version;
  const from = a.messages.length;
  // a's change waits for the disk; its ping and b's change come meanwhile.
  const change = request(a, 'tile.set_source', { wall: 'main', version: v, tile: 't2', source: 'clock-a' });
  const ping = request(a, 'ping');
  await b.waitFor((m) => m.ev === 'wall' && m.wall.version === v + 1);
  const other = request(b, 'tile.set_source', { wall: 'main', version: v + 1, tile: 't2', source: 'clock-b' });
  const [changed, pinged] = await Promise.all([change, ping, other]);
  assert.ok(changed.ok, JSON.stringify(changed));
  const seen = a.messages.slice(from);
  const at = (pred) => seen.findIndex(pred);
  assert.ok(at((m) => m === changed) < at((m) => m === pinged), 'the replies in request order');
  const firstEvent = at((m) => m.ev === 'wall');
  assert.ok(firstEvent > at((m) => m === changed), 'no wall event before its own reply');
  await a.waitFor((m) => m.ev === 'wall' && m.wall.version === v + 2, 10000);
});

test('a client that leaves before its reply is made does not take the server down, and its change stands', { timeout: 60000 }, async (t) => {
  const server = await serverFor(t, { env: slowDiskEnv() });
  const { client: a, snapshot } = await connect(t, server);
  const { client: b } = await connect(t, server);
  const v = wallIn(snapshot).version;
  a.sendRaw(JSON.stringify({ op: 'tile.set_source', id: 1, wall: 'main', version: v, tile: 't2', source: 'clock-a' }));
  await b.waitFor((m) => m.ev === 'wall' && m.wall.version === v + 1);
  a.ws.terminate();
  await sleep(2500); // its writes complete after it left
  const wall = wallIn((await request(b, 'snapshot')).ok);
  assert.equal(wall.version, v + 1);
  assert.equal(wall.layout.tiles.find((x) => x.id === 't2').source, 'clock-a');
});

test('a client may have 32 requests waiting for the disk; more are refused, in their turn', { timeout: 90000 }, async (t) => {
  const MAX_PENDING = 32;
  const server = await serverFor(t, { env: slowDiskEnv(150) });
  const { client, snapshot } = await connect(t, server);
  const v = wallIn(snapshot).version;
  const sources = ['clock-a', 'clock-b', null];
  const replies = await Promise.all(Array.from({ length: MAX_PENDING + 8 }, (_, i) =>
    request(client, 'tile.set_source', { wall: 'main', version: v + i, tile: 't2', source: sources[i % 3] }, 60000)));
  const accepted = replies.filter((r) => r.ok).length;
  assert.equal(accepted, MAX_PENDING, JSON.stringify(replies.filter((r) => !r.ok)[0]));
  replies.forEach((r, i) => {
    if (i < MAX_PENDING) assert.equal(r.ok.version, v + i + 1);
    else expectError(r, 'rate_limited');
  });
  assert.match(replies[MAX_PENDING].error.message, /waiting for the disk/);
  const order = client.messages.filter((m) => m.re !== undefined).map((m) => m.re);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'replies in request order');
  assert.equal(wallIn((await request(client, 'snapshot')).ok).version, v + MAX_PENDING);
});

test('a client that subscribes while its change waits for the disk gets the stream\'s media event before its frames', { timeout: 60000 }, async (t) => {
  const server = await serverFor(t, { config: cameraConfig(), env: slowDiskEnv() });
  const { client, snapshot } = await connect(t, server);
  const v = wallIn(snapshot).version;
  const from = client.messages.length;
  const change = request(client, 'tile.set_source', { wall: 'main', version: v, tile: 't2', source: 'clock-a' });
  const subscribed = request(client, 'subscribe', { sources: ['cam-t'] });
  await client.waitFor((m) => m.binary, 20000);
  const seen = client.messages.slice(from);
  const media = seen.findIndex((m) => m.ev === 'media' && m.source === 'cam-t');
  assert.ok(media >= 0 && media < seen.findIndex((m) => m.binary), 'the media event comes before the first frame');
  assert.ok((await change).ok);
  assert.ok((await subscribed).ok);
});

test('with every fsync 500 ms slow, logins wait for their audit line while pings flow on', { timeout: 120000 }, async (t) => {
  const { authConfig, connectAs, login } = await import('../lib/harness.js');
  const WALL_TOKEN = 'c0ffee0123456789abcdef0123456789slowdisk';
  const config = await authConfig({ users: [{ name: 'ana', role: 'operator', password: 'slow-disk-login' }],
    tokens: [{ name: 'pinger', token: WALL_TOKEN }] });
  const server = await serverFor(t, { config, env: slowDiskEnv() });
  const { client: pinger } = await connectAs(t, server, { token: WALL_TOKEN });
  const pings = pingLoop(pinger);
  const took = [];
  for (let i = 0; i < 3; i++) {
    const sent = performance.now();
    const res = await login(server, 'ana', 'slow-disk-login');
    took.push(performance.now() - sent);
    assert.equal(res.status, 200, res.body);
    assert.ok(res.cookie, 'a session cookie');
  }
  await login(server, 'ana', 'a-wrong-password');
  await sleep(300);
  await pings.stop();
  const maxPing = Math.max(...pings.rtts);
  t.diagnostic(`logins took ${took.map(round).join(', ')} ms; max ping ${round(maxPing)} ms over ${pings.rtts.length} pings`);
  assert.ok(took.every((ms) => ms >= DELAY_MS * 0.9), `each login waits for its audit line: ${took.map(round)}`);
  assert.ok(maxPing < MAX_PING_MS, `max ping ${round(maxPing)} ms`);
});
