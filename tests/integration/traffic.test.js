// The traffic plugin against the real server: simulated corridors, an HTTP
// feed read through a field mapping (good data, garbage, wrong shape, HTTP
// 500, a hang, recovery), the jam event raised once and cleared once, and a
// feed token that never leaves the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, connect, testConfig, sleep } from '../lib/harness.js';
import { startFeedServer, subscribe, nextMessage } from '../lib/feed-server.js';

const TOKEN = 's3cr3t-traffic-token';

function config(sources) {
  const base = testConfig();
  return { ...base, plugins: { load: ['clock', 'traffic'] }, sources: [...base.sources, ...sources] };
}

const isData = (id) => (m) => m.ev === 'data' && m.source === id;
const isSource = (id, status) => (m) => m.ev === 'source' && m.source.id === id && m.source.status === status;
const isEvent = (id) => (m) => m.ev === 'event' && m.source === id;

async function feedFor(t) {
  const feed = await startFeedServer();
  t.after(() => feed.close());
  return feed;
}

function corridors(levels) {
  return {
    data: {
      segments: Object.entries(levels).map(([code, [volume, kmh, level]]) => ({
        kode: code, info: { nama: `Simpang ${code}` }, volume, kecepatan: kmh, ...(level ? { status: level } : {}),
      })),
    },
  };
}

const httpSource = (url, extra = {}) => ({
  id: 'traffic-http', type: 'traffic', name: 'Traffic feed',
  settings: {
    feed: 'http', url, token: TOKEN, interval_s: 0.25, timeout_s: 0.6, jam_alert_s: 0.8, history_points: 5,
    mapping: { list: '/data/segments', id: '/kode', name: '/info/nama', count: '/volume', speed: '/kecepatan', level: '/status' },
    ...extra,
  },
});

test('simulated corridors publish levels, counts, speeds and a full history', async (t) => {
  const server = await serverFor(t, { config: config([{
    id: 'traffic-sim', type: 'traffic', name: 'Bandung',
    settings: { feed: 'simulated', interval_s: 0.5, history_points: 20 },
  }]) });
  const { client, snapshot } = await connect(t, server);
  await subscribe(client, ['traffic-sim']);
  const source = snapshot.sources.find((s) => s.id === 'traffic-sim');
  assert.equal(source.status, 'live');
  assert.equal(source.web_module, '/plugins/traffic/traffic.js');
  const first = await nextMessage(client, isData('traffic-sim'), 3000, 0);
  const second = await nextMessage(client, isData('traffic-sim'), 3000, client.messages.indexOf(first) + 1);
  const { data } = second;
  assert.equal(data.feed, 'simulated');
  assert.ok(Math.abs(data.updated_ms - Date.now()) < 3000, `updated_ms ${data.updated_ms}`);
  assert.ok(second.data.updated_ms > first.data.updated_ms, 'the simulation moves on');
  assert.equal(data.corridors.length, 5);
  const sum = data.summary.free + data.summary.dense + data.summary.jammed;
  assert.equal(sum, 5);
  for (const c of data.corridors) {
    assert.match(c.level, /^(free|dense|jammed)$/);
    assert.ok(c.count >= 0 && c.speed > 0 && c.speed < 120, JSON.stringify(c));
    assert.equal(c.history.t.length, 20, 'history filled from the start');
    assert.equal(c.history.speed.length, 20);
    assert.ok(c.history.t.every((x, i, a) => i === 0 || x > a[i - 1]), 'history in time order');
  }
});

test('an HTTP feed is read through the mapping; the token is sent but never published', async (t) => {
  const feed = await feedFor(t);
  feed.set('good', corridors({ A: [120, 42.5, 'lancar'], B: [40, 9] }));
  const server = await serverFor(t, { config: config([httpSource(feed.url())]) });
  const { client, snapshot } = await connect(t, server);
  await subscribe(client, ['traffic-http']);
  const ev = await nextMessage(client, isData('traffic-http'), 5000, 0);
  const [a, b] = ev.data.corridors;
  assert.deepEqual([a.id, a.name, a.count, a.speed, a.level], ['A', 'Simpang A', 120, 42.5, 'free']);
  assert.deepEqual([b.id, b.level], ['B', 'jammed'], 'no level given: from the speed');
  assert.equal(ev.data.feed, 'http');
  assert.ok(feed.requests.length > 0);
  assert.equal(feed.requests[0].headers.authorization, `Bearer ${TOKEN}`);
  const published = JSON.stringify(snapshot) + JSON.stringify(client.messages);
  assert.ok(!published.includes(TOKEN), 'the token never reaches a client');
  assert.ok(!server.output().includes(TOKEN), 'the token is never logged');
  const settings = snapshot.sources.find((s) => s.id === 'traffic-http').settings;
  assert.equal(settings.token, undefined);
  assert.equal(settings.headers, undefined);
});

