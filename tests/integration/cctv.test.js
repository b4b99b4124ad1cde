// Cameras end to end: the real server with the cctv plugin, a real RTSP
// server (gst-rtsp-server, tests/tools/rtsp_server.c), WebSocket clients
// that subscribe and read binary frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, connect, sleep, httpGet, testConfig } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';

const PASSWORD = 'Sup3r-Secret_9';
const URL_PASSWORD = 'urlpw@Hidden7';

// A binary frame as the protocol defines it (docs/protocol.md).
export function parseFrame(buf) {
  return {
    version: buf.readUInt8(0),
    flags: buf.readUInt8(1),
    headerLength: buf.readUInt16LE(2),
    stream: buf.readUInt32LE(4),
    pts: Number(buf.readBigInt64LE(8)),
    receivedUs: Number(buf.readBigInt64LE(16)),
    au: buf.subarray(buf.readUInt16LE(2)),
  };
}

const KEY = 1;
const CONFIG = 2;

// NAL unit types in an Annex B access unit.
function nalTypes(au) {
  const types = [];
  for (let i = 0; i + 3 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) {
      types.push(au[i + 3] & 0x1f);
      i += 2;
    }
  }
  return types;
}

const framesOf = (client) => client.messages.filter((m) => m.binary).map((m) => parseFrame(m.binary));

async function waitFrames(client, count, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (framesOf(client).length < count) {
    if (Date.now() > deadline) throw new Error(`only ${framesOf(client).length} of ${count} frames`);
    await sleep(50);
  }
  return framesOf(client);
}

let rtsp;
before(async () => {
  rtsp = await startRtsp({
    mounts: { '/main': 'test:640x360@15', '/sub': 'test:320x180@10' },
    user: 'admin',
    password: PASSWORD,
  });
});
after(async () => { await rtsp?.stop(); });

function cameraConfig(extraSources = [], server = {}) {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 500, ...server };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push(
    {
      id: 'cam-a', type: 'rtsp', name: 'Simpang Lima',
      settings: { url: rtsp.url('/main'), sub_url: rtsp.url('/sub'), username: 'admin', password: PASSWORD },
    },
    {
      id: 'cam-url', type: 'rtsp', name: 'Password in URL',
      settings: { url: rtsp.url('/main', `admin:${URL_PASSWORD}@`) },
    },
    ...extraSources,
  );
  return config;
}

test('a subscriber gets the media event, then the codec configuration and a keyframe, then frames in order', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client } = await connect(t, server);
  const reply = await client.request('subscribe', { sources: [{ id: 'cam-a', stream: 'main' }] });
  assert.ok(reply.ok, JSON.stringify(reply));
  const frames = await waitFrames(client, 20);
  const info = client.messages.find((m) => m.ev === 'media' && m.source === 'cam-a');
  assert.ok(info, 'a media event');
  assert.ok(client.messages.indexOf(info) < client.messages.findIndex((m) => m.binary), 'media event before the first frame');
  assert.equal(info.kind, 'main');
  const first = frames[0];
  assert.equal(first.version, 1);
  assert.equal(first.headerLength, 24);
  assert.equal(first.stream, info.stream);
  assert.ok(first.flags & KEY, 'the first frame is a keyframe');
  assert.ok(first.flags & CONFIG, 'with SPS and PPS');
  const types = nalTypes(first.au);
  assert.ok(types.includes(7) && types.includes(8) && types.includes(5), `SPS, PPS, IDR in ${types}`);
  // The codec string is known by now (it came with the keyframe).
  const known = client.messages.filter((m) => m.ev === 'media' && m.source === 'cam-a').at(-1);
  assert.match(known.codec, /^avc1\.[0-9A-F]{6}$/);
  assert.equal(known.width, 640);
  assert.equal(known.height, 360);
  for (let i = 1; i < frames.length; i++) {
    assert.ok(frames[i].pts > frames[i - 1].pts, `pts increase at ${i}`);
    assert.equal(frames[i].stream, info.stream);
  }
  const lateness = frames.map((f) => Date.now() * 1000 - f.receivedUs);
  assert.ok(lateness.every((us) => us >= 0), 'receive times are in the past');
});

test('a new viewer starts at once from the last keyframe; a substream subscriber gets the smaller stream', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client: a } = await connect(t, server);
  await a.request('subscribe', { sources: ['cam-a'] });
  await waitFrames(a, 30);
  const { client: b } = await connect(t, server);
  const started = Date.now();
  await b.request('subscribe', { sources: ['cam-a'] });
  const [first] = await waitFrames(b, 1, 3000);
  assert.ok(Date.now() - started < 1000, 'the cached frames come at once');
  assert.ok(first.flags & KEY, 'starting with a keyframe');
  const { client: c } = await connect(t, server);
  await c.request('subscribe', { sources: [{ id: 'cam-a', stream: 'sub' }] });
  await waitFrames(c, 5);
  const info = c.messages.filter((m) => m.ev === 'media').at(-1);
  assert.equal(info.kind, 'sub');
  assert.equal(info.width, 320);
  assert.ok(framesOf(c)[0].flags & 4, 'substream flag');
});

