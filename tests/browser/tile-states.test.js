// The states a tile can show (docs/web.md), on /wall in a real browser with
// real cameras and feeds: a camera that never connected (its port is
// closed), one with a wrong password, one that drops (its RTSP server
// stops), an empty tile, a stale traffic feed; and on a wall of two
// displays, the alarm list on the configured display only, with a frame
// around the tile of the camera in trouble.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testConfig, Client } from '../lib/server.js';
import { startFeedServer } from '../lib/feed-server.js';
import { closedPort as findClosedPort, startRtsp } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

const MOUNTS = { '/main': 'test:640x360@15' };
const corridors = {
  corridors: [
    { id: 'dago', name: 'Simpang Dago', count: 120, speed: 42, level: 'free' },
    { id: 'pasteur', name: 'Gerbang Tol Pasteur', count: 300, speed: 22, level: 'dense' },
  ],
};

let chromium, rtsp, locked, feed, server, closedPort;

function config() {
  const base = testConfig();
  const tile = (id, x, y, source, w = 1) => ({ id, x, y, w, h: 1, source });
  return {
    ...base,
    server: { ...base.server, stream_grace_ms: 1000 },
    plugins: { load: ['clock', 'cctv', 'traffic'] },
    sources: [
      ...base.sources,
      { id: 'cam-drop', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url('/main') } },
      { id: 'cam-never', type: 'rtsp', name: 'Jl. Sudirman', settings: { url: `rtsp://127.0.0.1:${closedPort}/main` } },
      { id: 'cam-auth', type: 'rtsp', name: 'Pasar Bawah', settings: { url: locked.url('/main'), username: 'admin', password: 'not-this-one' } },
      { id: 'traffic', type: 'traffic', name: 'Lalu lintas', settings: { feed: 'http', url: feed.url('/traffic'), interval_s: 0.3, timeout_s: 0.5 } },
    ],
    walls: [{
      id: 'main', name: 'Tiles',
      displays: { columns: 1, rows: 1, width: 1920, height: 1080 },
      layout: { columns: 3, rows: 2, tiles: [
        tile('drop', 0, 0, 'cam-drop'), tile('never', 1, 0, 'cam-never'), tile('auth', 2, 0, 'cam-auth'),
        tile('traffic', 0, 1, 'traffic', 2), tile('empty', 2, 1, null),
      ] },
    }, {
      id: 'pair', name: 'Two screens',
      displays: { columns: 2, rows: 1, width: 1920, height: 1080 },
      alarms: { display: '0,0' },
      layout: { columns: 2, rows: 1, tiles: [tile('left', 0, 0, 'clock-a'), tile('right', 1, 0, 'cam-never')] },
    }, {
      id: 'plain', name: 'No alarm key',
      displays: { columns: 3, rows: 2, width: 1920, height: 1080 },
      layout: { columns: 1, rows: 1, tiles: [tile('only', 0, 0, null)] },
    }],
  };
}

before(async () => {
  chromium = await launchBrowser();
  rtsp = await startRtsp({ mounts: MOUNTS });
  locked = await startRtsp({ mounts: MOUNTS, user: 'admin', password: 'secret' });
  feed = await startFeedServer();
  // A port nothing listens on, picked after the servers above are up: picked
  // before, the kernel could hand the same free port to one of them (seen:
  // the locked RTSP server, so "never connected" read "Wrong password").
  closedPort = await findClosedPort();
  feed.set('good', corridors);
  server = await startServer({ config: config() });
});
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => {
  await chromium?.close();
  if (server) {
    await server.stop();
    server.cleanup();
  }
  await rtsp?.stop();
  await locked?.stop();
  await feed?.close();
});

const WALL = { viewport: { width: 1920, height: 1080 }, allow: [/decoding .* failed/] };

// What a camera tile says about its state.
function cameraState(page, tile) {
  return page.$eval(`#wall [data-tile="${tile}"] .camera`, (el) => {
    const box = (sel) => el.querySelector(sel).getBoundingClientRect();
    const style = (sel) => getComputedStyle(el.querySelector(sel));
    return {
      state: el.dataset.state,
      picture: el.dataset.picture,
      name: el.querySelector('.camera-state-name').textContent,
      text: el.querySelector('.camera-state-text').textContent,
      detail: el.querySelector('.camera-state-detail').textContent,
      textPx: parseFloat(style('.camera-state-text').fontSize),
      namePx: parseFloat(style('.camera-state-name').fontSize),
      visible: style('.camera-state').display !== 'none',
      labelVisible: style('.camera-label').display !== 'none',
      canvasFilter: style('.camera-canvas').filter,
      background: getComputedStyle(el).backgroundColor,
      nameBox: box('.camera-state-name').toJSON(),
      textBox: box('.camera-state-text').toJSON(),
    };
  });
}