test('bad feeds keep the last good data and set stale/error with a reason, then recover', async (t) => {
  const feed = await feedFor(t);
  feed.set('good', corridors({ A: [100, 50] }));
  const server = await serverFor(t, { config: config([httpSource(feed.url())]) });
  const { client } = await connect(t, server);
  await subscribe(client, ['traffic-http']);
  let good = await nextMessage(client, isData('traffic-http'), 5000, 0);
  assert.equal(good.data.corridors[0].count, 100);

  const cases = [
    ['garbage', 'error', /not JSON/],
    ['shape', 'error', /no list at '\/data\/segments'/],
    ['500', 'stale', /HTTP 500/],
    ['hang', 'stale', /timed out after 600 ms/],
  ];
  for (const [mode, status, reason] of cases) {
    const from = client.messages.length;
    feed.set(mode);
    const ev = await nextMessage(client, isSource('traffic-http', status), 5000, from);
    assert.match(ev.source.reason, reason, `${mode}: ${ev.source.reason}`);
    await sleep(400);
    const published = client.messages.slice(client.messages.indexOf(ev)).filter(isData('traffic-http'));
    assert.deepEqual(published, [], `${mode}: nothing published while the feed is bad`);
    const before = client.messages.slice(0, client.messages.indexOf(ev)).filter(isData('traffic-http')).at(-1);
    const { ok } = await client.request('snapshot');
    assert.deepEqual(ok.data['traffic-http'].data, before.data, `${mode}: last good data kept`);

    const back = client.messages.length;
    feed.set('good', corridors({ A: [100, 50] }));
    await nextMessage(client, isSource('traffic-http', 'live'), 5000, back);
    const fresh = await nextMessage(client, isData('traffic-http'), 5000, back);
    assert.ok(fresh.data.updated_ms > good.data.updated_ms, `${mode}: recovered with new data`);
    good = fresh;
  }
});

test('a corridor jammed longer than jam_alert_s raises one event, and one when it clears', async (t) => {
  const feed = await feedFor(t);
  feed.set('good', corridors({ A: [100, 50], B: [30, 8, 'macet'] }));
  const server = await serverFor(t, { config: config([httpSource(feed.url())]) });
  const { client } = await connect(t, server);
  await subscribe(client, ['traffic-http']);
  const raised = await nextMessage(client, isEvent('traffic-http'), 5000, 0);
  assert.equal(raised.severity, 'warning');
  assert.deepEqual({ condition: raised.details.condition, active: raised.details.active },
    { condition: 'traffic.jammed.B', active: true });
  assert.match(raised.message, /Simpang B jammed/);
  const data = client.messages.filter(isData('traffic-http'));
  assert.ok(data.length >= 3, 'several polls before the event (hold time)');
  await sleep(1200); // still jammed: no repeat
  assert.equal(client.messages.filter(isEvent('traffic-http')).length, 1, 'raised once');

  // A failing feed neither clears nor repeats it.
  feed.set('500');
  await sleep(700);
  feed.set('good', corridors({ A: [100, 50], B: [50, 35, 'lancar'] }));
  const cleared = await nextMessage(client, (m) => isEvent('traffic-http')(m) && m !== raised, 5000, 0);
  assert.deepEqual({ condition: cleared.details.condition, active: cleared.details.active },
    { condition: 'traffic.jammed.B', active: false });
  assert.equal(cleared.severity, 'info');
  await sleep(800);
  assert.equal(client.messages.filter(isEvent('traffic-http')).length, 2, 'cleared once');
});

test('bad settings make the source status error with a reason', async (t) => {
  const server = await serverFor(t, { config: config([
    { id: 'traffic-nourl', type: 'traffic', name: 'No URL', settings: { feed: 'http' } },
    { id: 'traffic-badmap', type: 'traffic', name: 'Bad map', settings: { mapping: { list: 'corridors' } } },
  ]) });
  const { snapshot } = await connect(t, server);
  const nourl = snapshot.sources.find((s) => s.id === 'traffic-nourl');
  assert.equal(nourl.status, 'error');
  assert.match(nourl.reason, /url/);
  const badmap = snapshot.sources.find((s) => s.id === 'traffic-badmap');
  assert.equal(badmap.status, 'error');
  assert.match(badmap.reason, /mapping\.list/);
});
