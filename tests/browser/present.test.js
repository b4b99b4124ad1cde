// /present with the shipped example presentation (config/pantau.json): a
// presenter walks it with the keyboard while a /wall page follows (tiles
// and caption change, notes never appear in the wall's DOM), and a
// rehearsal shows the steps on the preview without touching the wall.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServer, stopServer, Client } from '../lib/harness.js';
import { repoRoot } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected } from './browser.js';

const configText = readFileSync(join(repoRoot, 'config', 'pantau.json'), 'utf8');
const example = JSON.parse(configText).presentations[0];
// Every note of the example, in both languages.
const NOTES = example.steps.flatMap((s) => (typeof s.notes === 'string' ? [s.notes] : Object.values(s.notes)));
const captionEn = (i) => example.steps[i].caption.en;
const mainSource = (i) => example.steps[i].layout.tiles[0].source;

let server, browser;

before(async () => {
  // Without the example alarm rules: on a busy test machine the data
  // centre's CPU alarm would take a tile over in the middle of the walk.
  const config = JSON.parse(configText);
  delete config.alarms;
  server = await startServer({ config });
  // The config's slides folder sits next to the config file.
  cpSync(join(repoRoot, 'config', 'slides'), join(dirname(server.configPath), 'slides'), { recursive: true });
  ({ browser } = await launchBrowser());
});
after(async () => {
  await browser?.close();
  if (server) {
    await stopServer(server);
    server.cleanup();
  }
});

async function openPair() {
  const wallPage = await openPage(browser, `${server.url}/wall?wall=main`);
  const presentPage = await openPage(browser, `${server.url}/present?wall=main&presentation=${example.id}`,
    { viewport: { width: 1280, height: 800 } });
  await Promise.all([waitConnected(wallPage), waitConnected(presentPage)]);
  await presentPage.waitForSelector('#jump-list li[data-step="10"]');
  return { wallPage, presentPage };
}

async function assertNoNotes(wallPage, when) {
  const html = await wallPage.content();
  for (const note of NOTES) assert.ok(!html.includes(note), `${when}: the wall page shows a note: ${note}`);
}

// Waits until the wall shows step i: its main tile's source and its caption.
async function wallShowsStep(wallPage, i) {
  await wallPage.waitForSelector(`#wall [data-tile="${example.steps[i].layout.tiles[0].id}"][data-source="${mainSource(i)}"]`, { timeout: 8000 });
  await wallPage.waitForFunction((text) => document.getElementById('wall-caption')?.textContent === text,
    captionEn(i), { timeout: 5000 });
}

async function presenterAt(presentPage, i) {
  await presentPage.waitForFunction((step) => document.querySelector('#jump-list li[aria-current="step"]')?.dataset.step === String(step),
    i, { timeout: 5000 });
}

async function wallVersion() {
  const client = new Client(server.wsUrl);
  const snapshot = await client.snapshot();
  await client.close();
  return snapshot.walls.find((w) => w.id === 'main');
}

test('a presenter walks the example live with the keyboard while the wall follows', async () => {
  const { wallPage, presentPage } = await openPair();
  await presentPage.click('#mode-live');
  await presentPage.click('#start');
  await wallShowsStep(wallPage, 0);
  await presenterAt(presentPage, 0);
  assert.equal(await presentPage.textContent('#current-caption'), captionEn(0));
  assert.equal(await presentPage.textContent('#notes'), example.steps[0].notes.en);
  assert.equal(await presentPage.textContent('#next-caption'), captionEn(1));
  assert.equal(await presentPage.getAttribute('#run-status', 'data-state'), 'live');
  await wallPage.waitForSelector('#wall [data-source="slide-vision"] .slide-title');
  assert.equal(await wallPage.textContent('#wall [data-source="slide-vision"] .slide-title'), 'Vision and mission');
  await assertNoNotes(wallPage, 'step 1');

  const walk = [['ArrowRight', 1], ['PageDown', 2], ['PageUp', 1], ['ArrowRight', 2], ['ArrowRight', 3],
    ['ArrowLeft', 2], ['End', 10], ['Home', 0]];
  for (const [key, step] of walk) {
    await presentPage.keyboard.press(key);
    await wallShowsStep(wallPage, step);
    await presenterAt(presentPage, step);
    assert.equal(await presentPage.textContent('#notes'), example.steps[step].notes.en, `notes of step ${step + 1}`);
    await assertNoNotes(wallPage, `after ${key}`);
  }
  // The city map (an image slide) loads on the wall.
  await presentPage.keyboard.press('ArrowRight');
  await wallShowsStep(wallPage, 1);
  await wallPage.waitForFunction(() => document.querySelector('[data-source="slide-city-map"] img.slide-image')?.naturalWidth > 0,
    null, { timeout: 5000 });
  // The jump list goes anywhere.
  await presentPage.click('#jump-list li[data-step="4"] button');
  await wallShowsStep(wallPage, 4);
  await assertNoNotes(wallPage, 'after the jump');

  await presentPage.click('#stop');
  await wallPage.waitForSelector('#wall-caption', { state: 'hidden' });
  await assertNoNotes(wallPage, 'after stop');
  assertNoProblems(wallPage, presentPage);
  await wallPage.context().close();
  await presentPage.context().close();
});

test('a rehearsal shows the steps on the preview and leaves the wall untouched', async () => {
  const before = await wallVersion();
  const { wallPage, presentPage } = await openPair();
  const tilesBefore = await wallPage.$$eval('#wall [data-tile]', (els) => els.map((e) => `${e.dataset.tile}=${e.dataset.source}`));
  assert.equal(await presentPage.getAttribute('#mode-rehearsal', 'aria-checked'), 'true', 'rehearsal is the default');
  await presentPage.click('#start');
  await presenterAt(presentPage, 0);
  assert.equal(await presentPage.getAttribute('#run-status', 'data-state'), 'rehearsal');
  await presentPage.waitForSelector(`#preview [data-tile="main"][data-source="${mainSource(0)}"]`);
  await presentPage.keyboard.press('PageDown');
  await presentPage.keyboard.press('ArrowRight');
  await presenterAt(presentPage, 2);
  await presentPage.waitForSelector(`#preview [data-tile="main"][data-source="${mainSource(2)}"]`);
  assert.equal(await presentPage.textContent('#notes'), example.steps[2].notes.en);
  await presentPage.keyboard.press('PageUp');
  await presenterAt(presentPage, 1);
  await presentPage.waitForSelector(`#preview [data-tile="main"][data-source="${mainSource(1)}"]`);

  const after = await wallVersion();
  assert.equal(after.version, before.version, 'the wall version is unchanged');
  assert.deepEqual(after.layout, before.layout);
  const tilesAfter = await wallPage.$$eval('#wall [data-tile]', (els) => els.map((e) => `${e.dataset.tile}=${e.dataset.source}`));
  assert.deepEqual(tilesAfter, tilesBefore, 'the wall page shows what it showed');
  assert.equal(await wallPage.isVisible('#wall-caption'), false, 'no caption on the wall');
  await assertNoNotes(wallPage, 'during the rehearsal');
  await presentPage.click('#stop');
  await presentPage.waitForSelector('#run-status[data-state="idle"]');
  assertNoProblems(wallPage, presentPage);
  await wallPage.context().close();
  await presentPage.context().close();
});
