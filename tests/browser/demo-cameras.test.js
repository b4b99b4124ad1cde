// The demo cameras of config/pantau.json are visibly live (issue 13): on
// /wall, two samples of each camera's canvas 2 s apart differ in more than
// 1% of their pixels. (Before, two of four patterns stood still but for a
// small clock.)
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, stopServer } from '../lib/harness.js';
import { repoRoot } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

const shipped = JSON.parse(readFileSync(join(repoRoot, 'config', 'pantau.json'), 'utf8'));
const cameras = shipped.sources.filter((s) => s.type === 'test');

let server, browser;

before(async () => {
  // The shipped cameras alone, one per display of a 2x2 wall.
  const config = {
    plugins: { load: ['cctv'] },
    sources: cameras,
    walls: [{
      id: 'main', name: 'Cameras', displays: { columns: 2, rows: 2, width: 640, height: 360 },
      layout: { columns: 2, rows: 2, tiles: cameras.map((c, i) => ({ id: `t${i}`, x: i % 2, y: Math.floor(i / 2), w: 1, h: 1, source: c.id })) },
    }],
  };
  server = await startServer({ config });
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

// The share of pixels (0-1) of each camera's canvas that changed between
// two samples taken `ms` apart; a pixel changed when a channel moved by
// more than 24 of 255 (far above the encoder's noise).
async function changedShares(page, ms) {
  return page.evaluate(async ({ ids, wait }) => {
    const sample = () => Object.fromEntries(ids.map((id) => {
      const canvas = document.querySelector(`#wall [data-source="${id}"] canvas`);
      return [id, canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data];
    }));
    const a = sample();
    await new Promise((resolve) => setTimeout(resolve, wait));
    const b = sample();
    return Object.fromEntries(ids.map((id) => {
      let changed = 0;
      const n = Math.min(a[id].length, b[id].length) / 4;
      for (let i = 0; i < n * 4; i += 4) {
        if (Math.abs(a[id][i] - b[id][i]) > 24 || Math.abs(a[id][i + 1] - b[id][i + 1]) > 24 ||
            Math.abs(a[id][i + 2] - b[id][i + 2]) > 24) changed++;
      }
      return [id, n ? changed / n : 0];
    }));
  }, { ids: cameras.map((c) => c.id), wait: ms });
}

test('every demo camera moves visibly: over 1% of its pixels change in 2 s', async () => {
  assert.equal(cameras.length, 4, 'four demo cameras');
  const page = await openPage(browser, `${server.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
  await waitConnected(page);
  // Every camera has decoded frames of its real size.
  await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`#wall [data-source="${id}"] canvas`)?.width > 16),
    cameras.map((c) => c.id), { timeout: 20000 });
  await page.waitForTimeout(1000);
  const shares = await changedShares(page, 2000);
  for (const camera of cameras) {
    assert.ok(shares[camera.id] > 0.01, `${camera.id}: ${(shares[camera.id] * 100).toFixed(2)}% of pixels changed in 2 s`);
  }
  assertNoProblems(page);
  await page.context().close();
});
