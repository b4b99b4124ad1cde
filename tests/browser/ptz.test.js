// Steering a camera from the console (issue 15): the real server, the real
// ONVIF test device (pantau-test-onvif) of a camera streaming from
// pantau-test-rtsp, and Debian's Chromium. The device's GET /state shows
// what the camera did.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig, authConfig, login, connect } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';
import { startOnvif, waitForState } from '../lib/onvif.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

const SECRET = 'cam-Secret-b81d';
let rtsp, device, server, browser;

async function ptzConfig(users) {
  const config = users ? await authConfig({ users }) : testConfig();
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({
    id: 'ptzcam', type: 'rtsp', name: 'Pelabuhan Dumai',
    settings: { url: rtsp.url('/main'), username: 'op', password: SECRET, onvif: { url: device.url } },
  });
  config.walls[0].layout.tiles[1].source = 'ptzcam';
  return config;
}

before(async () => {
  rtsp = await startRtsp({ mounts: { '/main': 'test:320x180@15' } });
  device = await startOnvif({ user: 'op', password: SECRET, mainUri: rtsp.url('/main') });
  server = await startServer({ config: await ptzConfig() });
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
  await device?.stop();
  await rtsp?.stop();
});

// The console with the camera's tile selected and its control shown.
async function consoleWithCamera(srv = server, options = {}) {
  const page = await openPage(browser, `${srv.url}/console?wall=main`, options);
  await waitConnected(page);
  await page.click('#editor [data-tile="t2"]');
  await page.waitForSelector('#ptz-panel:not([hidden])[data-source="ptzcam"]', { timeout: 10000 });
  return page;
}

const stopped = (what) => waitForState(device, (s) => !s.moving, 5000, what);

test('press and hold an arrow moves the camera; release stops it', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('[data-ptz="right"]:not([disabled])');
  const before = await device.state();
  const box = await page.locator('[data-ptz="right"]').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  const moving = await waitForState(device, (s) => s.moving && s.velocity.pan > 0, 5000, 'panning right');
  assert.equal(moving.velocity.pan, 0.5, 'the default speed');
  await waitForState(device, (s) => s.pan > before.pan + 0.1, 5000, 'turned right');
  await page.mouse.up();
  const still = await stopped('stopped on release');
  assert.ok(still.stops > before.stops);
  assertNoProblems(page);
  await page.context().close();
});

test('a camera another operator steers says so on the console ("steered by NAME"); the console\'s own move does not', async (t) => {
  const page = await consoleWithCamera();
  await page.waitForSelector('[data-ptz="right"]:not([disabled])');
  const { client: other } = await connect(t, server);
  const moved = await other.request('camera.ptz', { wall: 'main', source: 'ptzcam', action: 'ptz.move', args: { pan: -0.3 } });
  assert.ok(moved.ok, JSON.stringify(moved));
  // Without a login everyone is the admin "local": the console may take it over.
  await page.waitForSelector('#ptz-panel[data-steered-by="local"]', { timeout: 5000 });
  assert.equal(await page.textContent('#ptz-panel .ptz-note'), 'Steered by local: as an admin, moving it takes it over');
  // The other client goes: its move stops and the camera is free at once.
  other.ws.terminate();
  await page.waitForSelector('#ptz-panel[data-steered-by=""]', { timeout: 5000 });
  await stopped('stopped when the other client went');
  const box = await page.locator('[data-ptz="right"]').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await waitForState(device, (s) => s.moving && s.velocity.pan > 0, 5000, 'the console steers');
  assert.equal(await page.getAttribute('#ptz-panel', 'data-steered-by'), '', 'its own move is not "steered by"');
  await page.mouse.up();
  await stopped('stopped on release');
  assertNoProblems(page);
  await page.context().close();
});

test('keyboard arrows steer at the speed setting; key up stops', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('[data-ptz="up"]:not([disabled])');
  await page.locator('#ptz-speed').fill('1');
  await page.locator('#editor-frame').focus().catch(() => {});
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.down('ArrowUp');
  const moving = await waitForState(device, (s) => s.moving && s.velocity.tilt > 0, 5000, 'tilting up');
  assert.equal(moving.velocity.tilt, 1);
  await page.keyboard.up('ArrowUp');
  await stopped('stopped on key up');
  assertNoProblems(page);
  await page.context().close();
});

