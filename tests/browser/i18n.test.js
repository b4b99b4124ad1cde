// English and Bahasa Indonesia: the switch translates the page at once, is
// remembered in the browser across reloads and pages, and the wall shows a
// presentation's caption in the chosen language.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig, Client } from '../lib/harness.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let server, browser;

const config = testConfig({
  presentations: [{ id: 'demo', name: { en: 'Demo', id: 'Contoh' }, steps: [
    { layout: { columns: 1, rows: 1, tiles: [{ id: 'a', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }] },
      caption: { en: 'Welcome', id: 'Selamat datang' }, notes: 'a note' }] }],
});

before(async () => {
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

test('the language switch translates the page and persists across reloads and pages', async () => {
  const page = await openPage(browser, `${server.url}/present`);
  await waitConnected(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('#next'), 'Next');
  await page.selectOption('select.language-select', 'id');
  assert.equal(await page.textContent('#next'), 'Berikutnya');
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  await page.waitForFunction(() => document.querySelector('#presentation-select option')?.textContent === 'Contoh');

  await page.reload();
  await waitConnected(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.equal(await page.textContent('#next'), 'Berikutnya');
  assert.equal(await page.inputValue('select.language-select'), 'id');

  // The same browser: the console and the start page speak Indonesian too.
  const consolePage = await page.context().newPage();
  await consolePage.goto(`${server.url}/console`);
  await waitConnected(consolePage);
  assert.equal(await consolePage.textContent('#sources-title'), 'Sumber');
  assert.equal(await consolePage.textContent('#connection'), 'tersambung');
  const index = await page.context().newPage();
  await index.goto(`${server.url}/`);
  assert.equal(await index.textContent('.index-present strong'), 'Presentasi');
  await index.selectOption('select.language-select', 'en');
  assert.equal(await index.textContent('.index-present strong'), 'Present');
  await consolePage.reload();
  await waitConnected(consolePage);
  assert.equal(await consolePage.textContent('#sources-title'), 'Sources');
  assertNoProblems(page);
  await page.context().close();
});

test('the wall shows the caption in its language; ?lang= and the L key switch it', async () => {
  const wallPage = await openPage(browser, `${server.url}/wall?wall=main&lang=id`);
  await waitConnected(wallPage);
  const client = new Client(server.wsUrl);
  await client.snapshot();
  const reply = await client.request('presentation.start', { presentation: 'demo', wall: 'main' });
  assert.ok(reply.ok, JSON.stringify(reply));
  await wallPage.waitForFunction(() => document.getElementById('wall-caption').textContent === 'Selamat datang');
  await wallPage.keyboard.press('l');
  await wallPage.waitForFunction(() => document.getElementById('wall-caption').textContent === 'Welcome');
  // Remembered: the wall without ?lang= keeps the language L chose.
  await wallPage.goto(`${server.url}/wall?wall=main`);
  await waitConnected(wallPage);
  await wallPage.waitForFunction(() => document.getElementById('wall-caption').textContent === 'Welcome');
  assert.equal(await wallPage.getAttribute('html', 'lang'), 'en');
  assert.doesNotMatch(await wallPage.content(), /a note/);
  await client.request('presentation.stop', { wall: 'main' });
  await client.close();
  assertNoProblems(wallPage);
  await wallPage.context().close();
});
