// The total budget for client queues (server.client_queue_budget_mib): each
// client that stops reading is bounded on its own (4 MiB of video), but many
// of them together would pin memory without end. Past the budget the server
// cuts off the clients that have stalled longest, and never a client that
// keeps up. A simulated camera sends noise at 10 Mbit/s to six clients that
// stop reading and to one that reads; the budget is 4 MiB.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { serverFor, connect, testConfig, httpGet, sleep } from '../lib/harness.js';

const MiB = 1024 * 1024;
const BUDGET_MIB = 4;
const STALLED = 6;

function cameraConfig() {
  const config = testConfig();
  config.server = { ...config.server, client_queue_budget_mib: BUDGET_MIB };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({
    id: 'cam-noise', type: 'test', name: 'Noise',
    settings: { pattern: 'snow', width: 640, height: 360, fps: 25, bitrate_kbps: 10000 },
  });
  return config;
}

const frameCount = (client) => client.messages.filter((m) => m.binary).length;

async function metric(server, name) {
  const { body } = await httpGet(server, '/metrics');
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(body);
  assert.ok(m, `no ${name} in /metrics:\n${body}`);
  return Number(m[1]);
}

const cutLines = (server) => server.output().split('\n').filter((l) => /cut off.*budget/.test(l));

// The server's TCP sockets to the given client ports, still in the kernel
// (/proc/net/tcp6 for the server's dual-stack socket, /proc/net/tcp:
// "local_address rem_address st ..." with addresses and ports in hex).
function serverSocketsTo(server, ports) {
  const lines = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1));
  return lines.filter((line) => {
    const [, local, remote] = line.trim().split(/\s+/);
    if (!local) return false;
    return parseInt(local.split(':')[1], 16) === server.port && ports.includes(parseInt(remote.split(':')[1], 16));
  });
}

// Resolves with "code reason" when the client is closed, or 'open' after ms.
const closedWithin = (client, ms) =>
  Promise.race([client.closed.then(({ code, reason }) => `${code} ${reason}`), sleep(ms).then(() => 'open')]);

test('past the total queue budget the stalled clients are cut off, the reader keeps its frames', async (t) => {
  const server = await serverFor(t, { config: cameraConfig() });
  const { client: reader } = await connect(t, server);
  assert.ok((await reader.request('subscribe', { sources: ['cam-noise'] })).ok);
  const stalled = [];
  for (let i = 0; i < STALLED; i++) {
    const { client } = await connect(t, server);
    assert.ok((await client.request('subscribe', { sources: ['cam-noise'] })).ok);
    client.ws._socket.pause(); // stops reading; the server's writes to it back up
    stalled.push(client);
  }

  // Until most of the stalled clients are cut: the queues stay within the
  // budget (give or take what the reader is handed at once), and the
  // reader's frames keep coming. Without a budget they would hold 24 MiB.
  let most = 0;
  const deadline = Date.now() + 45000;
  while (cutLines(server).length < STALLED - 1) {
    assert.ok(Date.now() < deadline, `only ${cutLines(server).length} clients cut:\n${server.output().slice(-3000)}`);
    const bytes = await metric(server, 'pantau_client_queue_bytes');
    most = Math.max(most, bytes);
    assert.ok(bytes <= (BUDGET_MIB + 1) * MiB, `client queues hold ${bytes} bytes, over the budget`);
    await sleep(200);
  }
  assert.ok(most > MiB, `the stalled clients did queue video (at most ${most} bytes)`);
  assert.equal(await metric(server, 'pantau_client_queue_budget_bytes'), BUDGET_MIB * MiB);
  assert.ok(await metric(server, 'pantau_client_budget_cuts_total') >= STALLED - 1);
  const before = frameCount(reader);
  await sleep(1000);
  assert.ok(frameCount(reader) > before + 10, 'the reader still gets frames');
  assert.equal(reader.ws.readyState, reader.ws.OPEN, 'the reader is never cut');
  for (const line of cutLines(server)) assert.match(line, /client 127\.0\.0\.1 cut off: what it was sent has not moved for \d/);

  // Those that read again learn why they were cut.
  const reading = stalled.slice(0, STALLED / 2);
  for (const client of reading) client.ws._socket.resume();
  const reasons = await Promise.all(reading.map((client) => closedWithin(client, 5000)));
  const cut = reasons.filter((r) => r !== 'open');
  assert.ok(cut.length >= reading.length - 1, `closed: ${JSON.stringify(reasons)}`);
  for (const r of cut) assert.equal(r, '1008 too slow (server queue budget)');

  // Those that do not read even their close frame are closed without it
  // (WS_CUT_CLOSE_SECONDS), with a reset: the kernel keeps nothing for them,
  // where a graceful close would leave megabytes queued to a peer that
  // never reads.
  const paused = stalled.slice(STALLED / 2);
  const closeBy = Date.now() + 20000;
  for (;;) {
    const clients = await metric(server, 'pantau_clients');
    const expected = 1 + STALLED - cutLines(server).length; // the reader and any not cut
    if (clients === expected) break;
    assert.ok(Date.now() < closeBy, `${clients} clients connected, expected ${expected}`);
    await sleep(500);
  }
  const uncutPaused = STALLED - cutLines(server).length - reasons.filter((r) => r === 'open').length;
  const left = serverSocketsTo(server, paused.map((c) => c.ws._socket.localPort));
  assert.equal(left.length, uncutPaused, `sockets left:\n${left.join('\n')}`);
  const after = frameCount(reader);
  await sleep(1000);
  assert.ok(frameCount(reader) > after + 10, 'the reader still gets frames');
  assert.equal(reader.ws.readyState, reader.ws.OPEN, 'the reader is never cut');
});

