// H.265 cameras end to end (issue 15): the real server with the cctv plugin,
// the test RTSP server's H.265 mount (x265enc, shared media), WebSocket
// clients that say which codecs they decode, and an independent GStreamer
// reader of the same mount to check that H.265 passes through untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { killOnExit } from '../lib/children.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverFor, connect, sleep, testConfig, expectError } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';
import http from 'node:http';

const KEY = 1;
const CONFIG = 2;
const SUB = 4;
const H265 = 16;

function parseFrame(buf) {
  const headerLength = buf.readUInt16LE(2);
  return { flags: buf.readUInt8(1), stream: buf.readUInt32LE(4), au: buf.subarray(headerLength) };
}

// The NAL units of an Annex B byte stream (start codes removed; trailing
// zero bytes belong to the next start code).
function nalUnits(bytes) {
  const starts = [];
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : bytes.length;
    while (end > s && bytes[end - 1] === 0) end--;
    return bytes.subarray(s, end);
  });
}

const h265Type = (nal) => (nal[0] >> 1) & 0x3f;
const sliceHashes = (bytes) => nalUnits(bytes).filter((n) => h265Type(n) < 32)
  .map((n) => createHash('sha256').update(n).digest('hex'));

const framesOf = (client) => client.messages.filter((m) => m.binary).map((m) => parseFrame(m.binary));

async function waitFrames(client, count, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (framesOf(client).length < count) {
    if (Date.now() > deadline) throw new Error(`only ${framesOf(client).length} of ${count} frames`);
    await sleep(50);
  }
  return framesOf(client);
}

const lastMedia = (client, source) => client.messages.filter((m) => m.ev === 'media' && m.source === source).at(-1);

function getBinary(server, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

// The picture size in a JPEG's SOF marker.
function jpegSize(jpeg) {
  for (let i = 2; i + 9 < jpeg.length;) {
    const marker = jpeg[i + 1];
    const len = jpeg.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) return { width: jpeg.readUInt16BE(i + 7), height: jpeg.readUInt16BE(i + 5) };
    i += 2 + len;
  }
  return null;
}

let rtsp;
before(async () => {
  rtsp = await startRtsp({
    mounts: { '/main265': 'test265:640x360@15', '/sub': 'test:320x180@15', '/sub265': 'test265:320x180@15' },
  });
});
after(async () => { await rtsp?.stop(); });

function h265Config() {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 500 };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({
    id: 'cam-265', type: 'rtsp', name: 'H.265 with a substream',
    settings: { url: rtsp.url('/main265'), sub_url: rtsp.url('/sub') },
  });
  return config;
}

// Reads the mount with GStreamer's own depacketiser into a file, until stopped.
function gstReader(url, file) {
  const proc = spawn('gst-launch-1.0', ['-q', '-e', 'rtspsrc', `location=${url}`, 'protocols=tcp', 'latency=0', '!',
    'rtph265depay', '!', 'video/x-h265,stream-format=byte-stream', '!', 'filesink', `location=${file}`],
  { stdio: 'ignore' });
  killOnExit(proc);
  return {
    stop: () => new Promise((resolve) => {
      proc.once('exit', resolve);
      proc.kill('SIGINT');
      setTimeout(() => proc.kill('SIGKILL'), 5000);
    }),
  };
}

// gstReader of /main265 into a file of a directory removed after test t,
// once it reads. Resolves to { stop(), file }.
async function mainReader(t) {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-h265-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gst.h265');
  const reader = gstReader(rtsp.url('/main265'), file);
  await sleep(1500);
  return { stop: reader.stop, file };
}

