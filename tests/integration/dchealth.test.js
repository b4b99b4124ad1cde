// dchealth: this host's metrics, TCP/HTTP checks, Prometheus scraping (a
// real node_exporter and a feed that can break), and UPS status from a real
// NUT server (upsd + dummy-ups) switched between on-line and on-battery.
// Asserts the published data, stale/error status with reasons, recovery,
// and events raised once on crossing and once on clearing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { serverFor, connect, sleep } from '../lib/harness.js';
import { startNut } from '../lib/nut.js';
import { closedPort } from '../lib/ports.js';
import { startNodeExporter } from '../lib/node-exporter.js';

const SOURCE = 'dc';

function dcConfig(settings) {
  return {
    server: { listen: '127.0.0.1', port: 0 },
    plugins: { load: ['dchealth'] },
    sources: [{ id: SOURCE, type: 'dchealth', name: 'Data centre', settings: { interval_ms: 300, ...settings } }],
    walls: [{
      id: 'main', name: 'Test wall',
      displays: { columns: 1, rows: 1, width: 1920, height: 1080, bezel: { x: 0, y: 0 } },
      layout: { columns: 1, rows: 1, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: SOURCE }] },
    }],
  };
}

// A server with a dchealth source and a client subscribed to it.
async function start(t, settings) {
  const server = await serverFor(t, { config: dcConfig(settings) });
  const { client, snapshot } = await connect(t, server);
  const reply = await client.request('subscribe', { sources: [SOURCE] });
  assert.ok(reply.ok || reply.error?.code === 'unknown_op', `subscribe: ${JSON.stringify(reply)}`);
  return { server, client, snapshot };
}

// The data of the first `data` event from now on that satisfies pred.
function dataWhere(client, pred, timeoutMs = 8000, what = 'data') {
  const start = client.messages.length;
  return client.waitFor((m) => m.ev === 'data' && m.source === SOURCE && client.messages.indexOf(m) >= start && pred(m.data), timeoutMs)
    .then((m) => m.data)
    .catch(() => { throw new Error(`no ${what} within ${timeoutMs} ms; last: ${JSON.stringify(lastData(client))}`); });
}

const lastData = (client) => client.messages.filter((m) => m.ev === 'data' && m.source === SOURCE).at(-1)?.data;

// The source as the client knows it now (the latest `source` event, else
// the snapshot), if it satisfies pred; else the next `source` event that does.
function statusWhere(client, pred, timeoutMs = 8000, what = 'status') {
  const found = [...client.messages].reverse().find((m) => (m.ev === 'source' && m.source.id === SOURCE) || m.ev === 'snapshot');
  const known = found?.ev === 'snapshot' ? { source: found.sources.find((x) => x.id === SOURCE) } : found;
  if (known && pred(known.source)) return Promise.resolve(known.source);
  return client.waitFor((m) => m.ev === 'source' && m.source.id === SOURCE && pred(m.source), timeoutMs)
    .then((m) => m.source)
    .catch(() => { throw new Error(`no ${what} within ${timeoutMs} ms; last: ${JSON.stringify(known?.source)}`); });
}

const eventsFor = (client, condition) => client.messages.filter((m) => m.ev === 'event' && m.source === SOURCE && m.details?.condition === condition);

function eventWhere(client, condition, active, timeoutMs = 8000) {
  return client.waitFor((m) => m.ev === 'event' && m.source === SOURCE && m.details?.condition === condition && m.details.active === active, timeoutMs)
    .catch(() => { throw new Error(`no event ${condition} active=${active} within ${timeoutMs} ms; events: ${JSON.stringify(client.messages.filter((m) => m.ev === 'event'))}`); });
}

const near = (ms, slack = 5000) => typeof ms === 'number' && Math.abs(ms - Date.now()) <= slack;

// A local HTTP peer whose answers the test switches: 'ok', 'garbage', 'fail'
// (HTTP 500) or 'hang' (never answers). /metrics serves Prometheus text with
// the value of `temp`.
async function startFeed(t) {
  const feed = { mode: 'ok', temp: 50, requests: 0 };
  const hung = new Set();
  const server = http.createServer((req, res) => {
    feed.requests++;
    if (feed.mode === 'hang') { hung.add(res); return; }
    if (feed.mode === 'fail') { res.writeHead(500); res.end('internal error'); return; }
    if (feed.mode === 'garbage') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('<html>\x00\x01 not { metrics } at all\n' + 'x'.repeat(70000)); return; }
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# HELP pantau_test_temp A temperature.\n# TYPE pantau_test_temp gauge\npantau_test_temp{room="server"} ${feed.temp}\npantau_test_temp{room="office"} 21`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  feed.port = server.address().port;
  feed.url = (path) => `http://127.0.0.1:${feed.port}${path}`;
  t.after(() => new Promise((resolve) => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    server.close(resolve);
  }));
  return feed;
}

