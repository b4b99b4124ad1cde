// The services plugin against the real server: simulated tickets, an HTTP
// JSON list of tickets (good, garbage, wrong shape, HTTP 500, a hang,
// recovery), a CSV file changed on disk, and the overdue event raised once
// above the threshold and cleared once below it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverFor, connect, testConfig, sleep } from '../lib/harness.js';
import { startFeedServer, subscribe, nextMessage, latestData } from '../lib/feed-server.js';

const TOKEN = 's3cr3t-services-token';

function config(sources) {
  const base = testConfig();
  return { ...base, plugins: { load: ['clock', 'services'] }, sources: [...base.sources, ...sources] };
}

const isData = (id) => (m) => m.ev === 'data' && m.source === id;
const isSource = (id, status) => (m) => m.ev === 'source' && m.source.id === id && m.source.status === status;
const isEvent = (id) => (m) => m.ev === 'event' && m.source === id;

// n tickets created long ago and still new (all overdue), plus closed ones.
function tickets(overdue, closed = 0) {
  const list = [];
  for (let i = 0; i < overdue; i++) {
    list.push({ id: `LPR-${i}`, title: `Jalan berlubang ${i}`, status: 'new', agency: 'Dinas PUPR', channel: 'LAPOR!', created: '2024-01-02T09:00:00+07:00' });
  }
  for (let i = 0; i < closed; i++) {
    list.push({ id: `OK-${i}`, title: 'Selesai', status: 'selesai', agency: 'Dishub', channel: 'WhatsApp', created: Date.now() - 3600000 });
  }
  return { tickets: list };
}

async function feedFor(t) {
  const feed = await startFeedServer();
  t.after(() => feed.close());
  return feed;
}

const httpSource = (url, extra = {}) => ({
  id: 'svc-http', type: 'services', name: 'Pengaduan',
  settings: { feed: 'http', url, list: '/tickets', token: TOKEN, interval_s: 0.25, timeout_s: 0.6, overdue_alert: 3, ...extra },
});

test('simulated tickets: counts by status, agency and channel, overdue listed', async (t) => {
  const server = await serverFor(t, { config: config([{ id: 'svc-sim', type: 'services', name: 'Pengaduan', settings: {} }]) });
  const { client, snapshot } = await connect(t, server);
  const reply = await subscribe(client, ['svc-sim']);
  const source = snapshot.sources.find((s) => s.id === 'svc-sim');
  assert.equal(source.status, 'live');
  assert.equal(source.web_module, '/plugins/services/services.js');
  const { data } = await latestData(client, snapshot, reply, 'svc-sim');
  assert.equal(data.feed, 'simulated');
  assert.ok(Math.abs(data.updated_ms - Date.now()) < 15000);
  const s = data.by_status;
  assert.equal(s.new + s.forwarded + s.in_progress + s.closed, data.total);
  assert.equal(data.open, data.total - s.closed);
  assert.ok(data.total > 500, `a month of tickets: ${data.total}`);
  assert.ok(data.by_agency.length >= 3 && data.by_channel.length >= 3);
  assert.deepEqual(data.deadlines, { forward_wd: 3, follow_up_wd: 5, close_wd: 10 });
  const o = data.overdue;
  assert.equal(o.forward + o.follow_up + o.close, o.count);
  assert.ok(o.list.length <= 12);
  for (const item of o.list) assert.match(item.missed, /^(forward|follow_up|close)$/);
});

test('HTTP tickets: overdue above the threshold raises once, back under clears once; token stays secret', async (t) => {
  const feed = await feedFor(t);
  feed.set('good', tickets(2, 1));
  const server = await serverFor(t, { config: config([httpSource(feed.url())]) });
  const { client, snapshot } = await connect(t, server);
  await subscribe(client, ['svc-http']);
  const first = await nextMessage(client, isData('svc-http'), 5000, 0);
  assert.equal(first.data.total, 3);
  assert.equal(first.data.overdue.count, 2);
  assert.equal(first.data.overdue.threshold, 3);
  assert.equal(first.data.overdue.list[0].missed, 'close');
  assert.equal(feed.requests[0].headers.authorization, `Bearer ${TOKEN}`);

  feed.set('good', tickets(5, 1));
  const raised = await nextMessage(client, isEvent('svc-http'), 5000, 0);
  assert.equal(raised.severity, 'warning');
  assert.deepEqual([raised.details.condition, raised.details.active, raised.details.overdue], ['services.overdue', true, 5]);
  await sleep(800);
  feed.set('good', tickets(6, 1)); // still above: no repeat
  await sleep(800);
  assert.equal(client.messages.filter(isEvent('svc-http')).length, 1, 'raised once');

  feed.set('good', tickets(1, 4));
  const cleared = await nextMessage(client, (m) => isEvent('svc-http')(m) && m !== raised, 5000, 0);
  assert.deepEqual([cleared.details.condition, cleared.details.active], ['services.overdue', false]);
  await sleep(800);
  assert.equal(client.messages.filter(isEvent('svc-http')).length, 2, 'cleared once');

  const everything = JSON.stringify(snapshot) + JSON.stringify(client.messages) + server.output();
  assert.ok(!everything.includes(TOKEN), 'the token is never published or logged');
});

