// The console's lists (issue 13): sources with problems come first, a
// filter box narrows the list, full names show on hover; each preset shows
// a thumbnail of its own layout and what it shows, and every recall (button
// or number key) is confirmed by a message naming the preset.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, testConfig } from '../lib/server.js';
import { closedPort } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

const LONG_NAME = 'Persimpangan Jalan Jenderal Sudirman dan Jalan Gatot Subroto arah Bundaran';

// Clocks (live) plus a traffic feed whose server is not there (a problem),
// named to sort last alphabetically.
async function withConsole(body) {
  const base = testConfig();
  const deadPort = await closedPort();
  const clocks = Array.from({ length: 12 }, (_, i) => ({
    id: `clock-${i}`, type: 'clock', name: i === 0 ? LONG_NAME : `Clock ${String(i).padStart(2, '0')}`,
    settings: { timezone: i % 2 ? 'Asia/Jakarta' : 'UTC', label: i % 2 ? 'WIB' : 'UTC' },
  }));
  const dead = {
    id: 'zz-feed', type: 'traffic', name: 'Zebra corridor feed',
    settings: { feed: 'http', url: `http://127.0.0.1:${deadPort}/`, interval_s: 0.2, timeout_s: 0.3 },
  };
  const config = { ...base, plugins: { load: ['clock', 'traffic'] }, sources: [...base.sources, ...clocks, dead] };
  const server = await startServer({ config });
  const client = new Client(server.wsUrl);
  try {
    await client.snapshot();
    const page = await openPage(chromium.browser, `${server.url}/console?wall=main`, { viewport: { width: 1366, height: 768 } });
    await waitConnected(page);
    await page.waitForSelector('#editor [data-tile="t3"]');
    await body(page, client);
    assertNoProblems(page);
  } finally {
    await client.close();
    await server.stop();
    server.cleanup();
  }
}

const listedIds = (page) => page.$$eval('#sources .source-item:not([hidden])', (items) => items.map((i) => i.dataset.sourceId));

test('sources: problems first, a filter box, full names on hover', () => withConsole(async (page) => {
  // The dead feed turns into a problem and moves to the top.
  await page.waitForFunction(() => {
    const first = document.querySelector('#sources .source-item');
    return first?.dataset.sourceId === 'zz-feed' && first.dataset.status !== 'live';
  }, null, { timeout: 10000 });
  const ids = await listedIds(page);
  assert.equal(ids.length, 15);
  assert.equal(ids[0], 'zz-feed', `problems first: ${ids}`);
  // Filter: words in any order, any case; Escape empties the box.
  await page.fill('#source-filter', '1 CLOCK');
  await page.waitForFunction(() => document.querySelectorAll('#sources .source-item:not([hidden])').length === 3);
  assert.deepEqual(await listedIds(page), ['clock-1', 'clock-10', 'clock-11']);
  assert.match(await page.textContent('#source-count'), /3 of 15/);
  await page.fill('#source-filter', 'SUDIRMAN');
  await page.waitForFunction(() => document.querySelectorAll('#sources .source-item:not([hidden])').length === 1);
  assert.deepEqual(await listedIds(page), ['clock-0']);
  await page.fill('#source-filter', 'no such thing');
  await page.waitForFunction(() => document.querySelectorAll('#sources .source-item:not([hidden])').length === 0);
  assert.match(await page.textContent('#source-count'), /no such thing/);
  await page.press('#source-filter', 'Escape');
  await page.waitForFunction(() => document.querySelectorAll('#sources .source-item:not([hidden])').length === 15);
  // The long name is cut in the list and whole on hover.
  const item = page.locator('#sources .source-item[data-source-id="clock-0"]');
  assert.equal(await item.getAttribute('title'), LONG_NAME);
  assert.ok(await item.locator('.source-name').evaluate((el) => el.scrollWidth > el.clientWidth), 'the name is cut in the list');
}));

const thumbRects = (page, presetIndex) => page.$$eval(
  `#presets .preset-item:nth-child(${presetIndex}) svg.preset-thumb rect`,
  (rects) => rects.map((r) => [r.dataset.tile, r.dataset.kind, r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width'), r.getAttribute('height')].join(' ')),
);

test('presets: a thumbnail of each layout, what it shows, and a confirmed recall', () => withConsole(async (page, client) => {
  assert.ok((await client.request('preset.save', { wall: 'main', name: 'Clocks' })).ok);
  const wall = (await client.request('snapshot')).ok.walls[0];
  const split = await client.request('tile.split', { wall: 'main', version: wall.version, tile: 't3', columns: 2, rows: 1 });
  assert.ok(split.ok, JSON.stringify(split));
  assert.ok((await client.request('preset.save', { wall: 'main', name: 'Split bottom' })).ok);
  await page.waitForSelector('#presets .preset-item:nth-child(2) svg.preset-thumb');
  const first = await thumbRects(page, 1);
  const second = await thumbRects(page, 2);
  assert.equal(first.length, 3, `one rectangle per tile: ${first}`);
  assert.equal(second.length, 4, `one rectangle per tile: ${second}`);
  assert.ok(first.some((r) => r.startsWith('t1 widget')), `the clock tile is drawn as a widget: ${first}`);
  assert.notDeepEqual(first, second, 'two layouts, two pictures');
  assert.match(await page.textContent('#presets .preset-item:nth-child(1) .preset-sources'), /Clock A/);
  // Recall by button: a message names the preset.
  await page.click('#presets .preset-item:nth-child(1) .recall');
  await page.waitForSelector('#notice:not([hidden])');
  assert.match(await page.textContent('#notice'), /Clocks/);
  await client.waitFor((m) => m.ev === 'wall' && m.wall.layout.tiles.length === 3);
  // Recall by key: the same.
  await page.click('#notice'); // dismiss
  await page.keyboard.press('2');
  await page.waitForFunction(() => !document.querySelector('#notice').hidden && /Split bottom/.test(document.querySelector('#notice').textContent));
  await client.waitFor((m) => m.ev === 'wall' && m.wall.layout.tiles.length === 4);
}));