test('a client that declares H.265 gets the camera\'s NAL units untouched, with an hvc1 codec string', async (t) => {
  const reader = await mainReader(t);
  const { file } = reader;
  const server = await serverFor(t, { config: h265Config() });
  const { client } = await connect(t, server);
  const reply = await client.request('subscribe', { sources: ['cam-265'], codecs: ['avc1', 'hvc1'] });
  assert.ok(reply.ok, JSON.stringify(reply));
  const frames = await waitFrames(client, 30);
  await sleep(1000);
  await reader.stop();

  const info = lastMedia(client, 'cam-265');
  assert.equal(info.kind, 'main');
  assert.match(info.codec, /^hvc1\.1\.6\.L\d+\.[0-9A-F.]+$/);
  assert.equal(info.width, 640);
  assert.equal(info.height, 360);
  assert.ok(frames[0].flags & KEY && frames[0].flags & CONFIG && frames[0].flags & H265, `first flags ${frames[0].flags}`);
  const types = nalUnits(frames[0].au).map(h265Type);
  assert.ok(types.includes(32) && types.includes(33) && types.includes(34), `VPS, SPS, PPS in ${types}`);
  assert.ok(frames.every((f) => f.flags & H265 && !(f.flags & SUB)), 'every frame is H.265 of the main stream');

  const camera = new Set(sliceHashes(readFileSync(file)));
  const ours = frames.flatMap((f) => sliceHashes(f.au));
  assert.ok(camera.size >= 30, `GStreamer read ${camera.size} slices`);
  assert.ok(ours.length >= 30, `${ours.length} slices`);
  const missing = ours.filter((h) => !camera.has(h));
  assert.equal(missing.length, 0, `${missing.length} of ${ours.length} slices differ from the camera's`);

  const stats = await client.waitFor((m) => m.ev === 'stats' && m.sources['cam-265']?.h265, 5000);
  assert.deepEqual(stats.sources['cam-265'].h265, { passthrough: 1, substream: 0, transcode: 0, refused: 0 });
});

test('a client that does not declare H.265 gets the H.264 substream of an H.265 camera; the console sees why', async (t) => {
  const server = await serverFor(t, { config: h265Config() });
  const { client: wall } = await connect(t, server);
  await wall.request('subscribe', { sources: [{ id: 'cam-265', stream: 'main' }], codecs: ['hvc1'], page: 'wall:main' });
  await waitFrames(wall, 5);
  const { client } = await connect(t, server);
  const reply = await client.request('subscribe', { sources: [{ id: 'cam-265', stream: 'main' }], page: 'console' });
  assert.ok(reply.ok, JSON.stringify(reply));
  await waitFrames(client, 10);
  const info = lastMedia(client, 'cam-265');
  assert.equal(info.kind, 'sub');
  assert.match(info.codec, /^avc1\./);
  assert.equal(info.width, 320);
  const frames = framesOf(client);
  assert.ok(frames.every((f) => f.flags & SUB && !(f.flags & H265)), 'only H.264 substream frames');
  assert.ok(!client.messages.some((m) => m.ev === 'media' && m.codec?.startsWith('hvc1')), 'never told of the H.265 stream');
  const stats = await client.waitFor((m) => m.ev === 'stats' && m.sources['cam-265']?.h265?.substream === 1, 5000);
  assert.equal(stats.sources['cam-265'].h265.passthrough, 1);

  // Per client: who gets what of the camera, and why (media.deliveries).
  const deliveries = await client.request('media.deliveries', { source: 'cam-265' });
  assert.ok(deliveries.ok, JSON.stringify(deliveries));
  const rows = deliveries.ok.rows.map((r) => [r.client.page, r.client.user, r.client.address, r.asked, r.stream, r.delivered, r.reason]);
  assert.deepEqual(rows, [
    ['wall:main', 'local', '127.0.0.1', 'main', 'main', 'h265', 'decodes_h265'],
    ['console', 'local', '127.0.0.1', 'main', 'sub', 'substream', 'no_h265_decoder'],
  ]);
  assert.match(deliveries.ok.rows[0].codec, /^hvc1\./);
  assert.match(deliveries.ok.rows[1].codec, /^avc1\./);
  expectError(await client.request('media.deliveries', { source: 'nope' }), 'not_found', 'source');
  expectError(await client.request('media.deliveries', { source: 'clock-a' }), 'bad_request', 'source');
  expectError(await client.request('subscribe', { sources: [], page: '' }), 'bad_request', 'page');
});

