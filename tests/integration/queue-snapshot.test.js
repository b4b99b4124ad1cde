// The snapshot always reaches a new client, however large the state: it is
// not held to the per-client queue limit (16 MiB) that cuts off slow readers,
// and goes out in parts. A client that stops reading afterwards is still cut
// off by that limit. Here the state is 18 walls with names of 1.2 MiB each,
// so the snapshot alone is about 22 MiB; the names have characters of two
// and three bytes, which the parts cut through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, Client, testConfig, wallIn, sleep, closeCode } from '../lib/harness.js';

const MiB = 1024 * 1024;
const WALLS = 18; // 22 MiB of names: more than WS_QUEUE_MAX_BYTES
const nameOf = (i) => `${String.fromCharCode(65 + i)}é—`.repeat(MiB / 5); // 6 bytes a time
const CHANGES = 40; // 48 MiB of events afterwards: more than the queue plus socket buffers

// Opens a client and waits for its snapshot: 22 MiB take a while under ASan.
async function connect(t, server) {
  const client = new Client(server.wsUrl);
  t.after(() => client.ws.terminate());
  await client.opened;
  const snapshot = await client.waitFor((m) => m.ev === 'snapshot', 30000);
  return { client, snapshot };
}

function bigStateConfig() {
  const config = testConfig();
  const [wall] = config.walls;
  config.walls = Array.from({ length: WALLS }, (_, i) => ({
    ...wall,
    id: i === 0 ? 'main' : `w${i}`,
    name: nameOf(i),
  }));
  return config;
}

test('a snapshot larger than the client queue limit reaches every new client whole', async (t) => {
  const server = await serverFor(t, { config: bigStateConfig() });
  for (let round = 0; round < 2; round++) {
    const { client, snapshot } = await connect(t, server);
    assert.equal(snapshot.walls.length, WALLS);
    snapshot.walls.forEach((w, i) => assert.ok(w.name === nameOf(i), `wall ${w.id} has its name`));
    assert.equal(typeof (await client.request('ping')).ok.time, 'number', 'the connection is usable');
    assert.equal(client.ws.readyState, client.ws.OPEN);
  }
  assert.doesNotMatch(server.output(), /queue full/);
});

test('after a large snapshot, a client that stops reading is still cut off with 1008', async (t) => {
  const server = await serverFor(t, { config: bigStateConfig() });
  const { client: reader } = await connect(t, server);
  const { client: slow } = await connect(t, server);
  const { client: writer, snapshot } = await connect(t, server);
  slow.ws._socket.pause();

  const first = wallIn(snapshot).version;
  let version = first;
  for (let i = 0; i < CHANGES; i++) {
    const reply = await writer.request('tile.set_source', { wall: 'main', version, tile: 't2', source: i % 2 ? null : 'clock-b' });
    assert.deepEqual(reply.ok, { wall: 'main', version: version + 1 }, JSON.stringify(reply).slice(0, 200));
    version = reply.ok.version;
    await sleep(10); // stay under 100 requests a second
  }
  await reader.waitFor((m) => m.ev === 'wall' && m.wall.version === version, 10000);
  assert.equal(reader.ws.readyState, reader.ws.OPEN, 'the reading client stays connected');

  slow.ws._socket.resume();
  assert.equal(await closeCode(slow), 1008, 'the client that stopped reading is closed with 1008');
  const { reason } = await slow.closed;
  assert.equal(reason, 'too slow');
  assert.ok(slow.messages.filter((m) => m.ev === 'wall').length < CHANGES, 'it did not get everything');
  assert.match(server.output(), /client 127\.0\.0\.1 .*queue full/);
});
