// Issue 13, "Type legible at the operators' distance": on the wall page,
// camera names and widget text are sized from the screen's real pixel
// height and the wall's viewing_distance_m, read here as computed font
// sizes in a real browser.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig } from '../lib/harness.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let server, browser;

function wall(id, extra = {}) {
  return {
    id, name: id, ...extra,
    // Four 1080p screens; screen 0,0 holds a camera, traffic, complaints
    // and a clock (whose label is large by itself).
    displays: { columns: 2, rows: 2, width: 1920, height: 1080, bezel: { x: 0, y: 0 } },
    layout: { columns: 8, rows: 8, tiles: [
      { id: 'cam', x: 0, y: 0, w: 2, h: 2, source: 'cam-a' },
      { id: 'traffic', x: 2, y: 0, w: 2, h: 2, source: 'traffic' },
      { id: 'services', x: 0, y: 2, w: 2, h: 2, source: 'services' },
      { id: 'clock', x: 2, y: 2, w: 2, h: 2, source: 'clock-a' },
    ] },
  };
}

function textConfig() {
  const config = testConfig();
  config.plugins = { load: ['clock', 'cctv', 'traffic', 'services'] };
  config.sources.push(
    { id: 'cam-a', type: 'test', name: 'Simpang Lima', settings: { fps: 5, bitrate_kbps: 200 } },
    { id: 'traffic', type: 'traffic', name: 'Lalu lintas', settings: { feed: 'simulated', interval_s: 30,
      timezone: 'Asia/Jakarta', corridors: [
        { id: 'dago', name: 'Simpang Dago', capacity_vph: 2400, free_speed_kmh: 45 },
        { id: 'pasteur', name: 'Gerbang Tol Pasteur', capacity_vph: 3600, free_speed_kmh: 60 }] } },
    { id: 'services', type: 'services', name: 'Pengaduan', settings: { feed: 'simulated', timezone: 'Asia/Jakarta' } },
  );
  config.walls = [wall('near'), wall('far', { viewing_distance_m: 8 })];
  return config;
}

before(async () => {
  server = await startServer({ config: textConfig() });
  ({ browser } = await launchBrowser());
});
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(browser));
after(async () => {
  await browser?.close();
  if (server) {
    await stopServer(server);
    server.cleanup();
  }
});

const TEXTS = {
  camera: '[data-tile="cam"] .camera-label',
  trafficUnit: '[data-tile="traffic"] .traffic-num small',
  servicesFooter: '[data-tile="services"] .svc-rules',
};

// The computed font size (px) of each text of TEXTS on /wall?wall=ID&display=0,0.
async function fontSizes(wallId, width, height) {
  const page = await openPage(browser, `${server.url}/wall?wall=${wallId}&display=0,0`,
    { viewport: { width, height }, context: { deviceScaleFactor: 1 } });
  await waitConnected(page);
  const sizes = {};
  for (const [name, selector] of Object.entries(TEXTS)) {
    await page.locator(selector).first().waitFor({ state: 'attached', timeout: 15000 });
    sizes[name] = await page.locator(selector).first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  }
  assertNoProblems(page);
  await page.context().close();
  return sizes;
}

test('wall text is legible at 4 m on a 1080p screen, twice as large in pixels on a 4K screen', async () => {
  const hd = await fontSizes('near', 1920, 1080);
  const uhd = await fontSizes('near', 3840, 2160);
  for (const name of Object.keys(TEXTS)) {
    // About 40 px: 25 mm on a 55-inch 1080p panel.
    assert.ok(hd[name] >= 38 && hd[name] <= 60, `${name} at 1080p is ${hd[name]} px`);
    const ratio = uhd[name] / hd[name];
    assert.ok(ratio > 1.85 && ratio < 2.15, `${name}: ${uhd[name]} px at 4K, ${hd[name]} px at 1080p (×${ratio.toFixed(2)})`);
  }
});

test('a wall whose operators sit farther away gets larger text', async () => {
  const near = await fontSizes('near', 1920, 1080);
  const far = await fontSizes('far', 1920, 1080);
  for (const name of Object.keys(TEXTS)) {
    assert.ok(far[name] >= near[name] * 1.8, `${name}: ${far[name]} px at 8 m, ${near[name]} px at 4 m`);
  }
});

test('the console keeps its own text sizes: no wall text outside /wall', async () => {
  const page = await openPage(browser, `${server.url}/console?wall=near`, { viewport: { width: 1920, height: 1080 } });
  await waitConnected(page);
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--wall-text')), '');
  assertNoProblems(page);
  await page.context().close();
});