test('camera down: status reconnecting; back up: frames resume within 3 s by themselves', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-a'] });
  await waitFrames(client, 10);
  const port = rtsp.port;
  await rtsp.stop();
  await client.waitFor((m) => m.ev === 'source' && m.source.id === 'cam-a' && m.source.status === 'reconnecting', 15000);
  const before = framesOf(client).length;
  rtsp = await startRtsp({
    port,
    mounts: { '/main': 'test:640x360@15', '/sub': 'test:320x180@10' },
    user: 'admin',
    password: PASSWORD,
  });
  const restarted = Date.now();
  // The plugin's backoff may be waiting (at most 30 s); what counts is the
  // time from its next attempt. Frames must come back without any request.
  await client.waitFor((m) => m.ev === 'source' && m.source.id === 'cam-a' && m.source.status === 'live'
    && client.messages.indexOf(m) > 0, 40000);
  const seen = framesOf(client).length;
  await waitFrames(client, seen + 1, 5000);
  const resumedAfter = Date.now() - restarted;
  t.diagnostic(`frames resumed ${resumedAfter} ms after the RTSP server restarted`);
  // The camera was down about a second, so the backoff is at its first
  // steps (1 s, 2 s): the issue asks for frames again within 3 s.
  assert.ok(resumedAfter < 3000, `frames resumed after ${resumedAfter} ms`);
  await waitFrames(client, before + 5, 5000);
  const resumed = framesOf(client).slice(before);
  assert.ok(resumed[0].flags & KEY, 'resumes on a keyframe');
  const stats = client.messages.filter((m) => m.ev === 'stats').at(-1);
  assert.ok(stats.sources['cam-a'].reconnects >= 1, JSON.stringify(stats.sources['cam-a']));
});

test('a client that never reads does not delay another client', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client: stuck } = await connect(t, server);
  await stuck.request('subscribe', { sources: ['cam-a'] });
  stuck.ws._socket.pause(); // stops reading; the server's socket fills up
  const { client: reader } = await connect(t, server);
  await reader.request('subscribe', { sources: ['cam-a'] });
  const startCount = framesOf(reader).length;
  await sleep(4000);
  const frames = framesOf(reader).slice(startCount);
  assert.ok(frames.length >= 40, `the reader got ${frames.length} frames in 4 s at 15 fps`);
  // Frame-to-frame gaps stay those of the camera (15 fps), never seconds.
  const arrivals = reader.messages.filter((m) => m.binary);
  assert.ok(arrivals.length > 0);
  const lateUs = frames.map((f) => f.receivedUs);
  for (let i = 1; i < lateUs.length; i++) assert.ok(lateUs[i] - lateUs[i - 1] < 1_000_000, 'no stall');
  const resp = await httpGet(server, '/metrics');
  assert.match(resp.body, /pantau_stream_viewers\{source="cam-a",stream="main"\} 2/);
});

test('passwords never appear in messages, logs or HTTP responses', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client, snapshot } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-a', 'cam-url'] });
  await waitFrames(client, 10);
  // cam-url's password (with an '@' in it) is not the server's: its failure
  // reason is where a careless plugin would quote the URL.
  await client.waitFor((m) => m.ev === 'source' && m.source.id === 'cam-url' && m.source.status !== 'live', 15000);
  await client.request('snapshot');
  const http = [];
  for (const path of ['/metrics', '/api/sources/cam-a/snapshot.jpg', '/console', '/wall']) {
    http.push((await httpGet(server, path)).body);
  }
  const texts = client.messages.filter((m) => !m.binary).map((m) => JSON.stringify(m));
  const everything = [JSON.stringify(snapshot), ...texts, ...http, server.output()].join('\n');
  for (const secret of [PASSWORD, URL_PASSWORD, 'urlpw', 'Hidden7']) {
    assert.ok(!everything.includes(secret), `'${secret}' leaked`);
  }
  const cam = snapshot.sources.find((s) => s.id === 'cam-url');
  assert.equal(cam.settings.url, rtsp.url('/main', 'admin@'));
  assert.equal(snapshot.sources.find((s) => s.id === 'cam-a').settings.password, undefined);
});