test('a client first on an H.265 main stream moves to the substream once the codec is known', async (t) => {
  const server = await serverFor(t, { config: h265Config() });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-265'] });
  await waitFrames(client, 10);
  assert.equal(lastMedia(client, 'cam-265').kind, 'sub');
  assert.ok(framesOf(client).every((f) => !(f.flags & H265)), 'no H.265 frame reached it');
  // Saying it decodes H.265 after all moves it to the main stream.
  await client.request('subscribe', { sources: ['cam-265'], codecs: ['hev1'] });
  const main = await client.waitFor((m) => m.ev === 'media' && m.kind === 'main' && m.codec?.startsWith('hvc1'), 10000);
  const before = framesOf(client).length;
  await waitFrames(client, before + 5);
  assert.ok(framesOf(client).slice(before).some((f) => f.stream === main.stream && f.flags & H265), 'H.265 frames');
});

test('codecs must be a list of known codec families; a refused subscribe changes nothing', async (t) => {
  const server = await serverFor(t, { config: h265Config() });
  const { client } = await connect(t, server);
  for (const [codecs, field] of [['hvc1', 'codecs'], [['vp9'], 'codecs[0]'], [['avc1', 7], 'codecs[1]']]) {
    const reply = await client.request('subscribe', { sources: ['cam-265'], codecs });
    assert.equal(reply.error?.code, 'bad_request', JSON.stringify(reply));
    assert.equal(reply.error.field, field);
  }
  assert.ok(!client.messages.some((m) => m.ev === 'media'), 'nothing subscribed');
});

test('snapshot.jpg of an H.265 camera decodes its H.265 pictures', async (t) => {
  const server = await serverFor(t, { config: h265Config() });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-265'], codecs: ['hvc1'] });
  const frames = await waitFrames(client, 5);
  assert.ok(frames.every((f) => f.flags & H265), 'the main stream runs as H.265, not transcoded');
  const res = await getBinary(server, '/api/sources/cam-265/snapshot.jpg');
  assert.equal(res.status, 200);
  assert.equal(res.body.readUInt16BE(0), 0xffd8, 'a JPEG');
  assert.deepEqual(jpegSize(res.body), { width: 640, height: 360 }, 'of the H.265 main stream');
});

// Cameras without a substream: a client that cannot decode H.265 gets the
// server's one shared conversion, within the budget.
function noSubConfig(budget) {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 500, h265_transcodes: budget };
  config.plugins = { load: ['clock', 'cctv'] };
  for (const id of ['cam-x', 'cam-y']) {
    config.sources.push({ id, type: 'rtsp', name: id, settings: { url: rtsp.url('/main265') } });
  }
  return config;
}

test('without a substream a client that cannot decode H.265 gets one shared H.264 conversion; H.265 clients still get the original', async (t) => {
  const server = await serverFor(t, { config: noSubConfig(1) });
  const { client: a } = await connect(t, server);
  const { client: b } = await connect(t, server);
  const { client: hevc } = await connect(t, server);
  await hevc.request('subscribe', { sources: ['cam-x'], codecs: ['hvc1'] });
  await a.request('subscribe', { sources: ['cam-x'] });
  await b.request('subscribe', { sources: ['cam-x'] });
  for (const c of [a, b]) {
    await waitFrames(c, 10);
    const info = lastMedia(c, 'cam-x');
    assert.equal(info.kind, 'main');
    assert.match(info.codec, /^avc1\./);
    assert.equal(info.transcoded, true);
    assert.equal(info.width, 640);
    const frames = framesOf(c);
    assert.ok(frames[0].flags & KEY && frames[0].flags & CONFIG, 'starting with a keyframe and SPS/PPS');
    assert.ok(frames.every((f) => f.flags & 8 && !(f.flags & H265)), 'only transcoded H.264');
  }
  assert.equal(lastMedia(a, 'cam-x').stream, lastMedia(b, 'cam-x').stream, 'one shared conversion');
  await waitFrames(hevc, 10);
  assert.ok(framesOf(hevc).every((f) => f.flags & H265 && !(f.flags & 8)), 'the H.265 client gets the original');
  const stats = await a.waitFor((m) => m.ev === 'stats' && m.sources['cam-x']?.h265?.transcode === 2, 5000);
  assert.deepEqual(stats.sources['cam-x'].h265, { passthrough: 1, substream: 0, transcode: 2, refused: 0 });
  assert.equal((server.output().match(/H\.265 transcode starts/g) || []).length, 1, server.output());
  const metrics = (await getBinary(server, '/metrics')).body.toString();
  assert.match(metrics, /^pantau_h265_clients\{source="cam-x",delivery="transcode"\} 2$/m);
  assert.match(metrics, /^pantau_h265_clients\{source="cam-x",delivery="passthrough"\} 1$/m);
  assert.match(metrics, /^pantau_h265_transcodes 1$/m);
  assert.match(metrics, /^pantau_h265_transcode_budget 1$/m);
});

