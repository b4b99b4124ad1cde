// The traffic and services widgets on /wall: each renders its data (levels
// in colour, counts, the overdue tickets in red), and shows the widget
// kit's stale band with the reason when its feed dies.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testConfig } from '../lib/server.js';
import { startFeedServer } from '../lib/feed-server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

const trafficFeed = {
  corridors: [
    { id: 'dago', name: 'Simpang Dago', count: 120, speed: 42, level: 'free' },
    { id: 'pasteur', name: 'Gerbang Tol Pasteur', count: 300, speed: 22, level: 'dense' },
    { id: 'asia-afrika', name: 'Jl. Asia Afrika', count: 80, speed: 8, level: 'jammed' },
  ],
};

const servicesFeed = {
  tickets: [
    { id: 'LPR-1', title: 'Jalan berlubang', status: 'new', agency: 'Dinas PUPR', channel: 'LAPOR!', created: '2024-01-02T09:00:00+07:00' },
    { id: 'LPR-2', title: 'Lampu PJU mati', status: 'closed', agency: 'Dishub', channel: 'WhatsApp', created: '2024-01-03T09:00:00+07:00' },
  ],
};

function config(trafficUrl, servicesUrl) {
  const base = testConfig();
  return {
    ...base,
    plugins: { load: ['clock', 'traffic', 'services'] },
    sources: [
      ...base.sources,
      { id: 'traffic-feed', type: 'traffic', name: 'Lalu lintas', settings: { feed: 'http', url: trafficUrl, interval_s: 0.3, timeout_s: 0.5 } },
      { id: 'services-feed', type: 'services', name: 'Pengaduan', settings: { feed: 'http', url: servicesUrl, list: '/tickets', interval_s: 0.3, timeout_s: 0.5 } },
    ],
    walls: [{
      ...base.walls[0],
      layout: { columns: 2, rows: 1, tiles: [
        { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'traffic-feed' },
        { id: 't2', x: 1, y: 0, w: 1, h: 1, source: 'services-feed' },
      ] },
    }],
  };
}

test('traffic and services widgets render on /wall and show the stale band when their feed dies', async () => {
  const traffic = await startFeedServer();
  const services = await startFeedServer();
  traffic.set('good', trafficFeed);
  services.set('good', servicesFeed);
  const server = await startServer({ config: config(traffic.url('/traffic'), services.url('/tickets')) });
  try {
    const page = await openPage(chromium.browser, `${server.url}/wall?wall=main`, { viewport: { width: 1600, height: 900 } });
    await waitConnected(page);
    const t1 = '#wall [data-tile="t1"]';
    const t2 = '#wall [data-tile="t2"]';
    await page.waitForSelector(`${t1} .pantau-traffic .traffic-row[data-corridor="asia-afrika"][data-level="jammed"]`, { timeout: 10000 });
    assert.equal(await page.locator(`${t1} .traffic-row`).count(), 3);
    assert.match(await page.textContent(`${t1} .traffic-row[data-corridor="asia-afrika"] .traffic-level`), /JAMMED/);
    assert.match(await page.textContent(`${t1} .traffic-row[data-corridor="dago"] .traffic-speed`), /42/);
    const jammedColour = await page.$eval(`${t1} .traffic-row[data-level="jammed"] .traffic-level`, (e) => getComputedStyle(e).color);
    assert.equal(jammedColour, 'rgb(231, 76, 60)', 'jammed is red');
    await page.waitForSelector(`${t1} .traffic-row[data-corridor="dago"] .traffic-chart canvas`, { timeout: 5000 });
    assert.equal(await page.isVisible(`${t1} .widget-state`), false, 'no band while live');

    await page.waitForSelector(`${t2} .pantau-services[data-overdue="1"]`, { timeout: 10000 });
    assert.equal(await page.textContent(`${t2} .svc-status-new b`), '1');
    assert.equal(await page.textContent(`${t2} .svc-status-closed b`), '1');
    assert.equal(await page.locator(`${t2} .svc-late[data-ticket="LPR-1"]`).count(), 1);
    // The component redraws (data, language): read the colour of the row in
    // the page once it has one, not of a row a redraw may have replaced.
    const lateColour = await (await page.waitForFunction((sel) => {
      const e = document.querySelector(sel);
      return (e && e.isConnected && getComputedStyle(e).color) || null;
    }, `${t2} .svc-late`, { timeout: 5000 })).jsonValue();
    assert.equal(lateColour, 'rgb(255, 107, 91)', 'overdue tickets in red');
    assert.match(await page.textContent(`${t2} .widget-age`), /data \d+ s old/);

    traffic.set('500');
    services.set('hang');
    await page.waitForSelector(`${t1} .widget-state[data-status="stale"]:not([hidden])`, { timeout: 10000 });
    assert.match(await page.textContent(`${t1} .widget-state`), /Data out of date.*feed returned HTTP 500/);
    await page.waitForSelector(`${t2} .widget-state[data-status="stale"]:not([hidden])`, { timeout: 10000 });
    assert.match(await page.textContent(`${t2} .widget-state`), /Data out of date.*feed timed out/);
    assert.equal(await page.locator(`${t1} .traffic-row`).count(), 3, 'the last good data stays');
    assert.equal(await page.locator(`${t2} .svc-late`).count(), 1, 'the last good data stays');

    traffic.set('good', trafficFeed);
    services.set('good', servicesFeed);
    await page.waitForSelector(`${t1} .widget-state[hidden][data-status="live"]`, { state: 'attached', timeout: 10000 });
    await page.waitForSelector(`${t2} .widget-state[hidden][data-status="live"]`, { state: 'attached', timeout: 10000 });
    assertNoProblems(page);
  } finally {
    await server.stop();
    server.cleanup();
    await traffic.close();
    await services.close();
  }
});