test('snapshot.jpg gives the current picture, /metrics the statistics', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  // No viewer yet: the snapshot starts a stream for a moment.
  const jpeg = await new Promise((resolve, reject) => {
    import('node:http').then(({ get }) => get(`${server.url}/api/sources/cam-a/snapshot.jpg`, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    }).on('error', reject));
  });
  assert.equal(jpeg.status, 200);
  assert.equal(jpeg.type, 'image/jpeg');
  assert.equal(jpeg.body[0], 0xff);
  assert.equal(jpeg.body[1], 0xd8);
  assert.ok(jpeg.body.length > 1000);
  assert.equal((await httpGet(server, '/api/sources/clock-a/snapshot.jpg')).status, 404, 'not a camera');
  assert.equal((await httpGet(server, '/api/sources/nope/snapshot.jpg')).status, 404);
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-a'] });
  await waitFrames(client, 30);
  // cam-url has no substream: asking for one gets its main stream, and no
  // never-opened "sub" stream appears in the metrics. (Asked once cam-a's
  // frames flow: the test RTSP server can abort when two clients join one
  // of its shared streams before it has sent anything.)
  await client.request('subscribe', { sources: ['cam-a', { id: 'cam-url', stream: 'sub' }] });
  const metrics = (await httpGet(server, '/metrics')).body;
  assert.match(metrics, /pantau_stream_viewers\{source="cam-url",stream="main"\} 1/);
  assert.doesNotMatch(metrics, /source="cam-url",stream="sub"/);
  const fps = Number(/pantau_stream_fps\{source="cam-a",stream="main"\} ([0-9.]+)/.exec(metrics)?.[1]);
  assert.ok(fps > 5 && fps < 30, `fps ${fps}\n${metrics}`);
  assert.match(metrics, /pantau_camera_live\{source="cam-a"\} 1/);
  assert.match(metrics, /# TYPE pantau_camera_reconnects_total counter/);
});

test('a stream stops a grace period after its last viewer and starts again for the next', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-a'] });
  await waitFrames(client, 5);
  await client.request('subscribe', { sources: [] });
  await sleep(1500); // grace is 500 ms in this config
  assert.match(server.output(), /cam-a: main stream stops/);
  const metrics = (await httpGet(server, '/metrics')).body;
  assert.match(metrics, /pantau_stream_last_frame_age_seconds\{source="cam-a",stream="main"\} -1/);
  const count = framesOf(client).length;
  await client.request('subscribe', { sources: ['cam-a'] });
  await waitFrames(client, count + 5);
});

test('a camera that is not there: reconnecting with a reason, the server keeps serving', async (t) => {
  const config = cameraConfig([{ id: 'cam-gone', type: 'rtsp', name: 'Gone', settings: { url: 'rtsp://127.0.0.1:9/none' } }]);
  const server = await serverFor(t, { config });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-gone'] });
  const ev = await client.waitFor((m) => m.ev === 'source' && m.source.id === 'cam-gone'
    && ['reconnecting', 'error', 'offline'].includes(m.source.status), 15000);
  assert.ok(ev.source.reason, 'with a reason');
  assert.ok((await client.request('ping')).ok);
});

test('a URL whose password holds an unencoded "/" is refused with a way out, and the password is never shown', async (t) => {
  const secret = 'Rahasia-9/77';
  const config = cameraConfig([
    { id: 'cam-slash', type: 'rtsp', name: 'Slash', settings: { url: `rtsp://admin:${secret}@10.0.0.9/main` } },
    { id: 'cam-quote', type: 'rtsp', name: 'Quote', settings: { url: 'rtsp://admin:Kutip"77@127.0.0.1:9/main' } },
  ]);
  const server = await serverFor(t, { config });
  const { client, snapshot } = await connect(t, server);
  const slash = snapshot.sources.find((s) => s.id === 'cam-slash');
  assert.equal(slash.status, 'error');
  assert.match(slash.reason, /an '@' after the host .* %2F/);
  await client.request('subscribe', { sources: ['cam-quote'] });
  await client.waitFor((m) => m.ev === 'source' && m.source.id === 'cam-quote' && m.source.status !== 'live', 15000);
  await sleep(300);
  const everything = server.output() + JSON.stringify(client.messages);
  for (const leaked of ['Rahasia', '9/77', 'Kutip']) assert.ok(!everything.includes(leaked), `'${leaked}' leaked`);
});

test('simulated test cameras deliver decodable H.264', async (t) => {
  const config = cameraConfig([{ id: 'cam-test', type: 'test', name: 'Jl. Sudirman', settings: {} }]);
  const server = await serverFor(t, { config });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-test'] });
  const frames = await waitFrames(client, 10);
  assert.ok(frames[0].flags & KEY);
  const info = client.messages.filter((m) => m.ev === 'media' && m.source === 'cam-test').at(-1);
  assert.match(info.codec, /^avc1\.42/, 'constrained baseline');
});
