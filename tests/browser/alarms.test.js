// Alarms in the browser: the console's alarm list follows a real plugin
// event live, Acknowledge and "Show on wall" work; the wall page shows a
// banner for critical alarms (until cleared) and warnings (until
// acknowledged), at the top and never over the whole wall.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startServer, Client, testConfig } from '../lib/server.js';
import { startFeedServer } from '../lib/feed-server.js';
import { freePort } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

const ORIGINAL = testConfig().walls[0].layout;

// A traffic feed whose corridor A jams on demand (a warning), optionally a
// data-centre check against `checkPort` (critical while nothing listens).
function config(feedUrl, checkPort) {
  const base = testConfig();
  const sources = [...base.sources, {
    id: 'traffic-http', type: 'traffic', name: 'Traffic feed',
    settings: {
      feed: 'http', url: feedUrl, interval_s: 0.1, timeout_s: 0.5, jam_alert_s: 0, history_points: 3,
      mapping: { list: '/corridors', id: '/id', name: '/name', count: '/count', speed: '/speed', level: '/level' },
    },
  }];
  if (checkPort) {
    sources.push({
      id: 'dc', type: 'dchealth', name: 'Data centre',
      settings: { interval_ms: 300, host: { mode: 'off' }, checks: [{ name: 'db', type: 'tcp', host: '127.0.0.1', port: checkPort, timeout_ms: 500 }] },
    });
  }
  return {
    ...base,
    plugins: { load: ['clock', 'traffic', 'dchealth'] },
    sources,
    alarms: { rules: [{ id: 'jam-a', match: { condition: 'traffic.jammed.A' }, action: { wall: 'main', show: 'clock-b' } }] },
  };
}

const corridors = (jammed) => ({
  corridors: [{ id: 'A', name: 'Simpang A', count: 10, speed: jammed ? 5 : 50, level: jammed ? 'macet' : 'lancar' }],
});

async function withServer(checkPort, body) {
  const feed = await startFeedServer();
  feed.set('good', corridors(false));
  const server = await startServer({ config: config(feed.url(), checkPort) });
  const client = new Client(server.wsUrl);
  try {
    await client.snapshot();
    await body({ server, feed, client });
  } finally {
    await client.close();
    await server.stop();
    server.cleanup();
    await feed.close();
  }
}

const wallWhere = (client, pred) => client.waitFor((m) => m.ev === 'wall' && pred(m.wall), 8000).then((m) => m.wall);
const alarmWhere = (client, pred) => client.waitFor((m) => m.ev === 'alarm' && pred(m.alarm), 8000).then((m) => m.alarm);
const fullScreen = (source) => (wall) => wall.layout.tiles.length === 1 && wall.layout.tiles[0].source === source;

test('console: a live alarm, Acknowledge gives the wall back, Show on wall, then cleared', () => withServer(0, async ({ server, feed, client }) => {
  const page = await openPage(chromium.browser, `${server.url}/console?wall=main`, { viewport: { width: 1440, height: 900 } });
  await waitConnected(page);
  await page.waitForSelector('#alarm-list .empty-note');
  assert.match(await page.textContent('#alarms-summary'), /none open/);

  feed.set('good', corridors(true));
  const item = page.locator('#alarm-list .alarm-item[data-state="active"]');
  await item.waitFor({ timeout: 8000 });
  assert.equal(await item.getAttribute('data-severity'), 'warning');
  const text = await item.textContent();
  assert.match(text, /Traffic feed/);
  assert.match(text, /Simpang A/);
  assert.match(text, /active/);
  await page.waitForSelector('#alarm-list .alarm-item .alarm-shown:text("on main")');
  assert.match(await page.textContent('#alarms-summary'), /1 unacknowledged/);
  await wallWhere(client, fullScreen('clock-b'));

  await item.locator('.alarm-ack').click();
  const acked = page.locator('#alarm-list .alarm-item[data-state="acknowledged"]');
  await acked.waitFor({ timeout: 5000 });
  assert.match(await acked.textContent(), /by local/);
  assert.equal(await acked.locator('.alarm-ack').count(), 0, 'no second acknowledge');
  const back = await wallWhere(client, (w) => JSON.stringify(w.layout) === JSON.stringify(ORIGINAL));
  await page.waitForSelector(`#wall-info[data-version="${back.version}"]`);

  // Show on wall: the selected wall, whole, until the alarm clears.
  await acked.locator('.alarm-show').click();
  await wallWhere(client, fullScreen('traffic-http'));
  await page.waitForSelector('#notice:not([hidden])');

  feed.set('good', corridors(false));
  await alarmWhere(client, (a) => a.state === 'cleared');
  await wallWhere(client, (w) => w.version > back.version + 1 && JSON.stringify(w.layout) === JSON.stringify(ORIGINAL));
  await page.waitForSelector('#alarm-list .empty-note');
  await page.click('#alarms-recent');
  await page.waitForSelector('#alarm-list .alarm-item[data-state="cleared"]');
  assertNoProblems(page);
}));

test('wall: a banner for a critical alarm until it clears and a warning until acknowledged', async () => {
  const port = await freePort();
  await withServer(port, async ({ server, feed, client }) => {
    const page = await openPage(chromium.browser, `${server.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
    await waitConnected(page);
    const critical = page.locator('#alarm-banner .alarm-banner-item[data-severity="critical"]');
    await critical.waitFor({ timeout: 8000 });
    assert.equal(await critical.getAttribute('data-state'), 'active');
    assert.match(await critical.textContent(), /Data centre/);
    const box = await page.locator('#alarm-banner').boundingBox();
    assert.equal(box.y, 0, 'at the top');
    assert.ok(box.width >= 1270, `across the screen: ${box.width}`);
    assert.ok(box.height <= 720 * 0.2 + 1, `a band, not the wall: ${box.height}`);
    const fontPx = await critical.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fontPx >= 24, `readable from across the room: ${fontPx}px`);
    assert.equal(await page.locator('[data-tile="t1"]').count(), 1, 'the wall is still there');

    feed.set('good', corridors(true));
    const warning = page.locator('#alarm-banner .alarm-banner-item[data-severity="warning"]');
    await warning.waitFor({ timeout: 8000 });
    assert.match(await warning.textContent(), /Simpang A/);
    assert.deepEqual(await page.locator('#alarm-banner .alarm-banner-item').evaluateAll(
      (els) => els.map((el) => el.dataset.severity)), ['critical', 'warning'], 'the most severe first');

    const { ok: { alarms } } = await client.request('alarm.list');
    const byCondition = (c) => alarms.find((a) => a.condition === c && a.state === 'active');
    await client.request('alarm.ack', { alarm: byCondition('traffic.jammed.A').id });
    await warning.waitFor({ state: 'detached', timeout: 5000 });
    await client.request('alarm.ack', { alarm: byCondition('check:db:down').id });
    await page.waitForSelector('#alarm-banner .alarm-banner-item[data-severity="critical"][data-state="acknowledged"]');
    assert.match(await critical.textContent(), /acknowledged/);
    // In Bahasa Indonesia too.
    const pageId = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=id`);
    await waitConnected(pageId);
    await pageId.waitForSelector('#alarm-banner .alarm-banner-acked:text("dikonfirmasi")');
    assertNoProblems(pageId);
    await pageId.context().close();

    // The check comes back: the alarm clears and the banner goes.
    const listener = createServer((socket) => socket.destroy());
    await new Promise((resolve) => listener.listen(port, '127.0.0.1', resolve));
    try {
      await page.waitForSelector('#alarm-banner', { state: 'hidden', timeout: 8000 });
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
    assertNoProblems(page);
  });
});
