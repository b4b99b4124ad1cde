// Camera tiles in a real browser: H.264 from a real RTSP server, through the
// server's WebSocket, decoded by WebCodecs onto a canvas.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig, sleep } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, framesOf, waitFrames, closeContexts } from './browser.js';

let rtsp, server, browser;

function cameraConfig() {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 1000 };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push(
    { id: 'cam-a', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url('/main'), sub_url: rtsp.url('/sub') } },
    { id: 'cam-t', type: 'test', name: 'Jl. Sudirman', settings: {} },
    // On no wall: nobody opens it.
    { id: 'cam-idle', type: 'test', name: 'Jl. Merdeka', settings: {} },
  );
  config.walls[0].layout = { columns: 2, rows: 2, tiles: [
    { id: 'big', x: 0, y: 0, w: 2, h: 1, source: 'cam-a' },
    { id: 'small', x: 0, y: 1, w: 1, h: 1, source: 'cam-t' },
    { id: 'clock', x: 1, y: 1, w: 1, h: 1, source: 'clock-a' },
  ] };
  return config;
}

before(async () => {
  rtsp = await startRtsp({ mounts: { '/main': 'test:640x360@15', '/sub': 'test:320x180@10' } });
  server = await startServer({ config: cameraConfig() });
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
  await rtsp?.stop();
});

// A cheap fingerprint of a tile's canvas: the sum of a sparse sample of
// its pixels, and whether any is not black.
function canvasPrint(page, tile) {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-tile="${id}"] canvas.camera-canvas`);
    if (!canvas || canvas.width < 32) return null;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4 * 97) {
      sum += data[i] * 3 + data[i + 1] * 5 + data[i + 2] * 7;
      if (data[i] + data[i + 1] + data[i + 2] > 30) lit++;
    }
    return { sum, lit, width: canvas.width, height: canvas.height };
  }, tile);
}

test('camera tiles show decoded video whose pixels change over time', async () => {
  const page = await openPage(browser, `${server.url}/wall?wall=main`);
  await waitConnected(page);
  await waitFrames(page, 'big', 10);
  await waitFrames(page, 'small', 5);
  const first = await canvasPrint(page, 'big');
  assert.ok(first, 'the big tile has a canvas with a picture');
  assert.equal(first.width, 640, 'the big tile decodes the main stream');
  assert.ok(first.lit > 10, 'not a black picture');
  const small = await canvasPrint(page, 'small');
  assert.ok(small.width <= 640 && small.lit > 10);
  // The picture moves: a sample within 1.5 s differs from the first.
  const deadline = Date.now() + 1500;
  let later;
  do {
    await sleep(100);
    later = await canvasPrint(page, 'big');
  } while (later.sum === first.sum && Date.now() < deadline);
  assert.notEqual(later.sum, first.sum, 'the picture moves');
  assert.equal(await page.locator('[data-tile="big"] .camera-label').textContent(), 'Simpang Lima');
  assertNoProblems(page);
  await page.context().close();
});

test('a camera outage shows its state on the tile and keeps the last picture, then recovers by itself', async () => {
  const page = await openPage(browser, `${server.url}/wall?wall=main`, { allow: [/decoding .* failed/] });
  await waitConnected(page);
  await waitFrames(page, 'big', 5);
  const port = rtsp.port;
  await rtsp.stop();
  await page.locator('[data-tile="big"] .camera-state').waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await page.locator('[data-tile="big"] .camera-state-text').textContent(), /No signal since|Camera offline/);
  const frozen = await canvasPrint(page, 'big');
  assert.ok(frozen.lit > 10, 'the last picture stays (no black frame)');
  const before = await framesOf(page, 'big');
  rtsp = await startRtsp({ port, mounts: { '/main': 'test:640x360@15', '/sub': 'test:320x180@10' } });
  await page.locator('[data-tile="big"] .camera-state').waitFor({ state: 'hidden', timeout: 40000 });
  await waitFrames(page, 'big', before + 10, 10000);
  assertNoProblems(page);
  await page.context().close();
});

test('double-click a camera in the console: full-screen on the wall; Escape goes back', async () => {
  const { Client } = await import('../lib/harness.js');
  const watcher = new Client(server.wsUrl);
  await watcher.opened;
  const page = await openPage(browser, `${server.url}/console?wall=main`);
  await waitConnected(page);
  const before = (await watcher.request('snapshot')).ok.walls.find((w) => w.id === 'main');
  await page.dblclick('#sources [data-source-id="cam-t"]');
  const full = await watcher.waitFor((m) => m.ev === 'wall' && m.wall.version === before.version + 1, 10000)
    .catch(async (err) => {
      const said = await page.evaluate(() => [document.getElementById('message')?.textContent,
        document.getElementById('notice')?.textContent]);
      throw new Error(`${err.message}; console said ${JSON.stringify(said)}; wall events ${JSON.stringify(watcher.messages.filter((m) => m.ev === 'wall').map((m) => m.wall.version))}`);
    });
  assert.deepEqual(full.wall.layout.tiles.map((t) => [t.w, t.h, t.source]), [[1, 1, 'cam-t']]);
  assert.equal(full.wall.layout.columns, 1);
  // Other clients see the change before the console has its reply: Escape
  // means something once the console says so.
  await page.locator('#notice', { hasText: 'Esc goes back' }).waitFor({ state: 'visible', timeout: 10000 });
  await page.keyboard.press('Escape');
  const back = await watcher.waitFor((m) => m.ev === 'wall' && m.wall.version === before.version + 2, 10000);
  assert.deepEqual(back.wall.layout, before.layout, 'the layout from before');
  // The console has that version too before its next double-click (else,
  // on a busy machine, the watcher hears of it first and the double-click
  // goes out based on the version before: refused as a conflict).
  await page.waitForSelector(`#wall-info[data-version="${before.version + 2}"]`, { timeout: 10000 });
  // Escape at once after the double-click, before the console has its
  // reply, still goes back (when the reply comes).
  await page.dblclick('#sources [data-source-id="cam-t"]');
  await page.keyboard.press('Escape');
  const again = await watcher.waitFor((m) => m.ev === 'wall' && m.wall.version === before.version + 3, 10000);
  assert.deepEqual(again.wall.layout.tiles.map((t) => t.source), ['cam-t']);
  const backAgain = await watcher.waitFor((m) => m.ev === 'wall' && m.wall.version === before.version + 4, 10000);
  assert.deepEqual(backAgain.wall.layout, before.layout, 'the layout from before, after an early Escape');
  assertNoProblems(page);
  watcher.ws.terminate();
  await page.context().close();
});

