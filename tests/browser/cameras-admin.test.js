// The admins' Cameras panel in a real browser (issue 15): a camera added
// from the console through camera.probe of the ONVIF test device, shown
// on the wall at once and playing; removed again with a confirmation, its
// tile then says there is no such source. The password never reaches the
// page after it was typed.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig, sleep, Client, authConfig } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';
import { startOnvif } from '../lib/onvif.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, waitFrames, closeContexts } from './browser.js';

const PASSWORD = 'Kamera-Rahasia_77';
let rtsp, onvif, server, browser;

before(async () => {
  rtsp = await startRtsp({ mounts: { '/main': 'test:640x360@15', '/sub': 'test:320x180@10' }, user: 'admin', password: PASSWORD });
  onvif = await startOnvif({ user: 'admin', password: PASSWORD, mainUri: rtsp.url('/main'), subUri: rtsp.url('/sub') });
  const config = testConfig();
  config.plugins = { load: ['clock', 'cctv'] };
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
  await onvif?.stop();
  await rtsp?.stop();
});

test('an admin adds a camera via probe and its tile plays; removing it empties the tile', async () => {
  const wall = await openPage(browser, `${server.url}/wall?wall=main`);
  await waitConnected(wall);
  const page = await openPage(browser, `${server.url}/console?wall=main`);
  await waitConnected(page);
  await page.locator('#camera-add').click();
  const form = page.locator('#camera-form');
  await form.locator('input[name="id"]').fill('cam-new');
  await form.locator('input[name="name"]').fill('Simpang Lima');
  await form.locator('input[name="address"]').fill(onvif.address);
  await form.locator('input[name="username"]').fill('admin');
  await form.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('#camera-probe').click();
  await page.waitForFunction((url) => document.querySelector('#camera-form input[name="url"]').value === url, rtsp.url('/main'));
  assert.equal(await form.locator('input[name="sub_url"]').inputValue(), rtsp.url('/sub'));
  assert.equal(await page.locator('#camera-probe-note').getAttribute('data-ptz'), 'true');
  assert.match(await page.locator('#camera-probe-note').textContent(), /PTZ/);
  await page.locator('#camera-save').click();
  await page.locator('#camera-admin-list [data-source-id="cam-new"]').waitFor();
  await page.locator('#sources [data-source-id="cam-new"]').waitFor();
  assert.ok(await form.isHidden(), 'the form closes after the save');

  // Put it on the wall (as a drag would) and watch it play.
  const client = new Client(server.wsUrl);
  await client.opened;
  const snap = await client.snapshot();
  const version = snap.walls.find((w) => w.id === 'main').version;
  const set = await client.request('tile.set_source', { wall: 'main', version, tile: 't2', source: 'cam-new' });
  assert.ok(set.ok, JSON.stringify(set));
  await waitFrames(wall, 't2', 10);

  for (const p of [page, wall]) {
    assert.ok(!(await p.content()).includes(PASSWORD), 'no password in the page');
  }
  // Edit: the password field is empty ("unchanged").
  await page.locator('#camera-admin-list [data-source-id="cam-new"] .camera-edit').click();
  assert.equal(await form.locator('input[name="password"]').inputValue(), '');
  assert.equal(await form.locator('input[name="id"]').inputValue(), 'cam-new');

  // Remove, with the second press confirming.
  const remove = page.locator('#camera-admin-list [data-source-id="cam-new"] .camera-remove');
  await remove.click();
  assert.equal(await page.locator('#sources [data-source-id="cam-new"]').count(), 1, 'one press does not remove');
  await remove.click();
  await page.locator('#sources [data-source-id="cam-new"]').waitFor({ state: 'detached' });
  await wall.locator('[data-tile="t2"] .source-placeholder-unknown').waitFor({ timeout: 10000 });
  client.close();
  assertNoProblems(page, wall);
  await page.context().close();
  await wall.context().close();
});

test('an operator or a viewer sees no Cameras panel (the admin case is above)', async () => {
  for (const role of ['operator', 'viewer']) {
    const config = await authConfig({ users: [], auth: { anonymous_role: role } });
    const other = await startServer({ config });
    try {
      const page = await openPage(browser, `${other.url}/console?wall=main`);
      await waitConnected(page);
      await page.waitForSelector(`body[data-role="${role}"]`);
      await sleep(300);
      assert.equal(await page.locator('#cameras-panel').count(), 0, role);
      assertNoProblems(page);
      await page.context().close();
    } finally {
      await stopServer(other);
      other.cleanup();
    }
  }
});