test('past the budget of one conversion, a second H.265 camera is refused with the reason; it gets it once the first stops', async (t) => {
  const server = await serverFor(t, { config: noSubConfig(1) });
  const { client: a } = await connect(t, server);
  await a.request('subscribe', { sources: ['cam-x'] });
  await waitFrames(a, 5);
  const { client: b } = await connect(t, server);
  await b.request('subscribe', { sources: ['cam-y'] });
  const refused = await b.waitFor((m) => m.ev === 'media' && m.source === 'cam-y' && m.refused, 10000);
  assert.equal(refused.refused, 'transcode_budget');
  assert.equal(refused.transcodes, 1);
  assert.equal(refused.codec, null);
  await sleep(1000);
  assert.equal(framesOf(b).length, 0, 'no frame for a refused camera');
  const stats = await b.waitFor((m) => m.ev === 'stats' && m.sources['cam-y']?.h265?.refused === 1, 5000);
  assert.equal(stats.sources['cam-y'].h265.transcode, 0);
  // The console's table says why, with the budget.
  const refusedRows = (await b.request('media.deliveries', { source: 'cam-y' })).ok.rows;
  assert.deepEqual(refusedRows.map((r) => [r.delivered, r.reason, r.stream, r.budget]),
    [['refused', 'transcode_budget', null, { running: 1, max: 1 }]]);
  const convertedRows = (await b.request('media.deliveries', { source: 'cam-x' })).ok.rows;
  assert.deepEqual(convertedRows.map((r) => [r.delivered, r.reason, r.stream, r.budget]),
    [['transcode', 'no_h265_decoder', 'main', { running: 1, max: 1 }]]);
  // The first camera's viewer leaves: its conversion stops after the grace
  // period and the refused client gets the second camera's.
  await a.request('subscribe', { sources: [] });
  const info = await b.waitFor((m) => m.ev === 'media' && m.source === 'cam-y' && m.transcoded && !m.refused, 10000);
  await waitFrames(b, 5);
  assert.ok(framesOf(b).every((f) => f.stream === info.stream && f.flags & 8));
});

