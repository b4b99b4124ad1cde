// The data-centre health widget on /wall: it renders this host's numbers,
// its charts, the checks and the UPS from real data, and shows the stale
// treatment (the widget kit's band, drawn by the page, and the part's own
// badge) when its exporter dies, then recovers.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

// A Prometheus text endpoint that can be shut down and brought back on the
// same port.
async function startExporter(port = 0) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# TYPE pantau_test_temp gauge\npantau_test_temp{room="server"} 24.5\n');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

function config(exporterPort) {
  return {
    server: { listen: '127.0.0.1', port: 0 },
    plugins: { load: ['dchealth'] },
    sources: [{
      id: 'dc', type: 'dchealth', name: 'Data centre',
      settings: {
        label: 'City DC', interval_ms: 400,
        host: { mode: 'local', disks: ['/'] },
        checks: [{ name: 'portal', type: 'simulated' }],
        exporters: [{ name: 'env', url: `http://127.0.0.1:${exporterPort}/metrics`, timeout_ms: 500,
          metrics: [{ selector: 'pantau_test_temp{room="server"}', label: 'Server room', unit: '°C', above: 30 }] }],
        ups: { mode: 'simulated', name: 'ups-a' },
      },
    }],
    walls: [{
      id: 'main', name: 'Test wall',
      displays: { columns: 1, rows: 1, width: 1920, height: 1080, bezel: { x: 0, y: 0 } },
      layout: { columns: 1, rows: 1, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'dc' }] },
    }],
  };
}

test('the dchealth widget renders live data on /wall and shows stale when its exporter dies', async () => {
  let exporter = await startExporter();
  const server = await startServer({ config: config(exporter.port) });
  try {
    const page = await openPage(chromium.browser, `${server.url}/wall?wall=main`, { viewport: { width: 1600, height: 900 } });
    await waitConnected(page);
    const tile = '#wall [data-tile="t1"][data-source="dc"]';
    await page.waitForSelector(`${tile} .pantau-dchealth[data-updated]`, { timeout: 8000 });
    // The host's numbers, once two samples exist.
    await page.waitForFunction((sel) => /^\d+(\.\d)?%$/.test(document.querySelector(`${sel} [data-part="cpu"] .dch-stat-value`)?.textContent || ''), tile, { timeout: 8000 });
    assert.match(await page.textContent(`${tile} [data-part="mem"] .dch-stat-value`), /^\d+(\.\d)?%$/);
    assert.match(await page.textContent(`${tile} .dch-title`), /City DC/);
    assert.equal(await page.getAttribute(`${tile} .dch-disk`, 'data-path'), '/');
    assert.equal(await page.getAttribute(`${tile} .dch-check[data-check="portal"]`, 'data-level'), 'ok');
    assert.equal(await page.getAttribute(`${tile} .dch-ups`, 'data-power'), 'online');
    assert.match(await page.textContent(`${tile} .dch-metric[data-selector='pantau_test_temp{room="server"}'] .dch-metric-value`), /24\.5 °C/);
    // uPlot drew both charts.
    await page.waitForSelector(`${tile} .dch-chart[data-chart="cpu"] .uplot canvas`, { timeout: 5000 });
    await page.waitForSelector(`${tile} .dch-chart[data-chart="net"] .uplot canvas`, { timeout: 5000 });
    assert.equal(await page.isVisible(`${tile} .widget-state`), false, 'no stale band while live');
    const level = await page.getAttribute(`${tile} .pantau-dchealth`, 'data-level');
    // (not asserted green: Chromium itself may push this host's CPU past 90%)
    assert.ok(['ok', 'warn', 'crit'].includes(level), `overall level ${level}`);
    assert.equal(await page.getAttribute(`${tile} .dch-metric`, 'data-level'), 'warn', '24.5 is within 80% of 30');

    // The exporter dies: the kit's band (drawn by the page, as the widget
    // draws no state of its own) and the part's badge say stale.
    const port = exporter.port;
    await exporter.stop();
    await page.waitForSelector(`${tile} .widget-state[data-status="stale"]:not([hidden])`, { timeout: 8000 });
    assert.match(await page.textContent(`${tile} .widget-state`), /Data out of date.*last data \d+ s ago.*exporter env: connection refused/);
    await page.waitForSelector(`${tile} .dch-exporter[data-state="stale"] .dch-badge[data-state="stale"]`, { timeout: 5000 });
    assert.match(await page.textContent(`${tile} .dch-metric-value`), /24\.5 °C/, 'the last good value stays');

    // It comes back: the band goes.
    exporter = await startExporter(port);
    await page.waitForSelector(`${tile} .widget-state`, { state: 'hidden', timeout: 8000 });
    await page.waitForSelector(`${tile} .dch-exporter[data-state="ok"]`, { timeout: 5000 });
    assertNoProblems(page);
  } finally {
    await server.stop();
    server.cleanup();
    await exporter.stop();
  }
});

test('the widget fits a small console-sized tile without errors', async () => {
  const exporter = await startExporter();
  const cfg = config(exporter.port);
  cfg.walls[0].layout = { columns: 4, rows: 4, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'dc' }] };
  const server = await startServer({ config: cfg });
  try {
    const page = await openPage(chromium.browser, `${server.url}/wall?wall=main`, { viewport: { width: 800, height: 450 } });
    await waitConnected(page);
    const tile = '#wall [data-tile="t1"][data-source="dc"]';
    await page.waitForSelector(`${tile} .pantau-dchealth[data-updated]`, { timeout: 8000 });
    const box = await page.locator(`${tile} .pantau-dchealth`).boundingBox();
    const cpu = await page.locator(`${tile} [data-part="cpu"]`).boundingBox();
    assert.ok(cpu.x >= box.x && cpu.x + cpu.width <= box.x + box.width + 1, 'the numbers stay inside the tile');
    assertNoProblems(page);
  } finally {
    await server.stop();
    server.cleanup();
    await exporter.stop();
  }
});
