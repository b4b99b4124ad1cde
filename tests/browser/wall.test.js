// /wall: what the wall displays show, and that they recover by themselves.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testConfig, Client } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

// Runs body(server) against a fresh server, always stopping it.
async function withServer(body, options) {
  const server = await startServer(options);
  try {
    return await body(server);
  } finally {
    await server.stop();
    server.cleanup();
  }
}

function assertClose(actual, expected, what, tolerance = 1.5) {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ~${expected}`);
}

// HH:MM of `ms` in a zone `offsetMinutes` east of UTC.
function hhmm(ms, offsetMinutes) {
  const d = new Date(ms + offsetMinutes * 60000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

test('a source dragged from the console onto a tile appears on the wall', () => withServer(async (server) => {
  const consolePage = await openPage(chromium.browser, `${server.url}/console`, { viewport: { width: 1440, height: 900 } });
  const wallPage = await openPage(chromium.browser, `${server.url}/wall?wall=main`);
  await Promise.all([waitConnected(consolePage), waitConnected(wallPage)]);
  const wallTile = wallPage.locator('#wall [data-tile="t2"]');
  assert.equal(await wallTile.getAttribute('data-source'), '', 't2 starts empty');

  await consolePage.dragAndDrop('#sources [data-source-id="clock-b"]', '#editor [data-tile="t2"]');

  await wallPage.waitForSelector('#wall [data-tile="t2"][data-source="clock-b"] .pantau-clock[data-time]', { timeout: 5000 });
  await consolePage.waitForSelector('#editor [data-tile="t2"][data-source="clock-b"]', { timeout: 5000 });
  assertNoProblems(consolePage, wallPage);
}));

test('the wall recovers by itself when the server restarts on the same port', async () => {
  const first = await startServer();
  let second;
  try {
    const wallPage = await openPage(chromium.browser, `${first.url}/wall?wall=main`, {
      allow: [/WebSocket connection to .* failed/],
    });
    await waitConnected(wallPage);
    assert.equal(await wallPage.isVisible('#connection'), false, 'no indicator while connected');

    await first.stop();
    await wallPage.waitForSelector('body[data-connected="false"]', { timeout: 5000 });
    assert.equal(await wallPage.isVisible('#connection'), true, 'indicator shown while disconnected');
    assert.match(await wallPage.textContent('#connection'), /reconnecting/);

    second = await startServer({ port: first.port, stateDir: first.stateDir });
    await wallPage.waitForSelector('body[data-connected="true"]', { timeout: 15000 });
    assert.equal(await wallPage.isVisible('#connection'), false, 'indicator gone after reconnect');

    const client = new Client(second.wsUrl);
    const { walls: [wall] } = await client.snapshot();
    const reply = await client.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't3', source: 'clock-b' });
    assert.ok(reply.ok, JSON.stringify(reply));
    await client.close();
    await wallPage.waitForSelector('#wall [data-tile="t3"][data-source="clock-b"] .pantau-clock[data-time]', { timeout: 5000 });
    assertNoProblems(wallPage);
  } finally {
    await second?.stop();
    second?.cleanup();
    await first.stop();
    first.cleanup();
  }
});

test('the clock shows the server time in its zone, whatever the wall PC thinks', () => withServer(async (server) => {
  // A wall PC in another zone whose calendar clock is 25 years off.
  const wallPage = await openPage(chromium.browser, `${server.url}/wall?wall=main`, {
    context: { timezoneId: 'America/New_York' },
    beforeGoto: (page) => page.clock.setFixedTime(new Date('2001-02-03T04:05:00Z')),
  });
  await waitConnected(wallPage);
  const clock = wallPage.locator('#wall [data-tile="t1"] .pantau-clock');
  await clock.waitFor({ timeout: 5000 });
  await wallPage.waitForFunction(() => document.querySelector('[data-tile="t1"] .pantau-clock')?.dataset.time);
  const shown = await clock.getAttribute('data-time');
  assert.match(shown, /^\d\d:\d\d$/);
  // clock-a is Asia/Jakarta (UTC+7, no daylight saving).
  const now = Date.now();
  const expected = [hhmm(now - 60000, 420), hhmm(now, 420), hhmm(now + 60000, 420)];
  assert.ok(expected.includes(shown), `clock shows ${shown}, expected one of ${expected}`);
  assert.match(await clock.locator('.clock-time').textContent(), /^\d\d:\d\d$/);
  assert.equal(await clock.locator('.clock-label').textContent(), 'WIB');
  assertNoProblems(wallPage);
}));

test('the clock ticks by itself between the server\'s updates', () => {
  const config = testConfig();
  config.sources[0].settings.show_seconds = true;
  // Only the snapshot gets through: every later `data` event is dropped.
  const dropDataEvents = (page) => page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (!String(message).startsWith('{"ev":"data"')) ws.send(message);
    });
  });
  return withServer(async (server) => {
    const page = await openPage(chromium.browser, `${server.url}/wall`, { beforeGoto: dropDataEvents });
    await waitConnected(page);
    const time = page.locator('#wall [data-tile="t1"] .clock-time');
    await page.waitForFunction(() => /:\d\d:/.test(document.querySelector('[data-tile="t1"] .clock-time')?.textContent));
    const first = await time.textContent();
    assert.match(first, /^\d\d:\d\d:\d\d$/);
    await page.waitForFunction((before) => document.querySelector('[data-tile="t1"] .clock-time').textContent !== before,
      first, { timeout: 2500 });
    assertNoProblems(page);
  }, { config });
});

test('display=1,0 shows only the right screen, bezel compensated', () => withServer(async (server) => {
  // Wall: 2x1 screens of 1920x1080, bezel 10 -> canvas 3850x1080; layout
  // 2x2 -> cells 1925x540. Screen 1,0 starts at x=1930 and is scaled to the
  // 1280x720 window (factor 2/3).
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&display=1,0`);
  await waitConnected(page);
  await page.waitForSelector('#wall [data-tile="t2"]');
  assert.equal(await page.locator('#wall [data-tile="t1"]').count(), 0, 't1 lies wholly on the left screen');

  const scale = 1280 / 1920;
  const t2 = await page.locator('#wall [data-tile="t2"]').boundingBox();
  assertClose(t2.x, (1925 - 1930) * scale, 't2 x');
  assertClose(t2.y, 0, 't2 y');
  assertClose(t2.width, 1925 * scale, 't2 width');
  assertClose(t2.height, 540 * scale, 't2 height');
  const t3 = await page.locator('#wall [data-tile="t3"]').boundingBox();
  assertClose(t3.x, -1930 * scale, 't3 x');
  assertClose(t3.y, 540 * scale, 't3 y');
  assertClose(t3.width, 3850 * scale, 't3 width');
  assertNoProblems(page);
}));