test('this host: CPU, memory, disk, load and network from /proc, with updated_ms', async (t) => {
  const { client, snapshot } = await start(t, { host: { mode: 'local', disks: ['/'] } });
  const source = snapshot.sources.find((s) => s.id === SOURCE);
  assert.equal(source.kind, 'widget');
  assert.equal(source.web_module, '/plugins/dchealth/dchealth.js');
  const data = await dataWhere(client, (d) => typeof d.host?.cpu_percent === 'number' && typeof d.host?.net?.rx_bps === 'number', 5000, 'a second host sample');
  const h = data.host;
  assert.equal(h.mode, 'local');
  assert.ok(h.cpu_percent >= 0 && h.cpu_percent <= 100, `cpu ${h.cpu_percent}`);
  const memTotal = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024;
  assert.equal(h.mem.total_bytes, memTotal);
  assert.ok(h.mem.used_bytes > 0 && h.mem.used_bytes < memTotal);
  assert.equal(h.load.length, 3);
  assert.ok(h.load.every((v) => typeof v === 'number' && v >= 0));
  assert.ok(h.cpus >= 1);
  assert.ok(h.net.rx_bps >= 0 && h.net.tx_bps >= 0);
  assert.equal(h.disks.length, 1);
  assert.equal(h.disks[0].path, '/');
  assert.ok(h.disks[0].total_bytes > 0 && h.disks[0].percent >= 0 && h.disks[0].percent <= 100);
  assert.ok(near(data.updated_ms) && near(h.updated_ms), `updated_ms ${data.updated_ms} / ${h.updated_ms}`);
  assert.ok(data.history.t.length >= 2 && data.history.cpu.length === data.history.t.length, 'history for the charts');
  assert.equal(data.ups, null, 'no UPS configured');
  assert.equal((await statusWhere(client, (s) => s.status === 'live')).reason, null);
});

test('checks: HTTP up, TCP refused, HTTP 500 and timeout; events once on down and once on up', async (t) => {
  const feed = await startFeed(t);
  const refused = await closedPort();
  const { client } = await start(t, {
    host: { mode: 'off' },
    checks: [
      { name: 'web', type: 'http', url: feed.url('/health'), timeout_ms: 500, token: 'T0KEN-never-published' },
      { name: 'feed-tcp', type: 'tcp', host: '127.0.0.1', port: feed.port },
      { name: 'db', type: 'tcp', host: '127.0.0.1', port: refused, timeout_ms: 500 },
    ],
  });
  const first = await dataWhere(client, (d) => d.checks.every((c) => c.state !== 'pending'));
  const byName = Object.fromEntries(first.checks.map((c) => [c.name, c]));
  assert.equal(byName.web.state, 'up');
  assert.equal(byName.web.code, 200);
  assert.ok(byName.web.latency_ms >= 0);
  assert.equal(byName['feed-tcp'].state, 'up');
  assert.equal(byName.db.state, 'down');
  assert.equal(byName.db.level, 'crit');
  assert.match(byName.db.reason, /refused/);
  assert.ok(near(byName.db.updated_ms));

  feed.mode = 'fail';
  const down = await eventWhere(client, 'check:web:down', true);
  assert.equal(down.severity, 'critical');
  assert.match(down.message, /web.*down.*HTTP 500/);
  const d500 = await dataWhere(client, (d) => d.checks[0].state === 'down');
  assert.equal(d500.checks[0].code, 500);

  feed.mode = 'hang';
  const timedOut = await dataWhere(client, (d) => /timeout/.test(d.checks[0].reason || ''), 5000, 'a timed-out check');
  assert.equal(timedOut.checks[0].state, 'down');

  feed.mode = 'ok';
  const up = await eventWhere(client, 'check:web:down', false);
  assert.equal(up.severity, 'info');
  await sleep(1000);
  assert.equal(eventsFor(client, 'check:web:down').length, 2, 'one event down, one up, no repeats');
  // db went down before this client connected: its one event came before.
  assert.ok(eventsFor(client, 'check:db:down').length <= 1, 'no repeats for a check that stays down');
  assert.equal((await statusWhere(client, () => true)).status, 'live', 'a check that is down is data, not a source failure');
  const text = JSON.stringify(client.messages);
  assert.ok(!text.includes('T0KEN-never-published'), 'the token is never published');
});