test('the console lists each camera with its live figures, in the chosen language', async () => {
  const page = await openPage(browser, `${server.url}/console?wall=main`);
  await waitConnected(page);
  const figures = page.locator('#sources [data-source-id="cam-a"] .source-stats');
  // The console's own preview of the wall is a viewer, so the camera streams.
  await page.waitForFunction(() => {
    const text = document.querySelector('#sources [data-source-id="cam-a"] .source-stats')?.textContent || '';
    return /^[1-9][0-9]*\.[0-9] fps · [0-9.]+ (kbit|Mbit)\/s · [0-9]+×[0-9]+/.test(text);
  }, null, { timeout: 15000 }).catch(async (err) => {
    throw new Error(`${err.message}; figures: ${await figures.textContent().catch(() => 'none')}`);
  });
  assert.equal(await page.locator('#sources [data-source-id="clock-a"] .source-stats').count(), 0, 'no figures for a clock');
  const format = (stats) => page.evaluate(async (s) => (await import('/static/js/console-sources.js')).cameraStatsText(s), stats);
  assert.equal(await format({ viewers: 0, fps: 0, kbps: 0 }), 'not streaming: no viewer');
  assert.equal(await format({ viewers: 2, fps: 12.5, kbps: 1940, width: 1280, height: 720, transcoded: true, reconnects: 3 }),
    '12.5 fps · 1.9 Mbit/s · 1280×720 · transcoded · 3 reconnects');
  await page.selectOption('select.language-select', 'id');
  assert.equal(await format({ viewers: 1, fps: 0, kbps: 0, reconnects: 1 }), '0.0 fps · 0 kbit/s · 1 kali sambung ulang');
  await page.waitForFunction(() => /fps/.test(document.querySelector('#sources [data-source-id="cam-a"] .source-stats')?.textContent || ''));
  await page.selectOption('select.language-select', 'en');
  assertNoProblems(page);
  await page.context().close();
});

test('the console shows a camera nobody has opened yet as idle, in the chosen language', async () => {
  const page = await openPage(browser, `${server.url}/console?wall=main`);
  await waitConnected(page);
  const status = page.locator('#sources [data-source-id="cam-idle"] .source-status');
  assert.equal(await status.getAttribute('data-status'), 'idle');
  assert.equal(await status.textContent(), 'idle: not opened yet');
  await page.selectOption('select.language-select', 'id');
  await page.locator('#sources [data-source-id="cam-idle"] .source-status', { hasText: 'diam: belum dibuka' })
    .waitFor({ state: 'visible', timeout: 5000 });
  await page.selectOption('select.language-select', 'en');
  // A camera that has run is live, as before.
  await page.locator('#sources [data-source-id="cam-t"] .source-status', { hasText: /^live$/ })
    .waitFor({ state: 'visible', timeout: 10000 });
  assertNoProblems(page);
  await page.context().close();
});