// Makes client read about `bytes` every 100 ms and no more: a client on a
// slow link, behind the camera but never stalled.
function throttle(t, client, bytes) {
  const socket = client.ws._socket;
  let allowance = bytes;
  socket.on('data', (chunk) => {
    allowance -= chunk.length;
    if (allowance <= 0) socket.pause();
  });
  const timer = setInterval(() => { allowance = bytes; socket.resume(); }, 100);
  t.after(() => clearInterval(timer));
}

test('a client that reads, however slowly, is never cut for the budget; it loses frames instead', async (t) => {
  // A budget of 1 MiB, and three clients that read half of what the camera
  // sends: their queues would fill it many times over, but they keep moving.
  const config = cameraConfig();
  config.server.client_queue_budget_mib = 1;
  const server = await serverFor(t, { config });
  const { client: reader } = await connect(t, server);
  assert.ok((await reader.request('subscribe', { sources: ['cam-noise'] })).ok);
  const slow = [];
  for (let i = 0; i < 3; i++) {
    const { client } = await connect(t, server);
    assert.ok((await client.request('subscribe', { sources: ['cam-noise'] })).ok);
    throttle(t, client, 32 * 1024);
    slow.push(client);
  }
  let most = 0;
  for (const end = Date.now() + 12000; Date.now() < end;) {
    const bytes = await metric(server, 'pantau_client_queue_bytes');
    most = Math.max(most, bytes);
    assert.ok(bytes <= 2 * MiB, `client queues hold ${bytes} bytes, over the budget`);
    await sleep(200);
  }
  assert.ok(most > MiB / 2, `the slow clients did queue video (at most ${most} bytes)`);
  assert.deepEqual(cutLines(server), []);
  for (const client of [reader, ...slow]) assert.equal(client.ws.readyState, client.ws.OPEN);
  const before = slow.map(frameCount);
  const readerBefore = frameCount(reader);
  await sleep(2000);
  assert.ok(frameCount(reader) > readerBefore + 20, 'the reader gets every frame');
  slow.forEach((client, i) => assert.ok(frameCount(client) > before[i], `slow client ${i} still gets frames`));
});