test('a blur of the window, or the page hidden, stops a held move', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('[data-ptz="left"]:not([disabled])');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.down('ArrowLeft');
  await waitForState(device, (s) => s.moving && s.velocity.pan < 0, 5000, 'panning left');
  await page.evaluate(() => window.dispatchEvent(new Event('blur')));
  await stopped('stopped on blur');
  await page.keyboard.up('ArrowLeft');
  // Another tab comes to the front: the page is hidden.
  const box = await page.locator('[data-ptz="down"]').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await waitForState(device, (s) => s.moving && s.velocity.tilt < 0, 5000, 'tilting down');
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await stopped('stopped when hidden');
  await page.mouse.up();
  assertNoProblems(page);
  await page.context().close();
});

test('a camera preset saved from the console is listed and can be gone to', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('#ptz-preset-name:not([disabled])');
  const before = await device.state();
  await page.fill('#ptz-preset-name', 'Dermaga');
  await page.click('#ptz-panel button[data-i18n="ptz.save"]');
  await page.waitForSelector('#ptz-presets option:text("Dermaga")', { state: 'attached', timeout: 5000 });
  await page.selectOption('#ptz-presets', { label: 'Dermaga' });
  await page.click('#ptz-panel button[data-i18n="ptz.goto"]');
  await waitForState(device, (s) => s.goto_presets > before.goto_presets, 5000, 'went to the preset');
  assert.equal((await device.state()).set_presets, before.set_presets + 1);
  assertNoProblems(page);
  await page.context().close();
});

test('click on the picture centres the camera (relative move)', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('#editor [data-tile="t2"] .ptz-aim');
  const before = await device.state();
  const box = await page.locator('#editor [data-tile="t2"] .ptz-aim').boundingBox();
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.3);
  await waitForState(device, (s) => s.relative_moves > before.relative_moves, 5000, 'a relative move');
  const after = await device.state();
  assert.ok(after.pan > before.pan && after.tilt > before.tilt, `right and up: ${JSON.stringify(after)}`);
  assertNoProblems(page);
  await page.context().close();
});

test('a dragged box zooms in; a tile without PTZ shows no camera control', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('#editor [data-tile="t2"] .ptz-aim');
  const before = await device.state();
  const box = await page.locator('#editor [data-tile="t2"] .ptz-aim').boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4, { steps: 4 });
  await page.mouse.up();
  const after = await waitForState(device, (s) => s.relative_moves > before.relative_moves, 5000, 'a relative move');
  assert.ok(after.zoom > before.zoom, `zoomed in: ${JSON.stringify(after)}`);
  assert.ok(after.pan < before.pan && after.tilt > before.tilt, `left and up: ${JSON.stringify(after)}`);
  // The clock's tile: no camera control, no aiming layer.
  await page.click('#editor [data-tile="t1"]');
  await page.waitForSelector('#ptz-panel[hidden]', { state: 'attached' });
  assert.equal(await page.locator('.ptz-aim').count(), 0);
  assertNoProblems(page);
  await page.context().close();
});

// Chromium has no gamepad here: the page's navigator.getGamepads answers
// with a stick the test pushes, as a real pad's would read.
test('a gamepad stick steers at the speed of its deflection and stops when let go', async () => {
  const page = await consoleWithCamera(server, {
    beforeGoto: (p) => p.addInitScript(() => {
      window.testPad = { connected: true, axes: [0, 0, 0, 0], buttons: [], index: 0, id: 'test pad' };
      navigator.getGamepads = () => [window.testPad];
    }),
  });
  await page.waitForSelector('[data-ptz="right"]:not([disabled])');
  await page.evaluate(() => {
    window.testPad.axes = [0.7, -0.3, 0, 0];
    window.dispatchEvent(new Event('gamepadconnected'));
  });
  const moving = await waitForState(device, (s) => s.moving && s.velocity.pan > 0, 5000, 'stick pushed');
  assert.equal(moving.velocity.pan, 0.7);
  assert.equal(moving.velocity.tilt, 0.3, 'stick up tilts up');
  await page.evaluate(() => { window.testPad.axes = [0.05, 0, 0, 0]; }); // inside the dead zone
  await stopped('stick let go');
  assertNoProblems(page);
  await page.context().close();
});

