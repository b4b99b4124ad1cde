// Editing any source's settings from the console (issue 15, console15): the
// real server with the traffic plugin on an HTTP feed (a local feed server
// that records each request), Debian's Chromium as the admin's console. The
// generic form shows the source's settings, the bearer token only as
// "unchanged"; a changed URL takes effect at once (the feed is polled at
// the new path, with the kept token), and a bad value is refused naming
// the field.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig } from '../lib/harness.js';
import { startFeedServer } from '../lib/feed-server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

const TOKEN = 'tok-Secret-5e21';
let feed, server, browser;

before(async () => {
  feed = await startFeedServer();
  feed.set('good', { corridors: [{ id: 'dago', name: 'Simpang Dago', count: 120, speed: 42, level: 'free' }] });
  const config = testConfig();
  config.plugins = { load: ['clock', 'traffic'] };
  config.sources.push({ id: 'traffic-feed', type: 'traffic', name: 'Lalu lintas',
    settings: { feed: 'http', url: feed.url('/traffic-a'), token: TOKEN, interval_s: 0.3, timeout_s: 2 } });
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
  await feed?.close();
});

async function waitRequest(path, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = feed.requests.find((r) => r.url === path);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no request for ${path}: ${feed.requests.slice(-3).map((r) => r.url)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('an admin edits a traffic feed\'s settings in the generic form; the change takes effect without a restart, the token stays secret and kept', async () => {
  await waitRequest('/traffic-a');
  const page = await openPage(browser, `${server.url}/console?wall=main`, { viewport: { width: 1400, height: 1000 } });
  await waitConnected(page);
  await page.locator('#camera-admin-list [data-source-id="traffic-feed"] .camera-edit').click();
  const form = page.locator('#source-settings-form');
  await form.waitFor();
  const field = (key) => form.locator(`[data-setting="${key}"]`);
  assert.equal(await field('url').inputValue(), feed.url('/traffic-a'));
  assert.equal(await field('interval_s').getAttribute('type'), 'number');
  assert.equal(await field('interval_s').inputValue(), '0.3');
  assert.equal(await field('token').getAttribute('type'), 'password');
  assert.equal(await field('token').inputValue(), '', 'the token is write-only');
  assert.equal(await field('token').getAttribute('placeholder'), 'unchanged');
  assert.ok(!(await page.content()).includes(TOKEN), 'the token never reaches the page');

  // A bad value: refused naming the field, nothing changes.
  await field('interval_s').fill('-5');
  await page.locator('#source-settings-save').click();
  await page.waitForFunction(() => /interval_s/.test(document.querySelector('#message')?.textContent || ''));
  assert.ok(await form.isVisible(), 'the form stays open after a refusal');

  // A new URL: polled at once, with the kept token.
  await field('interval_s').fill('0.3');
  await field('url').fill(feed.url('/traffic-b'));
  await page.locator('#source-settings-save').click();
  await form.waitFor({ state: 'hidden' });
  const request = await waitRequest('/traffic-b');
  assert.equal(request.headers.authorization, `Bearer ${TOKEN}`, 'the unchanged token is kept');
  await page.waitForFunction((url) => document.querySelector('#notice')?.textContent === 'Settings of traffic-feed saved.', feed.url('/traffic-b'));
  // Opened again, the form shows the new URL.
  await page.locator('#camera-admin-list [data-source-id="traffic-feed"] .camera-edit').click();
  await page.waitForFunction((url) => document.querySelector('#source-settings-form [data-setting="url"]')?.value === url, feed.url('/traffic-b'));
  assertNoProblems(page);
  await page.context().close();
});

test('an admin reloads a source\'s plugin from its form; the source comes back and polls its feed again (issue 18)', async () => {
  const page = await openPage(browser, `${server.url}/console?wall=main`, { viewport: { width: 1400, height: 1000 } });
  await waitConnected(page);
  await page.locator('#camera-admin-list [data-source-id="traffic-feed"] .camera-edit').click();
  const reload = page.locator('#source-settings-reload');
  await reload.waitFor();
  assert.equal(await reload.textContent(), 'Reload plugin traffic');
  const before = feed.requests.length;
  await reload.click();
  await page.waitForFunction(() => document.querySelector('#notice')?.textContent === 'Plugin traffic 1.0.0 reloaded.');
  await page.locator('#source-settings-form').waitFor({ state: 'hidden' });
  const deadline = Date.now() + 10000;
  while (feed.requests.length <= before + 1) {
    assert.ok(Date.now() < deadline, 'the reloaded plugin polls the feed again');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.match(server.output(), /plugin 'traffic' 1\.0\.0 reloaded/);
  assertNoProblems(page);
  await page.context().close();
});
