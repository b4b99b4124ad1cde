// A camera's status tells the truth (issue 12): idle until a stream has
// run, the step that failed and why, every restart counted, snapshot.jpg
// answering at once for a failing camera, and passwords that the README
// allows working on both RTSP paths. The real server with the cctv plugin;
// the cameras are the real test RTSP server or small scripted TCP servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import http from 'node:http';
import { serverFor, connect, sleep, httpGet, testConfig } from '../lib/harness.js';
import { startRtsp, closedPort } from '../lib/rtsp.js';

const PASSWORD = 'Sup3r-Secret_9';
// Every character the README lets a password hold raw in a URL.
const RAW_PASSWORD = 'p@ss:"<w>9';

let rtsp;
let rtspRaw;
before(async () => {
  rtsp = await startRtsp({ mounts: { '/main': 'test:320x180@15' }, user: 'admin', password: PASSWORD });
  rtspRaw = await startRtsp({ mounts: { '/main': 'test:320x180@15' }, user: 'admin', password: RAW_PASSWORD });
});
after(async () => {
  await rtsp?.stop();
  await rtspRaw?.stop();
});

// A TCP server on 127.0.0.1 that hands each connection to onConnection.
// Resolves to { port, close() }; closed when the test ends.
async function scriptedCamera(t, onConnection) {
  const sockets = new Set();
  const srv = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => srv.close(resolve));
  });
  return { port: srv.address().port };
}

// Answers every RTSP request with `status` (e.g. '503 Service Unavailable').
function answerEvery(status) {
  return (socket) => socket.on('data', (data) => {
    const cseq = /CSeq: *(\d+)/i.exec(String(data))?.[1] ?? '0';
    socket.write(`RTSP/1.0 ${status}\r\nCSeq: ${cseq}\r\n\r\n`);
  });
}

function cameraConfig(sources) {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 500 };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push(...sources);
  return config;
}

const cam = (id, settings) => ({ id, type: 'rtsp', name: id, settings });
const statusEvents = (client, id) => client.messages.filter((m) => m.ev === 'source' && m.source.id === id).map((m) => m.source);
const waitStatus = (client, id, pred, timeoutMs = 15000) => client.waitFor((m) => m.ev === 'source' && m.source.id === id && pred(m.source), timeoutMs).then((m) => m.source);
const lastStats = (client) => client.messages.filter((m) => m.ev === 'stats').at(-1)?.sources;

test('a camera nobody has opened yet is idle (snapshot, stats, /metrics, no alarm) until a stream runs', async (t) => {
  const closed = await closedPort();
  const server = await serverFor(t, { config: cameraConfig([
    cam('cam-closed', { url: `rtsp://127.0.0.1:${closed}/main` }),
    cam('cam-good', { url: rtsp.url('/main'), username: 'admin', password: PASSWORD }),
  ]) });
  const { client, snapshot } = await connect(t, server);
  for (const id of ['cam-closed', 'cam-good']) {
    assert.equal(snapshot.sources.find((s) => s.id === id).status, 'idle', id);
  }
  await client.waitFor((m) => m.ev === 'stats', 3000);
  assert.equal(lastStats(client)['cam-closed'].status, 'idle');
  let metrics = (await httpGet(server, '/metrics')).body;
  assert.match(metrics, /pantau_camera_live\{source="cam-closed"\} 0/);
  assert.match(metrics, /pantau_camera_status\{source="cam-closed",status="idle"\} 1/);
  assert.match(metrics, /pantau_camera_status\{source="cam-closed",status="live"\} 0/);
  await client.request('subscribe', { sources: ['cam-good'] });
  await waitStatus(client, 'cam-good', (s) => s.status === 'live');
  metrics = (await httpGet(server, '/metrics')).body;
  assert.match(metrics, /pantau_camera_live\{source="cam-good"\} 1/);
  assert.match(metrics, /pantau_camera_status\{source="cam-good",status="live"\} 1/);
  assert.match(metrics, /pantau_camera_status\{source="cam-good",status="idle"\} 0/);
  // Idle is not down: past the alarm debounce (3 s) nothing is raised.
  await sleep(3500);
  const { snapshot: later } = await connect(t, server);
  assert.equal(later.sources.find((s) => s.id === 'cam-closed').status, 'idle');
  assert.deepEqual(later.alarms.filter((a) => a.source === 'cam-closed'), []);
});