test('a double-click shows the camera full-screen without nudging it; its control stays', async () => {
  const page = await consoleWithCamera();
  await page.waitForSelector('#editor [data-tile="t2"] .ptz-aim');
  const before = await device.state();
  const box = await page.locator('#editor [data-tile="t2"] .ptz-aim').boundingBox();
  await page.mouse.dblclick(box.x + box.width * 0.7, box.y + box.height * 0.5);
  await page.waitForSelector('#editor [data-tile="full"][data-source="ptzcam"]', { timeout: 5000 });
  await page.waitForSelector('#ptz-panel:not([hidden])[data-source="ptzcam"]');
  await new Promise((r) => setTimeout(r, 800));
  assert.equal((await device.state()).relative_moves, before.relative_moves, 'no relative move');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#editor [data-tile="t2"]', { timeout: 5000 });
  assertNoProblems(page);
  await page.context().close();
});

test('a camera added from the console with PTZ (probe) can be steered at once', async () => {
  const page = await consoleWithCamera();
  await page.locator('#camera-add').click();
  const form = page.locator('#camera-form');
  await form.locator('input[name="id"]').fill('cam-added');
  await form.locator('input[name="name"]').fill('Dermaga Baru');
  await form.locator('input[name="address"]').fill(device.address);
  await form.locator('input[name="username"]').fill('op');
  await form.locator('input[name="password"]').fill(SECRET);
  await page.locator('#camera-probe').click();
  await page.waitForSelector('#camera-probe-note[data-ptz="true"]');
  await page.locator('#camera-save').click();
  await page.locator('#sources [data-source-id="cam-added"]').waitFor();
  // Shown on tile t3, selected: its control appears once the camera answered.
  await page.dragAndDrop('#sources [data-source-id="cam-added"]', '#editor [data-tile="t3"]');
  await page.waitForSelector('#editor [data-tile="t3"][data-source="cam-added"]');
  await page.click('#editor [data-tile="t3"]');
  await page.waitForSelector('#ptz-panel:not([hidden])[data-source="cam-added"] [data-ptz="up"]:not([disabled])', { timeout: 10000 });
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.down('ArrowDown');
  await waitForState(device, (s) => s.moving && s.velocity.tilt < 0, 5000, 'tilting down');
  await page.keyboard.up('ArrowDown');
  await stopped('stopped on key up');
  assertNoProblems(page);
  await page.context().close();
});

test('a viewer sees the controls disabled with the reason, and cannot steer', async (t) => {
  const users = [{ name: 'vera', role: 'viewer', password: 'vera-password-1' }];
  const viewerServer = await startServer({ config: await ptzConfig(users) });
  t.after(async () => {
    await stopServer(viewerServer);
    viewerServer.cleanup();
  });
  const res = await login(viewerServer, 'vera', 'vera-password-1');
  const [name, value] = res.cookie.split(';')[0].split('=');
  const url = new URL(viewerServer.url);
  const page = await consoleWithCamera(viewerServer, {
    context: {}, beforeGoto: (p) => p.context().addCookies([{ name, value, domain: url.hostname, path: '/' }]),
  });
  await page.waitForSelector('[data-ptz="right"][disabled][data-gated]');
  const title = await page.getAttribute('[data-ptz="right"]', 'title');
  assert.match(title, /viewer/i);
  const before = await device.state();
  await page.keyboard.down('ArrowRight');
  await new Promise((r) => setTimeout(r, 500));
  await page.keyboard.up('ArrowRight');
  assert.equal((await device.state()).continuous_moves, before.continuous_moves, 'nothing sent');
  assertNoProblems(page);
  await page.context().close();
});
