// The console fits the screens operators have (issue 13): at 1366×768 no
// two panels overlap and the source list shows many sources; at 1920×1080
// the wall editor gets the largest share. The complaints tile fits its
// tile, in the editor and on a 1080p whole-wall view: its title on one
// line and whole, no number running off.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testConfig } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
let server;

// The demo's wall: 3×2 full-HD screens, a 6×4 grid, the complaints tile
// over 3×2 cells; 25 sources in all, some with long names.
function config() {
  const base = testConfig();
  const clocks = Array.from({ length: 23 }, (_, i) => ({
    id: `clock-${i}`, type: 'clock', name: i % 4 === 0 ? `Persimpangan Jalan Jenderal Sudirman nomor ${i}` : `Clock ${i}`,
    settings: { timezone: 'Asia/Jakarta', label: 'WIB' },
  }));
  const services = {
    id: 'services', type: 'services', name: 'Pengaduan warga (LAPOR!)',
    settings: { feed: 'simulated', timezone: 'Asia/Jakarta', tickets_per_day: 40, overdue_alert: 40, overdue_list: 12 },
  };
  return {
    ...base,
    plugins: { load: ['clock', 'services'] },
    sources: [...base.sources, ...clocks, services],
    walls: [{
      id: 'main', name: 'Command Centre wall',
      displays: { columns: 3, rows: 2, width: 1920, height: 1080, bezel: { x: 12, y: 12 } },
      layout: { columns: 6, rows: 4, tiles: [
        { id: 'a', x: 0, y: 0, w: 3, h: 2, source: 'clock-a' },
        { id: 'b', x: 3, y: 0, w: 3, h: 2, source: 'clock-b' },
        { id: 'services', x: 0, y: 2, w: 3, h: 2, source: 'services' },
        { id: 'c', x: 3, y: 2, w: 3, h: 2, source: 'clock-1' },
      ] },
    }, {
      id: 'lobby', name: 'Lobby', displays: { columns: 1, rows: 1, width: 1920, height: 1080 },
      layout: { columns: 1, rows: 1, tiles: [{ id: 'l1', x: 0, y: 0, w: 1, h: 1, source: 'clock-b' }] },
    }],
  };
}

before(async () => {
  chromium = await launchBrowser();
  server = await startServer({ config: config() });
});
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => {
  await chromium?.close();
  await server?.stop();
  server?.cleanup();
});

const PANELS = ['.topbar', '#alarms-panel', '.sources-panel', '.editor-panel', '.walls-strip', '.presets-panel'];

async function openConsole(viewport) {
  const page = await openPage(chromium.browser, `${server.url}/console?wall=main`, { viewport });
  await waitConnected(page);
  await page.waitForSelector('#editor [data-tile="services"]');
  await page.waitForSelector('#sources .source-item');
  return page;
}

function boxes(page) {
  return page.evaluate((selectors) => Object.fromEntries(selectors.map((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return [sel, { x: r.x, y: r.y, right: r.right, bottom: r.bottom, area: r.width * r.height }];
  })), PANELS);
}

const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.x, b.x))
  * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.y, b.y));

test('at 1366×768 no two panels overlap, all are on the screen, and the source list shows many sources', async () => {
  const viewport = { width: 1366, height: 768 };
  const page = await openConsole(viewport);
  const rects = await boxes(page);
  for (const [sel, r] of Object.entries(rects)) {
    assert.ok(r.x >= 0 && r.y >= 0 && r.right <= viewport.width + 0.5 && r.bottom <= viewport.height + 0.5,
      `${sel} is inside the window: ${JSON.stringify(r)}`);
  }
  for (let i = 0; i < PANELS.length; i++) {
    for (let j = i + 1; j < PANELS.length; j++) {
      assert.equal(overlap(rects[PANELS[i]], rects[PANELS[j]]), 0, `${PANELS[i]} and ${PANELS[j]} overlap`);
    }
  }
  // Whole source items inside the list's visible box.
  const visible = await page.$eval('#sources', (list) => {
    const box = list.getBoundingClientRect();
    return [...list.querySelectorAll('.source-item')]
      .filter((item) => { const r = item.getBoundingClientRect(); return r.top >= box.top && r.bottom <= box.bottom; }).length;
  });
  assert.ok(visible >= 8, `${visible} sources visible at 1366×768`);
  assertNoProblems(page);
});

