// Every page shows each role only what it may do (issue 13): a viewer's
// console has every control that changes the wall disabled with the reason
// on hover, and tiles that do not move; /present disables its controls
// for a role that may not present and says why. An operator gets the
// console's controls, not the presenter's.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.js';
import { authConfig, login } from '../lib/harness.js';
import { closedPort } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

const ADMIN = { name: 'ana', role: 'admin', password: 'ana-roles-password' };

// Anonymous visitors get `role`; a data-centre check against a closed port
// raises a critical alarm; the admin saves one preset.
async function withServer(role, body) {
  const deadPort = await closedPort();
  const config = await authConfig({ users: [ADMIN], auth: { anonymous_role: role } });
  config.plugins = { load: ['clock', 'dchealth'] };
  config.sources.push({
    id: 'dc', type: 'dchealth', name: 'Data centre',
    settings: { interval_ms: 300, host: { mode: 'off' }, checks: [{ name: 'db', type: 'tcp', host: '127.0.0.1', port: deadPort, timeout_ms: 500 }] },
  });
  const server = await startServer({ config });
  const { cookie } = await login(server, ADMIN.name, ADMIN.password);
  const admin = new Client(server.wsUrl, { headers: { cookie } });
  try {
    await admin.snapshot();
    const saved = await admin.request('preset.save', { wall: 'main', name: 'Morning' });
    assert.ok(saved.ok, JSON.stringify(saved));
    await body(server);
  } finally {
    await admin.close();
    await server.stop();
    server.cleanup();
  }
}

const CONSOLE_CONTROLS = ['#clear-wall', '#split-2x1', '#merge', '#swap', '#clear-tile', '#preset-name',
  '#preset-save button', '.preset-item .recall', '.preset-item .rename', '.preset-item .delete',
  '#alarm-list .alarm-ack', '#alarm-list .alarm-show'];

// {selector: {disabled, title}} for every control.
function controlStates(page, selectors) {
  return page.evaluate((list) => Object.fromEntries(list.map((sel) => {
    const el = document.querySelector(sel);
    return [sel, el ? { disabled: el.disabled, title: el.title } : null];
  })), selectors);
}

async function openConsole(server, role) {
  const page = await openPage(chromium.browser, `${server.url}/console?wall=main`, { viewport: { width: 1440, height: 900 } });
  await waitConnected(page);
  await page.waitForSelector(`body[data-role="${role}"]`);
  await page.waitForSelector('#alarm-list .alarm-item .alarm-ack');
  await page.waitForSelector('.preset-item .recall');
  await page.waitForSelector('#editor [data-tile="t1"]');
  return page;
}

test('a viewer\'s console: every change is disabled with the reason on hover, tiles and sources do not move', () => withServer('viewer', async (server) => {
  const page = await openConsole(server, 'viewer');
  const states = await controlStates(page, CONSOLE_CONTROLS);
  for (const [sel, state] of Object.entries(states)) {
    assert.ok(state, `${sel} is on the page`);
    assert.equal(state.disabled, true, `${sel} is disabled for a viewer`);
    assert.match(state.title, /viewer/, `${sel} says why on hover`);
  }
  assert.match(await page.textContent('#role-note'), /viewer/);
  assert.ok(await page.isVisible('#role-note'));
  assert.equal(await page.isVisible('.sources-panel .hint'), false, 'no "drag a source" hint for a viewer');
  assert.equal(await page.$eval('#sources .source-item', (el) => el.draggable), false, 'sources cannot be dragged');
  // A drag with the mouse does not move the tile, and asks nothing.
  const box = await page.locator('#editor [data-tile="t1"]').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 1.4, { steps: 12 });
  await page.mouse.up();
  assert.equal(await page.$eval('#editor [data-tile="t1"]', (el) => el.gridstackNode.y), 0, 'the tile stayed');
  // The number keys say why instead of trying.
  await page.keyboard.press('1');
  await page.waitForSelector('#notice:not([hidden])');
  assert.match(await page.textContent('#notice'), /viewer/);
  assert.equal(await page.isVisible('#message'), false, 'nothing was refused: nothing was tried');
  assertNoProblems(page);
}));

test('a viewer on /present: every control disabled with the reason, no refusal', () => withServer('viewer', async (server) => {
  const page = await openPage(chromium.browser, `${server.url}/present`, { viewport: { width: 1280, height: 800 } });
  await waitConnected(page);
  await page.waitForSelector('#present-message:not([hidden])');
  assert.match(await page.textContent('#present-message'), /viewer/);
  const states = await controlStates(page, ['#presentation-select', '#wall-select', '#mode-rehearsal', '#mode-live',
    '#start', '#stop', '#prev', '#next']);
  for (const [sel, state] of Object.entries(states)) {
    assert.equal(state.disabled, true, `${sel} is disabled for a viewer`);
    assert.match(state.title, /viewer/, `${sel} says why on hover`);
  }
  assertNoProblems(page);
}));

test('an operator gets the console\'s controls, and the presenter\'s disabled', () => withServer('operator', async (server) => {
  const page = await openConsole(server, 'operator');
  const states = await controlStates(page, ['#clear-wall', '#preset-name', '.preset-item .recall', '#alarm-list .alarm-ack']);
  for (const [sel, state] of Object.entries(states)) assert.equal(state.disabled, false, `${sel} is enabled for an operator`);
  assert.equal(await page.isVisible('#role-note'), false);
  assert.equal(await page.$eval('#sources .source-item', (el) => el.draggable), true);
  const present = await openPage(chromium.browser, `${server.url}/present`);
  await waitConnected(present);
  await present.waitForSelector('#present-message:not([hidden])');
  assert.match(await present.textContent('#present-message'), /operator/);
  assert.equal(await present.$eval('#start', (el) => el.disabled), true);
  assertNoProblems(page, present);
}));