test('bad ticket feeds keep the last good data with stale/error and a reason, then recover', async (t) => {
  const feed = await feedFor(t);
  feed.set('good', tickets(1, 1));
  const server = await serverFor(t, { config: config([httpSource(feed.url())]) });
  const { client } = await connect(t, server);
  await subscribe(client, ['svc-http']);
  await nextMessage(client, isData('svc-http'), 5000, 0);
  const cases = [
    ['garbage', 'error', /not JSON/],
    ['shape', 'error', /no list of tickets at '\/tickets'/],
    ['500', 'stale', /HTTP 500/],
    ['hang', 'stale', /timed out/],
  ];
  let total = 2;
  for (const [mode, status, reason] of cases) {
    const from = client.messages.length;
    feed.set(mode);
    const ev = await nextMessage(client, isSource('svc-http', status), 5000, from);
    assert.match(ev.source.reason, reason, `${mode}: ${ev.source.reason}`);
    const { ok } = await client.request('snapshot');
    assert.equal(ok.data['svc-http'].data.total, total, `${mode}: last good data kept`);
    total += 1;
    const back = client.messages.length;
    feed.set('good', tickets(1, total - 1));
    await nextMessage(client, isSource('svc-http', 'live'), 5000, back);
    const fresh = await nextMessage(client, (m) => isData('svc-http')(m) && m.data.total === total, 5000, back);
    assert.ok(fresh, `${mode}: recovered`);
  }
});

test('a CSV file is read, re-read when it changes, and a broken one keeps the last good data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'tickets.csv');
  const header = 'id;title;status;agency;channel;created\n';
  writeFileSync(path, `${header}A-1;"Lampu PJU mati; Jl. Merdeka";baru;Dishub;LAPOR!;2024-01-02 09:00\n`);
  const server = await serverFor(t, { config: config([{
    id: 'svc-csv', type: 'services', name: 'CSV', settings: { feed: 'csv', path, interval_s: 0.5, overdue_alert: 100 },
  }]) });
  const { client, snapshot } = await connect(t, server);
  // Published at start, then only on change: maybe before we came.
  const first = await latestData(client, snapshot, await subscribe(client, ['svc-csv']), 'svc-csv');
  assert.equal(first.data.total, 1);
  assert.equal(first.data.feed, 'csv');
  assert.equal(first.data.overdue.list[0].title, 'Lampu PJU mati; Jl. Merdeka');

  // Replaced atomically, as an export tool would.
  writeFileSync(`${path}.tmp`, `${header}A-1;x;selesai;Dishub;LAPOR!;2024-01-02\nA-2;y;diproses;PDAM;WhatsApp;2024-01-03\nA-3;z;new;PDAM;Web;2024-01-04\n`);
  renameSync(`${path}.tmp`, path);
  const changed = await nextMessage(client, (m) => isData('svc-csv')(m) && m.data.total === 3, 5000, 0, 'the replaced file');
  assert.equal(changed.data.by_status.closed, 1);

  let from = client.messages.length;
  writeFileSync(path, 'id,title\n"unterminated,quote\n');
  const bad = await nextMessage(client, isSource('svc-csv', 'error'), 5000, from, 'the broken file');
  assert.match(bad.source.reason, /CSV/);
  const { ok } = await client.request('snapshot');
  assert.equal(ok.data['svc-csv'].data.total, 3, 'last good data kept');

  from = client.messages.length;
  rmSync(path);
  const gone = await nextMessage(client, isSource('svc-csv', 'stale'), 5000, from, 'the removed file');
  assert.match(gone.source.reason, /cannot read CSV file/);

  from = client.messages.length;
  writeFileSync(path, `${header}B-1;x;new;PDAM;Web;2024-01-04\nB-2;x;new;PDAM;Web;2024-01-04\n`);
  await nextMessage(client, isSource('svc-csv', 'live'), 5000, from, 'live again');
  const back = await nextMessage(client, (m) => isData('svc-csv')(m) && m.data.total === 2, 5000, from, 'the restored file');
  assert.equal(back.data.overdue.count, 2);
});
