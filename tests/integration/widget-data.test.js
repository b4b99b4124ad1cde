// Widget data: the clock plugin publishes the server's time every second as
// `data` events; the snapshot carries the latest data of every widget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, Client, serverFor, connect, testConfig } from '../lib/harness.js';

const near = (ms, slackMs = 2000) => Math.abs(ms - Date.now()) <= slackMs;

// The first two tests share one server and one client (they wait for ticks).
let server, client;
before(async () => {
  server = await startServer();
  client = new Client(server.wsUrl);
  await client.opened;
});
after(async () => {
  client.ws.terminate();
  await stopServer(server);
  server.cleanup();
});

test('a client gets a data event for a clock within 3 s, with time_ms close to now', async () => {
  const ev = await client.waitFor((m) => m.ev === 'data' && m.source === 'clock-a', 3000);
  assert.ok(near(ev.data.time_ms), `time_ms ${ev.data.time_ms} vs now ${Date.now()}`);
  assert.ok(near(ev.time), `time ${ev.time}`);
  assert.equal(ev.data.timezone, 'Asia/Jakarta');
  assert.equal(ev.data.label, 'WIB');
  assert.equal(ev.data.utc_offset_minutes, 420);
  assert.equal(ev.data.show_seconds, false);
});

test('every clock publishes, about once a second, with increasing times', async () => {
  const second = (id) => client.waitFor((m) => m.ev === 'data' && m.source === id
    && client.messages.filter((x) => x.ev === 'data' && x.source === id).length >= 2, 3000);
  await Promise.all([second('clock-a'), second('clock-b')]);
  for (const id of ['clock-a', 'clock-b']) {
    const events = client.messages.filter((m) => m.ev === 'data' && m.source === id);
    const [e1, e2] = events;
    assert.ok(e2.data.time_ms > e1.data.time_ms, 'time moves on');
    assert.ok(e2.data.time_ms - e1.data.time_ms >= 500 && e2.data.time_ms - e1.data.time_ms <= 1500,
      `about a second apart: ${e2.data.time_ms - e1.data.time_ms} ms`);
  }
  const b = client.messages.find((m) => m.ev === 'data' && m.source === 'clock-b');
  assert.equal(b.data.timezone, 'UTC');
  assert.equal(b.data.utc_offset_minutes, 0);
});

test('the snapshot carries the latest data of every widget', async (t) => {
  const server = await serverFor(t);
  const { snapshot } = await connect(t, server);
  assert.deepEqual(Object.keys(snapshot.data).sort(), ['clock-a', 'clock-b']);
  for (const [id, entry] of Object.entries(snapshot.data)) {
    assert.ok(near(entry.time), `${id} time ${entry.time}`);
    assert.ok(near(entry.data.time_ms), `${id} time_ms ${entry.data.time_ms}`);
  }
  const source = snapshot.sources.find((s) => s.id === 'clock-a');
  assert.equal(source.status, 'live');
  assert.equal(source.kind, 'widget');
  assert.equal(source.plugin, 'clock');
  assert.equal(source.web_module, '/plugins/clock/clock.js');
});

test('a clock with an unknown time zone has status error with a reason', async (t) => {
  const server = await serverFor(t, { config: {
    ...testConfig(),
    sources: [
      { id: 'clock-a', type: 'clock', name: 'Clock A', settings: { timezone: 'Asia/Jakarta' } },
      { id: 'clock-b', type: 'clock', name: 'Clock B', settings: { timezone: 'Mars/Olympus_Mons' } },
    ],
  } });
  const { snapshot } = await connect(t, server);
  const bad = snapshot.sources.find((s) => s.id === 'clock-b');
  assert.equal(bad.status, 'error');
  assert.equal(typeof bad.reason, 'string');
  assert.ok(bad.reason.length > 0);
});