function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function waitState(page, tile, state, picture) {
  const sel = `#wall [data-tile="${tile}"] .camera[data-state="${state}"]${picture ? `[data-picture="${picture}"]` : ''}`;
  await page.waitForSelector(sel, { timeout: 20000 });
}

test('a camera that never connected: a dark tile with its name, "Camera offline, retrying" and for how long, large', async () => {
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main`, WALL);
  await waitConnected(page);
  await waitState(page, 'never', 'fault', 'false');
  await page.waitForFunction(() => /for \d+ s/.test(document.querySelector('[data-tile="never"] .camera-state-detail')?.textContent));
  const s = await cameraState(page, 'never');
  assert.equal(s.visible, true);
  assert.equal(s.name, 'Jl. Sudirman');
  assert.equal(s.text, 'Camera offline, retrying');
  assert.match(s.detail, /^for \d+ s$/);
  assert.ok(s.textPx >= 40 && s.namePx >= 40, `readable at 4 m on a 1080p panel: ${s.namePx}px / ${s.textPx}px`);
  assert.notEqual(s.background, 'rgb(0, 0, 0)', 'a dark tile, not a black picture');
  assert.equal(await page.locator('[data-tile="never"] .tile-status').count(), 0, 'no second badge');
  assertNoProblems(page);
  await page.context().close();
});

test('a camera refusing its password says "Wrong password", in Bahasa Indonesia too', async () => {
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main`, WALL);
  await waitConnected(page);
  await page.waitForFunction(() => document.querySelector('[data-tile="auth"] .camera-state-text')?.textContent === 'Wrong password', null, { timeout: 20000 });
  assert.equal((await cameraState(page, 'auth')).name, 'Pasar Bawah');
  await page.keyboard.press('l');
  await page.waitForFunction(() => document.querySelector('[data-tile="auth"] .camera-state-text')?.textContent === 'Kata sandi salah');
  await page.waitForFunction(() => /^selama \d+ dtk$/.test(document.querySelector('[data-tile="never"] .camera-state-detail')?.textContent));
  assert.equal(await page.textContent('[data-tile="empty"] .tile-empty-label'), 'Kosong');
  assertNoProblems(page);
  await page.context().close();
});

test('an empty tile looks empty, and unlike a failed one', async () => {
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=en`, WALL);
  await waitConnected(page);
  await waitState(page, 'never', 'fault');
  const empty = await page.$eval('#wall [data-tile="empty"] .tile-content', (el) => ({
    empty: el.classList.contains('tile-empty'),
    text: el.textContent,
    border: getComputedStyle(el).borderTopStyle,
    camera: el.querySelector('.camera') !== null,
  }));
  assert.deepEqual(empty, { empty: true, text: 'Empty', border: 'dashed', camera: false });
  const failed = await page.$eval('#wall [data-tile="never"] .tile-content', (el) => getComputedStyle(el).borderTopStyle);
  assert.notEqual(failed, 'dashed', 'a failed tile has no dashed outline');
  assertNoProblems(page);
  await page.context().close();
});

test('a camera that drops: its last picture dimmed, its name, "No signal since HH:MM" and for how long; then live again', async () => {
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=en`, WALL);
  await waitConnected(page);
  await waitState(page, 'drop', 'live', 'true');
  const live = await cameraState(page, 'drop');
  assert.equal(live.visible, false, 'nothing over a live picture');
  assert.equal(live.labelVisible, true, 'the name on a live picture');
  assert.equal(live.canvasFilter, 'none');

  const port = rtsp.port;
  await rtsp.stop();
  await waitState(page, 'drop', 'fault', 'true');
  const down = await cameraState(page, 'drop');
  assert.equal(down.name, 'Simpang Lima');
  assert.match(down.text, /^No signal since \d\d:\d\d$/);
  assert.match(down.detail, /^for \d+ s$/);
  assert.match(down.canvasFilter, /brightness\(0\.3\)/, 'the last picture, dimmed');
  assert.equal(down.labelVisible, false, 'one name only: the corner label gives way');
  assert.equal(overlaps(down.nameBox, down.textBox), false, 'the status is not drawn over the name');

  rtsp = await startRtsp({ port, mounts: MOUNTS });
  await waitState(page, 'drop', 'live', 'true');
  assertNoProblems(page);
  await page.context().close();
});