test('at 1920×1080 the wall editor gets the largest share of the screen', async () => {
  const viewport = { width: 1920, height: 1080 };
  const page = await openConsole(viewport);
  const rects = await boxes(page);
  const editor = rects['.editor-panel'].area;
  for (const sel of PANELS.filter((p) => p !== '.editor-panel')) {
    assert.ok(editor > rects[sel].area, `the editor (${editor}) is larger than ${sel} (${rects[sel].area})`);
  }
  const screen = viewport.width * viewport.height;
  assert.ok(editor > 0.4 * screen, `the editor panel has ${Math.round((100 * editor) / screen)}% of the screen`);
  // The wall drawn in it (3:1 here) spans the editor's width: a fifth of
  // the screen or more.
  const stage = await page.$eval('.editor-stage', (el) => el.getBoundingClientRect());
  const frame = await page.$eval('#editor-frame', (el) => el.getBoundingClientRect());
  assert.ok(stage.width >= frame.width - 2, `the wall is ${stage.width} px wide in a ${frame.width} px editor`);
  assert.ok(stage.width * stage.height > 0.2 * screen, `the wall drawing has ${Math.round((100 * stage.width * stage.height) / screen)}% of the screen`);
  assertNoProblems(page);
});

// Measures the complaints tile in `scope`: the title, the numbers.
function servicesFit(page, scope) {
  return page.$eval(`${scope} .pantau-services`, (root) => {
    const title = root.querySelector('.svc-title');
    const style = getComputedStyle(title);
    const over = (el) => el.scrollWidth > el.clientWidth + 1;
    const rootBox = root.getBoundingClientRect();
    const numbers = [...root.querySelectorAll('.svc-top b, .svc-group-num')];
    return {
      size: [Math.round(rootBox.width), Math.round(rootBox.height)],
      rootOverflows: over(root),
      titleLines: Math.round(title.getBoundingClientRect().height / parseFloat(style.lineHeight)),
      titleCut: over(title),
      cellsOverflowing: [...root.querySelectorAll('.svc-top > *')].filter(over).length,
      numbersOutside: numbers.filter((n) => {
        const r = n.getBoundingClientRect();
        const cell = n.parentElement.getBoundingClientRect();
        return r.right > cell.right + 1 || r.left < cell.left - 1 || r.right > rootBox.right + 1;
      }).map((n) => n.textContent),
      numbersWrapped: numbers.filter((n) => n.getClientRects().length > 1).map((n) => n.textContent),
    };
  });
}

function assertFits(fit, where) {
  assert.equal(fit.rootOverflows, false, `${where}: the tile overflows sideways (${JSON.stringify(fit)})`);
  assert.equal(fit.titleLines, 1, `${where}: the title takes ${fit.titleLines} lines (${JSON.stringify(fit)})`);
  assert.equal(fit.titleCut, false, `${where}: the title is cut (${JSON.stringify(fit)})`);
  assert.equal(fit.cellsOverflowing, 0, `${where}: a count overflows its cell (${JSON.stringify(fit)})`);
  assert.deepEqual(fit.numbersOutside, [], `${where}: numbers run off (${JSON.stringify(fit)})`);
  assert.deepEqual(fit.numbersWrapped, [], `${where}: numbers wrap (${JSON.stringify(fit)})`);
}

test('the complaints tile fits in the editor and on a 1080p whole-wall view', async () => {
  for (const viewport of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    const page = await openConsole(viewport);
    await page.waitForSelector('#editor [data-tile="services"] .pantau-services .svc-top');
    assertFits(await servicesFit(page, '#editor [data-tile="services"]'), `editor at ${viewport.width}`);
    assertNoProblems(page);
    await page.context().close();
  }
  const wall = await openPage(chromium.browser, `${server.url}/wall?wall=main`, { viewport: { width: 1920, height: 1080 } });
  await waitConnected(wall);
  await wall.waitForSelector('[data-tile="services"] .pantau-services .svc-top');
  assertFits(await servicesFit(wall, '[data-tile="services"]'), 'wall at 1920×1080');
  assertNoProblems(wall);
});