test('without display= the whole wall is letterboxed into the window', () => withServer(async (server) => {
  const page = await openPage(chromium.browser, `${server.url}/wall`);
  await waitConnected(page);
  await page.waitForSelector('#wall [data-tile="t2"]');
  const scale = 1280 / 3850;
  const top = (720 - 1080 * scale) / 2;
  const t2 = await page.locator('#wall [data-tile="t2"]').boundingBox();
  assertClose(t2.x, 1925 * scale, 't2 x');
  assertClose(t2.y, top, 't2 y');
  assertClose(t2.width, 1925 * scale, 't2 width');
  const overflow = await page.evaluate(() => ({
    x: document.documentElement.scrollWidth > innerWidth, y: document.documentElement.scrollHeight > innerHeight,
  }));
  assert.deepEqual(overflow, { x: false, y: false }, 'no scrollbars');
  assertNoProblems(page);
}));

test('the start page links the console and every wall and screen', () => withServer(async (server) => {
  const page = await openPage(chromium.browser, `${server.url}/`);
  await waitConnected(page);
  await page.waitForSelector('#walls [data-wall="main"]');
  const hrefs = await page.$$eval('a', (links) => links.map((a) => a.getAttribute('href')));
  for (const href of ['/console', '/wall?wall=main', '/wall?wall=main&display=0,0', '/wall?wall=main&display=1,0']) {
    assert.ok(hrefs.includes(href), `no link to ${href} in ${hrefs}`);
  }
  assertNoProblems(page);
}));