test('a stale traffic feed: one clear stale band with the age of its data, the rest dimmed in a frame', async () => {
  const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=en`, WALL);
  await waitConnected(page);
  const tile = '#wall [data-tile="traffic"]';
  await page.waitForSelector(`${tile} .traffic-row[data-corridor="pasteur"]`, { timeout: 10000 });
  assert.equal(await page.isVisible(`${tile} .widget-state`), false, 'no band while live');
  feed.set('500');
  try {
    await page.waitForSelector(`${tile} .widget-state[data-status="stale"]:not([hidden])`, { timeout: 10000 });
    await page.waitForFunction((sel) => /last data [1-9]\d* s ago/.test(document.querySelector(`${sel} .widget-state`).textContent), tile, { timeout: 5000 });
    const look = await page.$eval(tile, (el) => {
      const shown = (node) => node.getClientRects().length > 0 && getComputedStyle(node).visibility !== 'hidden';
      const texts = [...el.querySelectorAll('*')].filter((n) => n.children.length === 0 && shown(n)).map((n) => n.textContent);
      const root = el.querySelector('.widget-root');
      return {
        stale: texts.filter((x) => /stale|out of date/i.test(x)).length,
        title: el.querySelector('.widget-state-title').textContent,
        reason: el.querySelector('.widget-state-reason').textContent,
        frame: getComputedStyle(root).boxShadow,
        dims: Number(getComputedStyle(el.querySelector('.widget-dims')).opacity),
        titlePx: parseFloat(getComputedStyle(el.querySelector('.widget-state-title')).fontSize),
      };
    });
    assert.equal(look.stale, 1, 'one stale message, not two');
    assert.equal(look.title, 'Data out of date');
    assert.match(look.reason, /HTTP 500/);
    assert.match(look.frame, /rgb\(244, 196, 48\)/, 'a frame in the stale colour');
    assert.ok(look.dims < 0.5, `the last data dimmed: ${look.dims}`);
    assert.ok(look.titlePx >= 24, `large: ${look.titlePx}px`);
    assert.equal(await page.locator(`${tile} .traffic-row`).count(), 2, 'the last good data stays');
  } finally {
    feed.set('good', corridors);
  }
  await page.waitForSelector(`${tile} .widget-state[hidden]`, { state: 'attached', timeout: 10000 });
  assertNoProblems(page);
  await page.context().close();
});

test('a wall of two displays: the alarm list on the configured display only, in a strip above the tiles; the tile gets a frame', async () => {
  const client = new Client(server.wsUrl);
  const snapshot = await client.snapshot();
  await client.close();
  const walls = Object.fromEntries(snapshot.walls.map((w) => [w.id, w]));
  assert.deepEqual(walls.pair.alarms, { display: { column: 0, row: 0 } });
  assert.deepEqual(walls.plain.alarms, { display: { column: 2, row: 0 } }, 'default: the top-right display');

  const options = { viewport: { width: 960, height: 540 } };
  const left = await openPage(chromium.browser, `${server.url}/wall?wall=pair&display=0,0&lang=en`, options);
  const right = await openPage(chromium.browser, `${server.url}/wall?wall=pair&display=1,0&lang=en`, options);
  await Promise.all([waitConnected(left), waitConnected(right)]);
  // The camera on the right display stays down: the core raises its alarm.
  const line = left.locator('#alarm-banner .alarm-banner-item', { hasText: 'Jl. Sudirman' });
  await line.waitFor({ timeout: 15000 });
  const text = await line.textContent();
  assert.match(text, /Jl\. Sudirman/);
  assert.equal(text.split('Jl. Sudirman').length - 1, 1, `the name once: ${text}`);
  assert.match(text, /Camera offline, retrying/);
  assert.doesNotMatch(text, /cannot connect|reconnecting:/, 'plain words, not the technical reason');
  const banner = await left.locator('#alarm-banner').boundingBox();
  const stage = await left.locator('#wall .wall-stage').boundingBox();
  assert.ok(stage.y >= banner.y + banner.height - 0.5, `the strip covers no tile: stage at ${stage.y}, strip ends ${banner.y + banner.height}`);

  await right.waitForSelector('#wall [data-tile="right"][data-alarm="warning"]', { timeout: 5000 });
  assert.equal(await right.isVisible('#alarm-banner'), false, 'the other display shows no list');
  const frame = await right.$eval('#wall [data-tile="right"] .tile-content', (el) => getComputedStyle(el, '::after').borderTopColor);
  assert.equal(frame, 'rgb(244, 196, 48)', 'the tile framed in the warning colour');
  assert.equal(await left.locator('#wall [data-tile="left"][data-alarm]').count(), 0, 'a tile without alarm has no frame');
  assertNoProblems(left, right);
  await left.context().close();
  await right.context().close();
});