test('a camera that accepts the connection and never answers: "did not answer DESCRIBE", never live', async (t) => {
  const silent = await scriptedCamera(t, () => {});
  const server = await serverFor(t, { config: cameraConfig([cam('cam-silent', { url: `rtsp://127.0.0.1:${silent.port}/main` })]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-silent'] });
  const first = await waitStatus(client, 'cam-silent', () => true, 15000);
  assert.equal(first.status, 'reconnecting');
  assert.match(first.reason, /did not answer DESCRIBE in 10 s/);
  assert.ok(!statusEvents(client, 'cam-silent').some((s) => s.status === 'live'));
  assert.doesNotMatch(server.output(), /no video for 5 s/);
});

test('an HTTP server at the camera\'s address: not an RTSP server, quoting its status line', async (t) => {
  // A web interface: Node's parser takes DESCRIBE as a method; no such page.
  const web = http.createServer((req, res) => { res.statusCode = 404; res.end('no such page'); });
  await new Promise((resolve) => web.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { web.closeAllConnections(); web.close(resolve); }));
  const { port } = web.address();
  const server = await serverFor(t, { config: cameraConfig([cam('cam-web', { url: `rtsp://127.0.0.1:${port}/main` })]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-web'] });
  const st = await waitStatus(client, 'cam-web', (s) => s.status !== 'idle');
  assert.equal(st.status, 'error');
  assert.match(st.reason, new RegExp(`127\\.0\\.0\\.1:${port} is not an RTSP server: it answered "HTTP/1\\.1 404 Not Found"`));
});

test('GStreamer path: a connection failure names the host and the cause, as the lean client does', async (t) => {
  const closed = await closedPort();
  const server = await serverFor(t, { config: cameraConfig([
    cam('cam-udp', { url: `rtsp://127.0.0.1:${closed}/main`, transport: 'udp' }),
    cam('cam-tcp', { url: `rtsp://127.0.0.1:${closed}/main` }),
  ]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-udp', 'cam-tcp'] });
  const udp = await waitStatus(client, 'cam-udp', (s) => s.status !== 'idle');
  const tcp = await waitStatus(client, 'cam-tcp', (s) => s.status !== 'idle');
  assert.equal(udp.status, 'reconnecting');
  assert.equal(udp.reason, `cannot connect to 127.0.0.1:${closed}: Connection refused`);
  assert.equal(udp.reason, tcp.reason);
});

test('GStreamer path: an error reply from the camera is named, not "Unhandled error"', async (t) => {
  const busy = await scriptedCamera(t, answerEvery('503 Service Unavailable'));
  const server = await serverFor(t, { config: cameraConfig([
    cam('cam-busy', { url: `rtsp://127.0.0.1:${busy.port}/main`, transport: 'udp' }),
  ]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-busy'] });
  const st = await waitStatus(client, 'cam-busy', (s) => s.status !== 'idle');
  assert.equal(st.status, 'reconnecting');
  assert.match(st.reason, new RegExp(`camera 127\\.0\\.0\\.1:${busy.port} answered 503 Service Unavailable`));
  assert.doesNotMatch(st.reason, /Unhandled/);
});

test('every restart counts in stats.reconnects and pantau_camera_reconnects_total', async (t) => {
  // Accepts and hangs up at once: every attempt fails, and the plugin
  // restarts after 1, 2, 4, 8 s.
  const hangup = await scriptedCamera(t, (socket) => socket.destroy());
  const server = await serverFor(t, { config: cameraConfig([cam('cam-hangup', { url: `rtsp://127.0.0.1:${hangup.port}/main` })]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-hangup'] });
  const restarts = () => (server.output().match(/cam-hangup: main stream: .*; retrying in/g) || []).length;
  const deadline = Date.now() + 15000;
  while (restarts() < 4 && Date.now() < deadline) await sleep(100);
  assert.equal(restarts(), 4, server.output());
  // The next restart is 8 s away: the figures have settled.
  await sleep(1500);
  assert.equal(lastStats(client)['cam-hangup'].reconnects, 4);
  const metrics = (await httpGet(server, '/metrics')).body;
  assert.match(metrics, /pantau_camera_reconnects_total\{source="cam-hangup"\} 4/);
});

test('snapshot.jpg of a failing camera answers 503 at once with its status and reason', async (t) => {
  const closed = await closedPort();
  const server = await serverFor(t, { config: cameraConfig([
    cam('cam-down', { url: `rtsp://127.0.0.1:${closed}/main` }),
    cam('cam-wrong', { url: rtsp.url('/main', 'admin:Wrong-Pass_7@') }),
  ]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-down'] });
  await waitStatus(client, 'cam-down', (s) => s.status === 'reconnecting');
  let started = Date.now();
  let reply = await httpGet(server, '/api/sources/cam-down/snapshot.jpg');
  let took = Date.now() - started;
  assert.equal(reply.status, 503);
  assert.ok(took < 3000, `answered after ${took} ms`);
  assert.match(reply.body, /reconnecting: cannot connect to 127\.0\.0\.1:\d+: Connection refused/);
  // Nobody watches this one: the snapshot opens it and ends at its failure.
  started = Date.now();
  reply = await httpGet(server, '/api/sources/cam-wrong/snapshot.jpg');
  took = Date.now() - started;
  assert.equal(reply.status, 503);
  assert.ok(took < 3000, `answered after ${took} ms`);
  assert.match(reply.body, /error: check username and password/);
  assert.ok(!reply.body.includes('Wrong-Pass'), reply.body);
});

test('a password holding @ : " < > raw in the URL works on the GStreamer path too', async (t) => {
  const url = rtspRaw.url('/main', `admin:${RAW_PASSWORD}@`);
  const server = await serverFor(t, { config: cameraConfig([
    cam('cam-raw-udp', { url, transport: 'udp' }),
    cam('cam-raw-tcp', { url }),
  ]) });
  const { client } = await connect(t, server);
  await client.request('subscribe', { sources: ['cam-raw-udp', 'cam-raw-tcp'] });
  for (const id of ['cam-raw-udp', 'cam-raw-tcp']) {
    const st = await waitStatus(client, id, (s) => s.status !== 'idle');
    assert.equal(st.status, 'live', `${id}: ${JSON.stringify(st)}`);
  }
  const everything = server.output() + JSON.stringify(client.messages.filter((m) => !m.binary));
  assert.ok(!everything.includes('p@ss') && !everything.includes('<w>9'), 'the password leaked');
});

test('the advice for an unencoded "/" in a URL password agrees with the README', async (t) => {
  const server = await serverFor(t, { config: cameraConfig([cam('cam-slash', { url: 'rtsp://admin:Rahasia-9/77@10.0.0.9/main' })]) });
  const { snapshot } = await connect(t, server);
  const { reason } = snapshot.sources.find((s) => s.id === 'cam-slash');
  assert.match(reason, /'\/', '\?' and '#' as %2F, %3F and %23/);
  assert.doesNotMatch(reason, /%40/, 'the README lets "@" stay as it is');
});