// An H.265 camera read by GStreamer ("transport": "udp": RTP over UDP is
// not the lean client's) is passed through like the lean client's: the core
// converts it, within the budget, for the clients that need it.
test('an H.265 camera on the GStreamer path is passed through untouched, and converted within the budget', async (t) => {
  const reader = await mainReader(t);
  const { file } = reader;
  const config = noSubConfig(1);
  config.sources = config.sources.filter((s) => s.id !== 'cam-y');
  config.sources.find((s) => s.id === 'cam-x').settings.transport = 'udp';
  const server = await serverFor(t, { config });
  const { client: hevc } = await connect(t, server);
  await hevc.request('subscribe', { sources: ['cam-x'], codecs: ['hvc1'] });
  const frames = await waitFrames(hevc, 30, 20000);
  await sleep(1000);
  await reader.stop();
  assert.ok(frames.every((f) => f.flags & H265 && !(f.flags & 8)), 'H.265 as it came, not transcoded');
  assert.match(server.output(), /cam-x: main stream is H265\n/, 'read by GStreamer, not converted there');
  assert.ok(frames[0].flags & KEY && frames[0].flags & CONFIG, 'from an IRAP picture with its parameter sets');
  const camera = new Set(sliceHashes(readFileSync(file)));
  const ours = frames.flatMap((f) => sliceHashes(f.au));
  assert.ok(camera.size >= 30 && ours.length >= 30, `${camera.size} and ${ours.length} slices`);
  assert.equal(ours.filter((h) => !camera.has(h)).length, 0, 'slices byte-identical to the camera\'s');

  const { client: plain } = await connect(t, server);
  await plain.request('subscribe', { sources: ['cam-x'] });
  await waitFrames(plain, 5, 20000);
  assert.ok(framesOf(plain).every((f) => f.flags & 8 && !(f.flags & H265)), 'the core\'s conversion');
  const stats = await plain.waitFor((m) => m.ev === 'stats' && m.sources['cam-x']?.h265?.transcode === 1, 5000);
  assert.deepEqual(stats.sources['cam-x'].h265, { passthrough: 1, substream: 0, transcode: 1, refused: 0 });
  assert.match((await getBinary(server, '/metrics')).body.toString(), /^pantau_h265_transcodes 1$/m, 'within the budget');
});

test('an H.265 substream goes untouched to H.265 clients and is converted, within the budget, for the others', async (t) => {
  const config = noSubConfig(1);
  config.sources = config.sources.filter((s) => s.id !== 'cam-y');
  config.sources.push({ id: 'cam-s', type: 'rtsp', name: 'H.265 main and sub', settings: { url: rtsp.url('/main265'), sub_url: rtsp.url('/sub265') } });
  const server = await serverFor(t, { config });
  const { client: hevc } = await connect(t, server);
  await hevc.request('subscribe', { sources: [{ id: 'cam-s', stream: 'sub' }], codecs: ['hvc1'] });
  await waitFrames(hevc, 5);
  assert.ok(framesOf(hevc).every((f) => f.flags & H265 && f.flags & SUB && !(f.flags & 8)), 'the substream as it came');
  const { client: plain } = await connect(t, server);
  await plain.request('subscribe', { sources: [{ id: 'cam-s', stream: 'main' }] });
  await waitFrames(plain, 5, 20000);
  const info = lastMedia(plain, 'cam-s');
  assert.equal(info.kind, 'sub');
  assert.equal(info.transcoded, true);
  assert.match(info.codec, /^avc1\./);
  assert.equal(info.width, 320, 'the smaller substream is the one converted');
  assert.ok(framesOf(plain).every((f) => f.flags & 8 && !(f.flags & H265)), 'only converted H.264');
  const stats = await plain.waitFor((m) => m.ev === 'stats' && m.sources['cam-s']?.h265?.transcode === 1, 5000);
  assert.deepEqual(stats.sources['cam-s'].h265, { passthrough: 1, substream: 0, transcode: 1, refused: 0 });
  // The main stream, opened for the plain client before its codec was
  // known, stops after its grace period: a snapshot then comes from the sub.
  for (const deadline = Date.now() + 10000; !/cam-s: main stream stops/.test(server.output());) {
    if (Date.now() > deadline) throw new Error(`the main stream still runs:\n${server.output()}`);
    await sleep(100);
  }
  const snapshot = await getBinary(server, '/api/sources/cam-s/snapshot.jpg');
  assert.equal(snapshot.status, 200);
  assert.deepEqual(jpegSize(snapshot.body), { width: 320, height: 180 }, 'a snapshot of the H.265 substream');
  // It took the budget's one conversion: another H.265 camera is refused.
  const { client: other } = await connect(t, server);
  await other.request('subscribe', { sources: ['cam-x'] });
  const refused = await other.waitFor((m) => m.ev === 'media' && m.source === 'cam-x' && m.refused, 10000);
  assert.equal(refused.refused, 'transcode_budget');
  assert.equal(refused.transcodes, 1);
});