test('Prometheus: a real node_exporter scraped with selectors', async (t) => {
  const exporter = await startNodeExporter();
  t.after(() => exporter.stop());
  const { client } = await start(t, {
    host: { mode: 'off' },
    exporters: [{
      name: 'node', url: exporter.url,
      metrics: ['node_memory_MemTotal_bytes', { selector: 'node_load1', label: 'Load 1m' },
        { selector: 'node_filesystem_size_bytes{mountpoint="/"}', label: 'Root size', unit: 'bytes' },
        'node_no_such_metric'],
    }],
  });
  const data = await dataWhere(client, (d) => d.exporters[0].state === 'ok');
  const [e] = data.exporters;
  assert.equal(e.name, 'node');
  assert.ok(near(e.updated_ms));
  const [mem, load, root, missing] = e.metrics;
  const memTotal = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024;
  assert.equal(mem.value, memTotal);
  assert.equal(load.label, 'Load 1m');
  assert.ok(typeof load.value === 'number' && load.value >= 0);
  assert.equal(root.matches, 1);
  assert.ok(root.value > 0);
  assert.equal(missing.value, null);
  assert.equal(missing.matches, 0);
  assert.equal((await statusWhere(client, () => true)).status, 'live');

  await exporter.stop();
  const stale = await statusWhere(client, (s) => s.status === 'stale', 8000, 'stale after node_exporter stopped');
  assert.match(stale.reason, /exporter node: .*refused/);
  const kept = await dataWhere(client, (d) => d.exporters[0].state === 'stale');
  assert.equal(kept.exporters[0].metrics[0].value, memTotal, 'the last good values stay');
});

test('Prometheus: garbage, HTTP 500 and recovery; a metric threshold raises once and clears once', async (t) => {
  const feed = await startFeed(t);
  const { client } = await start(t, {
    host: { mode: 'off' },
    hysteresis: 5,
    exporters: [{
      name: 'env', url: feed.url('/metrics'), timeout_ms: 1000,
      metrics: [{ selector: 'pantau_test_temp{room="server"}', label: 'Server room', unit: '°C', above: 80 }],
    }],
  });
  const ok = await dataWhere(client, (d) => d.exporters[0].state === 'ok');
  assert.equal(ok.exporters[0].metrics[0].value, 50);
  await statusWhere(client, (s) => s.status === 'live');

  feed.mode = 'garbage';
  const garbage = await statusWhere(client, (s) => s.status === 'stale', 5000, 'stale on garbage');
  assert.match(garbage.reason, /exporter env: not Prometheus text/);
  const kept = await dataWhere(client, (d) => d.exporters[0].state === 'stale');
  assert.equal(kept.exporters[0].metrics[0].value, 50, 'keeps the last good value');
  assert.ok(kept.exporters[0].updated_ms < kept.updated_ms, 'the age shows');

  feed.mode = 'fail';
  await statusWhere(client, (s) => s.status === 'stale' && /HTTP 500/.test(s.reason), 5000, 'stale with HTTP 500');

  feed.mode = 'ok';
  feed.temp = 95;
  const raised = await eventWhere(client, 'threshold:metric:env:pantau_test_temp{room="server"}', true);
  assert.equal(raised.severity, 'warning');
  assert.match(raised.message, /Server room 95\.0°C above 80\.0°C/);
  assert.equal((await statusWhere(client, (s) => s.status === 'live')).reason, null, 'recovered');
  const hot = await dataWhere(client, (d) => d.exporters[0].metrics[0].value === 95);
  assert.equal(hot.exporters[0].metrics[0].level, 'crit');
  feed.temp = 78; // inside the hysteresis band: still raised
  await dataWhere(client, (d) => d.exporters[0].metrics[0].value === 78);
  await sleep(600);
  feed.temp = 96;
  await dataWhere(client, (d) => d.exporters[0].metrics[0].value === 96);
  feed.temp = 40;
  const cleared = await eventWhere(client, 'threshold:metric:env:pantau_test_temp{room="server"}', false);
  assert.equal(cleared.severity, 'info');
  await sleep(600);
  const events = eventsFor(client, 'threshold:metric:env:pantau_test_temp{room="server"}');
  assert.deepEqual(events.map((e) => e.details.active), [true, false], 'once on crossing, once on clearing');
});

