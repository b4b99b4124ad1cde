// /login: a user logs in and reaches the console (an admin sees the Audit
// panel, an operator does not); a wall display opens with its viewer token.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { authConfig } from '../lib/harness.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

const WALL_TOKEN = '7d0c3b9e51f24a68a1e6c2d4b8f09e3a5c7b1d2e4f6a8c0b9d7e5f3a1c2b4d6e';
const USERS = [
  { name: 'ana', role: 'admin', password: 'ana-browser-password' },
  { name: 'otto', role: 'operator', password: 'otto-browser-password' },
];

let chromium;
let server;
before(async () => {
  chromium = await launchBrowser();
  server = await startServer({ config: await authConfig({ users: USERS, tokens: [{ name: 'wall-pc', token: WALL_TOKEN }] }) });
});
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => {
  await chromium?.close();
  await server?.stop();
  server?.cleanup();
});

async function logIn(page, user, password) {
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

test('the console redirects to /login; a wrong password is refused; the right one reaches the console', async () => {
  const page = await openPage(chromium.browser, `${server.url}/console?wall=main`, {
    allow: [/401 \(Unauthorized\)/],
  });
  await page.waitForURL(/\/login\?next=/);
  await logIn(page, 'ana', 'not-the-password');
  await page.waitForSelector('#login-message:not([hidden])');
  assert.equal(await page.textContent('#login-message'), 'Wrong user name or password.');
  // The page speaks Bahasa Indonesia when asked, and says the same in it.
  await page.selectOption('#language-switch select', 'id');
  assert.equal(await page.textContent('#login-submit'), 'Masuk');
  await logIn(page, 'ana', 'ana-browser-password');
  await page.waitForURL(`${server.url}/console?wall=main`);
  await waitConnected(page);
  await page.waitForSelector('#user-badge');
  assert.match(await page.textContent('#user-badge'), /ana · admin/);
  // The admin's Audit panel lists the login.
  await page.waitForSelector('#audit-rows tr');
  const actions = await page.$$eval('#audit-rows tr td:nth-child(5)', (cells) => cells.map((c) => c.textContent));
  assert.ok(actions.includes('login'), `audit actions: ${actions}`);
  assert.ok(actions.includes('login_failed'), `audit actions: ${actions}`);
  // Filter by action.
  await page.fill('#audit-filters input[name="action"]', 'login_failed');
  await page.click('#audit-filters button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#audit-rows tr td:nth-child(5)')]
    .every((c) => c.textContent === 'login_failed'));
  assertNoProblems(page);
  // Log out: back to /login, and the console wants a login again.
  // One navigation, to /login itself: the closed socket does not start a
  // second one (to /login?next=) that would cut the first short.
  await page.click('#logout');
  await page.waitForURL(`${server.url}/login`);
  await page.goto(`${server.url}/console`);
  await page.waitForURL(/\/login\?next=/);
  await page.context().close();
});

test('an operator gets no Audit panel', async () => {
  const page = await openPage(chromium.browser, `${server.url}/login`);
  await logIn(page, 'otto', 'otto-browser-password');
  await page.waitForURL(`${server.url}/console`);
  await waitConnected(page);
  await page.waitForSelector('#user-badge');
  assert.match(await page.textContent('#user-badge'), /otto · operator/);
  assert.equal(await page.$('#audit-panel'), null);
  assertNoProblems(page);
  await page.context().close();
});

test('a console whose login ends elsewhere goes to /login instead of reconnecting', async () => {
  const page = await openPage(chromium.browser, `${server.url}/login?next=${encodeURIComponent('/console?wall=main')}`, {
    allow: [/401 \(Unauthorized\)/],
  });
  await logIn(page, 'otto', 'otto-browser-password');
  await page.waitForURL(`${server.url}/console?wall=main`);
  await waitConnected(page);
  // The same login is ended from another tab: the server closes this page's
  // socket ("logged out", 1008) and the page asks for a login again.
  const session = (await page.context().cookies()).find((c) => c.name === 'pantau_session');
  assert.ok(session, 'the login set a session cookie');
  const res = await fetch(`${server.url}/api/logout`, { method: 'POST', headers: { cookie: `pantau_session=${session.value}` } });
  assert.equal(res.status, 200);
  await page.waitForURL(/\/login\?next=%2Fconsole%3Fwall%3Dmain$/, { timeout: 10000 });
  await page.waitForSelector('#login-user');
  await page.context().close();
});

test('a wall display opens with its viewer token and renders the wall', async () => {
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&token=${WALL_TOKEN}`);
  await waitConnected(page);
  await page.waitForSelector('#wall [data-tile="t1"][data-source="clock-a"] .pantau-clock[data-time]', { timeout: 10000 });
  assertNoProblems(page);
  await page.context().close();
});
