// The example plugin (plugins/example, the template of `pantau plugin new`)
// in a real server and a real browser: its counter runs on the server's
// timer, its component draws the count and, past alert_at, the warning
// line, in Bahasa Indonesia and, after the wall's L key, in English.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testConfig } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

function config() {
  const base = testConfig();
  return {
    ...base,
    plugins: { load: ['clock', 'example'] },
    sources: [
      ...base.sources,
      { id: 'ticks', type: 'example', name: 'Ticks', settings: { label: 'Gerbang 3', interval_ms: 100, alert_at: 3 } },
    ],
    walls: [{
      ...base.walls[0],
      layout: { columns: 1, rows: 1, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'ticks' }] },
    }],
  };
}

test('the example widget counts on /wall, warns past alert_at, in both languages', async () => {
  const server = await startServer({ config: config() });
  try {
    const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=id`);
    await waitConnected(page);
    const tile = '#wall [data-tile="t1"] .pantau-example';
    await page.waitForSelector(tile, { timeout: 10000 });
    assert.equal(await page.textContent(`${tile} .pantau-example-label`), 'Gerbang 3');
    await page.waitForFunction((sel) => {
      const m = /^(\d+) detak$/.exec(document.querySelector(sel)?.textContent || '');
      return m && Number(m[1]) >= 3;
    }, `${tile} .pantau-example-count`, { timeout: 10000 });
    await page.waitForSelector(`${tile} .pantau-example-alert:not([hidden])`, { timeout: 5000 });
    assert.equal(await page.textContent(`${tile} .pantau-example-alert`), 'Mencapai 3');

    await page.keyboard.press('l');
    await page.waitForFunction((sel) => /^\d+ ticks$/.test(document.querySelector(sel)?.textContent || ''),
      `${tile} .pantau-example-count`, { timeout: 5000 });
    assert.equal(await page.textContent(`${tile} .pantau-example-alert`), 'Reached 3');
    assertNoProblems(page);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