test('refused clients wait in arrival order across cameras: the oldest waiting camera gets the next conversion', async (t) => {
  const config = noSubConfig(1);
  config.sources.push({ id: 'cam-z', type: 'rtsp', name: 'cam-z', settings: { url: rtsp.url('/main265') } });
  const server = await serverFor(t, { config });
  const { client: a } = await connect(t, server);
  await a.request('subscribe', { sources: ['cam-x'] });
  await waitFrames(a, 5, 20000);
  // cam-z's stream runs first (for a client decoding H.265), but its
  // converted viewer comes after cam-y's.
  const { client: hevc } = await connect(t, server);
  await hevc.request('subscribe', { sources: ['cam-z'], codecs: ['hvc1'] });
  await waitFrames(hevc, 3);
  const { client: b } = await connect(t, server);
  await b.request('subscribe', { sources: ['cam-y'] });
  await b.waitFor((m) => m.ev === 'media' && m.source === 'cam-y' && m.refused, 10000);
  const { client: c } = await connect(t, server);
  await c.request('subscribe', { sources: ['cam-z'] });
  await c.waitFor((m) => m.ev === 'media' && m.source === 'cam-z' && m.refused, 10000);
  await a.request('subscribe', { sources: [] });
  const started = await b.waitFor((m) => m.ev === 'media' && m.source === 'cam-y' && m.transcoded && !m.refused, 10000);
  await waitFrames(b, 3);
  assert.ok(framesOf(b).every((f) => f.stream === started.stream && f.flags & 8), 'cam-y\'s conversion');
  assert.ok(!c.messages.some((m) => m.ev === 'media' && m.source === 'cam-z' && !m.refused), 'cam-z still waits');
  assert.equal(framesOf(c).length, 0);
  // cam-y's viewer leaves: cam-z is next.
  await b.request('subscribe', { sources: [] });
  await c.waitFor((m) => m.ev === 'media' && m.source === 'cam-z' && m.transcoded && !m.refused, 10000);
  await waitFrames(c, 3);
});

test('budget of one, two H.265 cameras: a conversion whose last viewer left goes to the waiting camera, not to a newcomer', async (t) => {
  const server = await serverFor(t, { config: noSubConfig(1) });
  const { client: a } = await connect(t, server);
  await a.request('subscribe', { sources: ['cam-x'] });
  await waitFrames(a, 5, 20000);
  const { client: b } = await connect(t, server);
  await b.request('subscribe', { sources: ['cam-y'] });
  await b.waitFor((m) => m.ev === 'media' && m.source === 'cam-y' && m.refused, 10000);
  // cam-x's last viewer leaves and another comes for cam-x at once, within
  // the grace period: cam-y waited first, so it gets the conversion.
  const { client: c } = await connect(t, server);
  await a.request('subscribe', { sources: [] });
  await c.request('subscribe', { sources: ['cam-x'] });
  await b.waitFor((m) => m.ev === 'media' && m.source === 'cam-y' && m.transcoded && !m.refused, 10000);
  await waitFrames(b, 3);
  const refused = await c.waitFor((m) => m.ev === 'media' && m.source === 'cam-x' && m.refused, 10000);
  assert.equal(refused.refused, 'transcode_budget');
  assert.equal(framesOf(c).length, 0, 'the newcomer waits its turn');
  await b.request('subscribe', { sources: [] });
  await c.waitFor((m) => m.ev === 'media' && m.source === 'cam-x' && m.transcoded && !m.refused, 10000);
  await waitFrames(c, 3);
});

test('h265_transcodes is checked: a bad value names the file, line and path', async () => {
  const { runPantau, pluginDirArgs } = await import('../lib/harness.js');
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'pantau-h265cfg-'));
  try {
    const config = testConfig();
    config.server = { ...config.server, h265_transcodes: -1 };
    const path = join(dir, 'pantau.json');
    writeFileSync(path, JSON.stringify(config, null, 2));
    const res = await runPantau(['--check-config', path, ...pluginDirArgs()]);
    assert.equal(res.code, 2, res.output);
    assert.match(res.output, /pantau\.json:\d+:.*server\.h265_transcodes/, res.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