test('a peer that never answered: status error with the reason', async (t) => {
  const refused = await closedPort();
  const { client } = await start(t, {
    host: { mode: 'off' },
    exporters: [{ name: 'gone', url: `http://127.0.0.1:${refused}/metrics`, metrics: ['up'] }],
  });
  const s = await statusWhere(client, (x) => x.status === 'error');
  assert.match(s.reason, /exporter gone: connection refused/);
  const d = await dataWhere(client, (x) => x.exporters[0].state === 'error');
  assert.equal(d.exporters[0].updated_ms, null);
});

test('UPS over NUT: on-line, on battery, low battery, back; stale while upsd is down; recovery', async (t) => {
  const nut = await startNut({ ups: 'dummy', vars: { status: 'OL', charge: 100, runtime: 1800 } });
  t.after(() => nut.stop());
  const { client, server } = await start(t, {
    host: { mode: 'off' },
    ups: { mode: 'nut', host: '127.0.0.1', port: nut.port, name: 'dummy', timeout_ms: 1000,
      username: 'monitor', password: 'n0t-in-any-message' },
  });
  const online = await dataWhere(client, (d) => d.ups?.power === 'online');
  assert.equal(online.ups.charge, 100);
  assert.equal(online.ups.runtime_s, 1800);
  assert.equal(online.ups.status, 'OL');
  assert.equal(online.ups.level, 'ok');
  assert.ok(near(online.ups.updated_ms));

  await nut.set({ status: 'OB DISCHRG', charge: 80, runtime: 900 });
  const ob = await eventWhere(client, 'ups:on_battery', true);
  assert.equal(ob.severity, 'warning');
  assert.match(ob.message, /on battery/);
  const onBattery = await dataWhere(client, (d) => d.ups.power === 'on_battery');
  assert.equal(onBattery.ups.level, 'warn');

  await nut.set({ status: 'OB LB', charge: 10, runtime: 120 });
  const lb = await eventWhere(client, 'ups:low_battery', true);
  assert.equal(lb.severity, 'critical');
  await dataWhere(client, (d) => d.ups.power === 'low_battery' && d.ups.charge === 10);

  await nut.set({ status: 'OL CHRG', charge: 12, runtime: 150 });
  await eventWhere(client, 'ups:on_battery', false);
  await eventWhere(client, 'ups:low_battery', false);
  await dataWhere(client, (d) => d.ups.power === 'online');
  assert.equal(eventsFor(client, 'ups:on_battery').length, 2, 'on battery: once raised, once cleared');
  assert.equal(eventsFor(client, 'ups:low_battery').length, 2, 'low battery: once raised, once cleared');

  await nut.stopServer();
  const stale = await statusWhere(client, (s) => s.status === 'stale', 5000, 'stale while upsd is down');
  assert.match(stale.reason, /ups dummy: connection refused/);
  const kept = await dataWhere(client, (d) => d.ups.state === 'stale');
  assert.equal(kept.ups.power, 'online', 'the last good state stays');
  assert.equal(eventsFor(client, 'ups:on_battery').length, 2, 'an unreachable server is not a power event');

  await nut.startServer();
  await statusWhere(client, (s) => s.status === 'live', 8000, 'live again');
  await dataWhere(client, (d) => d.ups.state === 'ok');

  const everything = JSON.stringify(client.messages) + server.output();
  assert.ok(!everything.includes('n0t-in-any-message'), 'the NUT password is never published or logged');
});

test('simulated mode: plausible data for host, checks and UPS with no outside system', async (t) => {
  const { client } = await start(t, {
    host: { mode: 'simulated', disks: ['/', '/data'] },
    checks: [{ name: 'portal', type: 'simulated' }],
    ups: { mode: 'simulated', name: 'ups-main' },
  });
  const d = await dataWhere(client, (x) => x.ups?.state === 'ok' && x.checks[0].state === 'up');
  assert.ok(d.host.cpu_percent > 0 && d.host.cpu_percent < 100);
  assert.ok(d.host.mem.percent > 0 && d.host.mem.percent < 100);
  assert.equal(d.host.disks.length, 2);
  assert.equal(d.ups.power, 'online');
  assert.ok(d.ups.runtime_s > 0 && d.ups.charge === 100);
  assert.ok(d.checks[0].latency_ms > 0);
  assert.equal((await statusWhere(client, () => true)).status, 'live');
});

test('invalid settings: the source has status error with a reason', async (t) => {
  const server = await serverFor(t, { config: dcConfig({ checks: [{ name: 'x', type: 'ftp' }] }) });
  const { snapshot } = await connect(t, server);
  const s = snapshot.sources.find((x) => x.id === SOURCE);
  assert.equal(s.status, 'error');
  assert.match(s.reason, /checks\[0\]\.type/);
});
