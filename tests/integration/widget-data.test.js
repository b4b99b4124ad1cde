// Widget data: the clock plugin publishes the server's time every second as
// `data` events, sent only to clients that subscribed to the clock; the
// snapshot carries the latest data of every widget, and a subscription's
// reply the recent history of each widget it adds.
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
  const reply = await client.request('subscribe', { sources: ['clock-a', 'clock-b'] });
  assert.ok(reply.ok, JSON.stringify(reply));
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

test('a client that subscribed to nothing gets no data events; subscribing starts them', async (t) => {
  const server = await serverFor(t);
  const { client: quiet } = await connect(t, server);
  await new Promise((resolve) => setTimeout(resolve, 2300));
  assert.equal(quiet.messages.filter((m) => m.ev === 'data').length, 0, 'no data before subscribing');
  const reply = await quiet.request('subscribe', { sources: ['clock-b'] });
  assert.ok(reply.ok, JSON.stringify(reply));
  // The reply carries what clock-b published so far, oldest first.
  const history = reply.ok.history['clock-b'];
  assert.ok(Array.isArray(history) && history.length >= 2, JSON.stringify(reply.ok));
  for (let i = 1; i < history.length; i++) assert.ok(history[i].time >= history[i - 1].time, 'oldest first');
  assert.equal(reply.ok.history['clock-a'], undefined, 'nothing for a widget not asked for');
  await quiet.waitFor((m) => m.ev === 'data' && m.source === 'clock-b', 3000);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal(quiet.messages.filter((m) => m.ev === 'data' && m.source === 'clock-a').length, 0,
    'only the subscribed widget');
  // An empty list stops them.
  assert.ok((await quiet.request('subscribe', { sources: [] })).ok);
  const count = quiet.messages.filter((m) => m.ev === 'data').length;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(quiet.messages.filter((m) => m.ev === 'data').length, count, 'no data after unsubscribing');
});

test('a bad subscription is refused, names the field, and keeps the old one', async (t) => {
  const server = await serverFor(t);
  const { client: c } = await connect(t, server);
  assert.ok((await c.request('subscribe', { sources: ['clock-a'] })).ok);
  const cases = [
    [{}, 'bad_request', 'sources'],
    [{ sources: 'clock-a' }, 'bad_request', 'sources'],
    [{ sources: ['clock-a', 'nope'] }, 'not_found', 'sources[1]'],
    [{ sources: [5] }, 'bad_request', 'sources[0]'],
    [{ sources: [{ id: 'clock-a', stream: 'huge' }] }, 'bad_request', 'sources[0]'],
    [{ sources: Array.from({ length: 300 }, () => 'clock-a') }, 'bad_request', 'sources'],
  ];
  for (const [fields, code, field] of cases) {
    const reply = await c.request('subscribe', fields);
    assert.equal(reply.error?.code, code, JSON.stringify(reply));
    assert.equal(reply.error.field, field, JSON.stringify(reply));
  }
  const before = c.messages.filter((m) => m.ev === 'data' && m.source === 'clock-a').length;
  await c.waitFor((m) => m.ev === 'data' && m.source === 'clock-a'
    && c.messages.filter((x) => x.ev === 'data' && x.source === 'clock-a').length > before, 3000);
});
