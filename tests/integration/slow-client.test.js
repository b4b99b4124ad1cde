// A client that does not read: its bounded outgoing queue (16 MiB) fills, it
// is disconnected with 1008, and nobody else is slowed; on reconnecting it
// gets a fresh snapshot. The wall's name is 1 MiB so that each `wall` event
// is large and a few dozen changes overflow the queue (and the kernel's
// socket buffers) quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, connect, testConfig, wallIn, sleep, closeCode } from '../lib/harness.js';

const CHANGES = 40; // 40 MiB of events: more than the queue plus socket buffers

test('a client that cannot keep up is disconnected with 1008; others are not slowed', async (t) => {
  const config = testConfig();
  config.walls[0].name = 'N'.repeat(1024 * 1024);
  const server = await serverFor(t, { config });
  const { client: b } = await connect(t, server);
  const { client: slow } = await connect(t, server);
  const { client: writer, snapshot } = await connect(t, server);
  slow.ws._socket.pause(); // stop reading; the server's writes to it back up

  const first = wallIn(snapshot).version;
  let version = first;
  let slowest = 0;
  for (let i = 0; i < CHANGES; i++) {
    const sent = Date.now();
    const reply = await writer.request('tile.set_source', { wall: 'main', version, tile: 't2', source: i % 2 ? null : 'clock-b' });
    slowest = Math.max(slowest, Date.now() - sent);
    assert.deepEqual(reply.ok, { wall: 'main', version: version + 1 }, JSON.stringify(reply).slice(0, 200));
    version = reply.ok.version;
    await sleep(10); // stay under 100 requests a second
  }
  // The others got every change, in order, without waiting for the slow one.
  await b.waitFor((m) => m.ev === 'wall' && m.wall.version === version);
  const seen = b.messages.filter((m) => m.ev === 'wall').map((m) => m.wall.version);
  assert.deepEqual(seen, Array.from({ length: CHANGES }, (_, i) => first + i + 1));
  assert.ok(slowest < 1000, `the writer was never held up (slowest reply ${slowest} ms)`);
  assert.equal(b.ws.readyState, b.ws.OPEN, 'the reading client stays connected');
  assert.equal(writer.ws.readyState, writer.ws.OPEN, 'the writer stays connected');

  slow.ws._socket.resume();
  assert.equal(await closeCode(slow), 1008, 'the slow client is closed with 1008');
  assert.ok(slow.messages.filter((m) => m.ev === 'wall').length < CHANGES, 'it did not get everything');

  // It resynchronises from a fresh snapshot.
  const again = await connect(t, server);
  assert.equal(wallIn(again.snapshot).version, version);
});
