// Issue 13, "Video sharp enough for the tile": a wall page chooses a
// camera's main stream or substream from the tile's real size on the
// screen that shows it (device pixels), with no flapping near the line.
// What the page chose is read where it matters: the server's /metrics.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig, sleep, httpGet } from '../lib/harness.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let server, browser;

// Simulated cameras of 1280×720: their substream is 640×360, so a tile takes
// the main stream above 800 device px (1.25×) and keeps it down to 640 (1×).
function streamsConfig() {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 500 };
  config.plugins = { load: ['clock', 'cctv'] };
  const camera = (id) => ({ id, type: 'test', name: id, settings: { width: 1280, height: 720, fps: 5, bitrate_kbps: 300 } });
  config.sources.push(camera('cam-one'), camera('cam-quarter'), camera('cam-tiny'),
    // 640×360: a 320×180 substream.
    { id: 'cam-low', type: 'test', name: 'cam-low', settings: { fps: 5, bitrate_kbps: 200 } });
  // Four 1080p screens, 2×2; a 4×4 layout grid, so a cell is half a screen.
  config.walls[0].displays = { columns: 2, rows: 2, width: 1920, height: 1080, bezel: { x: 0, y: 0 } };
  config.walls[0].layout = { columns: 4, rows: 4, tiles: [
    // A sixteenth of the wall, but half of screen 0,0: 960 px at 1080p.
    { id: 'one', x: 0, y: 0, w: 1, h: 1, source: 'cam-one' },
    { id: 'clock', x: 1, y: 0, w: 1, h: 1, source: 'clock-a' },
    // A quarter of the wall: all of screen 1,1.
    { id: 'quarter', x: 2, y: 2, w: 2, h: 2, source: 'cam-quarter' },
    { id: 'tiny', x: 0, y: 2, w: 1, h: 1, source: 'cam-tiny' },
    { id: 'low', x: 3, y: 0, w: 1, h: 1, source: 'cam-low' },
  ] };
  return config;
}

before(async () => {
  server = await startServer({ config: streamsConfig() });
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

// pantau_stream_viewers of one camera: { main, sub } (0 when not listed).
async function viewers(source) {
  const { body } = await httpGet(server, '/metrics');
  const count = (stream) => {
    const m = new RegExp(`^pantau_stream_viewers\\{source="${source}",stream="${stream}"\\} (\\d+)`, 'm').exec(body);
    return m ? Number(m[1]) : 0;
  };
  return { main: count('main'), sub: count('sub') };
}

async function waitViewers(source, want, what) {
  const deadline = Date.now() + 10000;
  let seen;
  while (Date.now() < deadline) {
    seen = await viewers(source);
    if (seen.main === want.main && seen.sub === want.sub) return;
    await sleep(100);
  }
  throw new Error(`${what}: ${source} has viewers ${JSON.stringify(seen)}, expected ${JSON.stringify(want)}`);
}

// Stays as it is for a while (no flapping after a resize).
async function holdsViewers(source, want, what) {
  await waitViewers(source, want, what);
  await sleep(1500);
  assert.deepEqual(await viewers(source), want, `${what}: still`);
}

test('a tile half a 1080p screen wide takes the main stream, and a resize near the line does not flap', async () => {
  const page = await openPage(browser, `${server.url}/wall?wall=main&display=0,0`, { viewport: { width: 1920, height: 1080 } });
  await waitConnected(page);
  await waitViewers('cam-one', { main: 1, sub: 0 }, 'a 960 px tile');
  // 750 px: below the way up (800) but above the way down (640): stays main.
  await page.setViewportSize({ width: 1500, height: 844 });
  await holdsViewers('cam-one', { main: 1, sub: 0 }, 'shrunk to 750 px');
  await page.setViewportSize({ width: 1100, height: 619 });
  await waitViewers('cam-one', { main: 0, sub: 1 }, 'shrunk to 550 px');
  // Back to 750 px: stays on the substream.
  await page.setViewportSize({ width: 1500, height: 844 });
  await holdsViewers('cam-one', { main: 0, sub: 1 }, 'grown back to 750 px');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await waitViewers('cam-one', { main: 1, sub: 0 }, 'grown to 960 px');
  assert.equal(await page.locator('[data-tile="one"]').getAttribute('data-stream'), 'main');
  assertNoProblems(page);
  await page.context().close();
  await waitViewers('cam-one', { main: 0, sub: 0 }, 'page closed');
});

test('a quarter of the wall that is small on the screen takes the substream; on a 2× screen the main stream', async () => {
  // The whole 2×2 wall in a 1280×720 window: the quarter tile is 640 px.
  const page = await openPage(browser, `${server.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
  await waitConnected(page);
  await waitViewers('cam-quarter', { main: 0, sub: 1 }, 'a 640 px tile');
  await waitViewers('cam-tiny', { main: 0, sub: 1 }, 'a 320 px tile');
  assertNoProblems(page);
  await page.context().close();
  await waitViewers('cam-quarter', { main: 0, sub: 0 }, 'page closed');
  // The same 640 CSS px are 1280 device pixels at devicePixelRatio 2.
  const sharp = await openPage(browser, `${server.url}/wall?wall=main`,
    { viewport: { width: 1280, height: 720 }, context: { deviceScaleFactor: 2 } });
  await waitConnected(sharp);
  await waitViewers('cam-quarter', { main: 1, sub: 0 }, 'a 1280 device px tile');
  await waitViewers('cam-tiny', { main: 0, sub: 1 }, 'a 640 device px tile');
  assertNoProblems(sharp);
  await sharp.context().close();
});

test('the substream\'s real width counts: a 500 px tile of a camera whose substream is 320 px wide gets the main stream', async () => {
  // Until the page knows the substream (640 px assumed), 500 px is small;
  // the server says it is 320 px wide, and 500 > 1.25 × 320.
  const page = await openPage(browser, `${server.url}/wall?wall=main&display=1,0`, { viewport: { width: 1000, height: 562 } });
  await waitConnected(page);
  await waitViewers('cam-low', { main: 1, sub: 0 }, 'a 500 px tile');
  await holdsViewers('cam-low', { main: 1, sub: 0 }, 'a 500 px tile');
  assertNoProblems(page);
  await page.context().close();
});
