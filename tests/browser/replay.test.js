// Replay in the browser (issue 16): the real server recording a test RTSP
// camera (pantau-test-rtsp), Debian's Chromium. An admin's console replays
// the camera's tile; two wall pages (one in English, one in Bahasa
// Indonesia) show the replay badge over the replayed picture, and go back
// to live frames with the console's L key. The console's buttons send the
// replay operations (the wall's state and the audit show which); a viewer's
// console has no replay controls; Export clip downloads an MP4 that
// gst-discoverer-1.0 reads, as long as the range asked.
//
// One server for the whole file: the camera records from the start, and
// every test works on that one recording.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, stopServer, authConfig, login, Client, sleep } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

const ADMIN = { name: 'ana', role: 'admin', password: 'ana-replay-password' };
const VIEWER = { name: 'vera', role: 'viewer', password: 'vera-replay-password' };
const GOP_MS = 2000; // pantau-test-rtsp: a keyframe every 2 s (2 × fps frames)

let rtsp, server, browser, admin, adminCookie, tmp;
const pages = [];

async function replayConfig() {
  const config = await authConfig({ users: [ADMIN, VIEWER], auth: { anonymous_role: 'viewer' } });
  config.plugins = { load: ['clock', 'cctv'] };
  config.server = { ...config.server, recording: { enabled: true, retention_minutes: 10 } };
  config.sources.push({ id: 'cam', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url('/main') },
    recording: { enabled: true } });
  // An H.265 camera (with an H.264 substream for the miniatures) on the
  // other wall: its recording is H.265, which Debian's Chromium cannot decode.
  config.sources.push({ id: 'cam265', type: 'rtsp', name: 'Jl. Diponegoro',
    settings: { url: rtsp.url('/main265'), sub_url: rtsp.url('/sub') }, recording: { enabled: true } });
  config.walls[1].layout.tiles[0].source = 'cam265';
  config.walls[0].layout = { columns: 2, rows: 1, tiles: [
    { id: 'cam', x: 0, y: 0, w: 1, h: 1, source: 'cam' },
    { id: 'clock', x: 1, y: 0, w: 1, h: 1, source: 'clock-a' },
  ] };
  return config;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pantau-replay-ui-'));
  rtsp = await startRtsp({ mounts: { '/main': 'test:640x360@15', '/main265': 'test265:320x180@10', '/sub': 'test:320x180@10' } });
  server = await startServer({ config: await replayConfig() });
  ({ cookie: adminCookie } = await login(server, ADMIN.name, ADMIN.password));
  admin = new Client(server.wsUrl, { headers: { cookie: adminCookie } });
  await admin.snapshot();
  ({ browser } = await launchBrowser());
});
// What a test opened closes when it ends, passed or failed: no page of
// one test decodes video through the tests after it.
afterEach(() => closeContexts(browser));
after(async () => {
  await browser?.close();
  await admin?.close();
  if (server) {
    await stopServer(server);
    server.cleanup();
  }
  await rtsp?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// Polls fn until it returns a truthy value; throws with what() after ms.
async function until(fn, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${typeof what === 'function' ? await what() : what}`);
    await sleep(100);
  }
}

// The recording kept of the camera, once at least `ms` of it is.
async function keptAtLeast(ms) {
  let last;
  return until(async () => {
    last = await admin.request('recording.span', { source: 'cam' });
    const span = last.ok;
    return span && span.newest_ms - span.oldest_ms >= ms ? span : null;
  }, ms + 30000, () => `${ms} ms recorded: ${JSON.stringify(last)}`);
}

const camTile = async () => (await admin.request('snapshot')).ok?.walls?.find((w) => w.id === 'main')?.layout.tiles.find((t) => t.id === 'cam');

async function waitTile(pred, what) {
  let tile;
  return until(async () => {
    tile = await camTile();
    return pred(tile) ? tile : null;
  }, 10000, () => `${what}: tile ${JSON.stringify(tile)}`);
}

async function openAs(url, cookie, options = {}) {
  const page = await openPage(browser, url, {
    ...options,
    beforeGoto: cookie ? (p) => p.context().addCookies([{ name: 'pantau_session', value: cookie.split('=')[1], url: server.url }]) : undefined,
  });
  pages.push(page);
  await waitConnected(page);
  return page;
}

async function consoleWithCamera(cookie = adminCookie, role = 'admin') {
  const page = await openAs(`${server.url}/console?wall=main`, cookie, { viewport: { width: 1600, height: 900 }, context: { acceptDownloads: true } });
  await page.waitForSelector(`body[data-role="${role}"]`);
  await page.click('#editor [data-tile="cam"]');
  return page;
}

const badgeOf = (page) => page.evaluate(() => {
  const badge = document.querySelector('[data-tile="cam"] .replay-badge');
  const camera = document.querySelector('[data-tile="cam"] .camera');
  return { hidden: !badge || badge.hidden, text: badge?.textContent ?? '', replay: camera?.dataset.replay ?? null,
    frames: Number(camera?.dataset.modeFrames || 0), color: badge ? getComputedStyle(badge).backgroundColor : '',
    size: badge ? parseFloat(getComputedStyle(badge).fontSize) : 0,
    label: parseFloat(getComputedStyle(document.querySelector('[data-tile="cam"] .camera-label')).fontSize) };
});

// How many seconds back a badge's text says, in either language.
function secondsBehind(text) {
  const m = /· (?:(\d+) (?:min|mnt) )?(\d+) (?:s|dtk) (?:ago|lalu)/.exec(text) || /· (\d+) (?:min|mnt) (?:ago|lalu)/.exec(text);
  if (!m) return NaN;
  return m.length === 3 ? Number(m[1] || 0) * 60 + Number(m[2]) : Number(m[1]) * 60;
}

async function auditActions(since) {
  const reply = await admin.request('audit.query', { wall: 'main', since: new Date(since).toISOString(), limit: 100 });
  return (reply.ok?.entries ?? []).reverse().map((e) => e.action);
}

test('a viewer\'s console shows no replay controls (and the server refuses the viewer)', async () => {
  const { cookie } = await login(server, VIEWER.name, VIEWER.password);
  const page = await consoleWithCamera(cookie, 'viewer');
  // The tile is selected (the panel is drawn on each selection): the
  // admin's panel appears for it (next test), the viewer's must not.
  await page.waitForFunction(() => /cam/.test(document.getElementById('selection-info')?.textContent));
  // The server said no (recording.span is refused to a viewer).
  await page.waitForSelector('#replay-panel[data-playback="false"]', { state: 'attached' });
  assert.equal(await page.locator('#replay-panel').isHidden(), true, 'replay panel hidden for a viewer');
  assert.equal(await page.locator('#replay-panel button:visible').count(), 0);
  const viewer = new Client(server.wsUrl, { headers: { cookie } });
  await viewer.snapshot();
  const refused = await viewer.request('replay.start', { wall: 'main', tile: 'cam', back_ms: 1000 });
  assert.equal(refused.error?.code, 'forbidden', JSON.stringify(refused));
  await viewer.close();
  assertNoProblems(page);
});

test('the console replays a tile: every wall page shows the badge; the buttons send their operations; L is back to live', async () => {
  // The wall pages open once the recording is long enough (no need for
  // them to decode live video while it grows).
  await keptAtLeast(17000); // −15 s needs 15 s kept
  const walls = [
    await openAs(`${server.url}/wall?wall=main`, null, { viewport: { width: 1920, height: 540 } }),
    await openAs(`${server.url}/wall?wall=main&lang=id`, null, { viewport: { width: 1920, height: 540 } }),
  ];
  for (const page of walls) await until(async () => (await badgeOf(page)).frames >= 5, 20000, 'live frames on the wall');
  const page = await consoleWithCamera();
  await page.waitForSelector('#replay-panel:not([hidden])[data-source="cam"]');
  await page.waitForSelector('#replay-scrubber:not([disabled])');
  const started = Date.now() - 1000;

  // −15 s: replay.start back_ms 15000 (enabled once 15 s are kept).
  await page.click('#replay-panel [data-back-ms="15000"]:not([disabled])');
  const tile = await waitTile((x) => x?.replay, 'replay started');
  assert.ok(Math.abs(tile.replay.at_ms - (Date.now() - 15000)) < 5000, `at_ms ${tile.replay.at_ms} is 15 s back`);
  for (const wall of walls) {
    const shown = await until(async () => {
      const badge = await badgeOf(wall);
      return !badge.hidden && badge.frames >= 5 && secondsBehind(badge.text) >= 0 ? badge : null;
    }, 10000, async () => `badge on the wall: ${JSON.stringify(await badgeOf(wall))}`);
    assert.equal(shown.replay, tile.replay.id);
    const behind = secondsBehind(shown.text);
    assert.ok(behind >= 15 - GOP_MS / 1000 - 1 && behind <= 15 + 10, `"${shown.text}": about 15 s back`);
    assert.equal(shown.color, 'rgb(164, 92, 255)', 'its own colour (violet)');
    assert.ok(shown.size >= shown.label, `badge ${shown.size}px at least the name's ${shown.label}px`);
  }
  assert.match((await badgeOf(walls[0])).text, /^REPLAY \d\d:\d\d:\d\d · (\d+ min )?\d+ s ago$/);
  assert.match((await badgeOf(walls[1])).text, /^PUTAR ULANG \d\d\.\d\d\.\d\d · (\d+ mnt )?\d+ dtk lalu$/);
  // The badge follows the frames: its time moves on while playing.
  const t0 = await walls[0].evaluate(() => Number(document.querySelector('[data-tile="cam"] .replay-badge').dataset.position));
  await until(async () => Number(await walls[0].evaluate(() => document.querySelector('[data-tile="cam"] .replay-badge').dataset.position)) >= t0 + 1000,
    5000, 'the badge\'s time moves on');

  // Pause, step, 2× (plays again), scrubber (seek), −1 min (seek back).
  await page.click('#replay-panel .replay-toggle');
  await waitTile((x) => x?.replay?.paused === true, 'paused');
  await page.waitForSelector('#replay-panel .replay-step:not([disabled])');
  await page.click('#replay-panel .replay-step');
  await page.click('#replay-panel [data-rate="2"]');
  await waitTile((x) => x?.replay?.rate === 2 && x.replay.paused === false, 'rate 2, playing');
  const span = (await admin.request('recording.span', { source: 'cam' })).ok;
  const target = span.oldest_ms + 3000;
  await page.evaluate((value) => {
    const scrubber = document.getElementById('replay-scrubber');
    scrubber.value = String(value);
    scrubber.dispatchEvent(new Event('change'));
  }, target);
  await waitTile((x) => x?.replay && Math.abs(x.replay.at_ms - target) <= 1000, 'seek to the scrubber\'s time');
  await page.click('#replay-panel [data-back-ms="60000"]');
  await waitTile((x) => x?.replay && x.replay.at_ms <= target, 'seek 1 min back (to the oldest kept)');
  // The audit names each operation the buttons sent, in order.
  const replayOps = async () => (await auditActions(started)).filter((a) => a.startsWith('replay.'));
  const actions = await until(async () => {
    const list = await replayOps();
    return list.length >= 7 ? list : null;
  }, 5000, async () => `audit: ${await replayOps()}`);
  assert.deepEqual(actions, ['replay.start', 'replay.control', 'replay.control', 'replay.control', 'replay.control',
    'replay.control', 'replay.control'], 'start, pause, step, rate, play, seek, seek');
  assert.equal(await page.locator('#message').isHidden(), true, await page.locator('#message').textContent());

  // L: back to live, on every wall page, with live frames.
  await page.keyboard.press('l');
  await waitTile((x) => x && !x.replay, 'back to live');
  for (const wall of walls) {
    await until(async () => {
      const badge = await badgeOf(wall);
      return badge.hidden && badge.replay === null && badge.frames >= 10;
    }, 10000, async () => `live again: ${JSON.stringify(await badgeOf(wall))}`);
  }
  assert.equal(await page.locator('#replay-panel .replay-live').isDisabled(), true);
  assertNoProblems(page, ...walls);
});

test('the replay panel in Bahasa Indonesia has no English word left', async () => {
  const page = await openAs(`${server.url}/console?wall=main&lang=id`, adminCookie, { viewport: { width: 1600, height: 900 } });
  await page.waitForSelector('body[data-role="admin"]');
  await page.click('#editor [data-tile="cam"]');
  await page.waitForSelector('#replay-panel:not([hidden])[data-source="cam"]');
  await page.click('#replay-panel .replay-export summary');
  const texts = await page.evaluate(() => {
    const panel = document.getElementById('replay-panel');
    const attrs = [...panel.querySelectorAll('[title], [aria-label]')].flatMap((el) => [el.title, el.getAttribute('aria-label') || '']);
    return [panel.innerText, panel.getAttribute('aria-label'), ...attrs].join('\n');
  });
  assert.match(texts, /Putar ulang Simpang Lima/);
  assert.match(texts, /Siaran langsung/);
  const english = /\b(replay|live|play|pause|next|frame|back|export|from|download|kept|timeline|speed|seconds?|minutes?|recorded)\b/i;
  const left = texts.split('\n').filter((line) => english.test(line.replace(/Simpang Lima/g, '')));
  assert.deepEqual(left, [], 'English words in the Indonesian panel');
  assertNoProblems(page);
});

test('the panel follows auth.playback_roles: a viewer given playback has it, an operator not given it has none', async () => {
  const OPERATOR = { name: 'otto', role: 'operator', password: 'otto-replay-password' };
  const config = await authConfig({ users: [OPERATOR], auth: { anonymous_role: 'viewer', playback_roles: ['viewer'] } });
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({ id: 'cam', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url('/main') } });
  config.walls[0].layout.tiles[1].source = 'cam';
  const other = await startServer({ config });
  try {
    const open = async (cookie, role) => {
      const page = await openPage(browser, `${other.url}/console?wall=main`, {
        viewport: { width: 1600, height: 900 },
        beforeGoto: cookie ? (p) => p.context().addCookies([{ name: 'pantau_session', value: cookie.split('=')[1], url: other.url }]) : undefined,
      });
      await waitConnected(page);
      await page.waitForSelector(`body[data-role="${role}"]`);
      await page.click('#editor [data-tile="t2"]');
      return page;
    };
    const viewer = await open(null, 'viewer');
    await viewer.waitForSelector('#replay-panel:not([hidden])[data-playback="true"][data-source="cam"]');
    assert.equal(await viewer.locator('#replay-panel [data-back-ms="15000"]').isVisible(), true);
    const { cookie } = await login(other, OPERATOR.name, OPERATOR.password);
    const operator = await open(cookie, 'operator');
    await operator.waitForSelector('#replay-panel[data-playback="false"]', { state: 'attached' });
    assert.equal(await operator.locator('#replay-panel').isHidden(), true);
    assertNoProblems(viewer, operator);
    await viewer.context().close();
    await operator.context().close();
  } finally {
    await stopServer(other);
    other.cleanup();
  }
});

test('a replay of an H.265 recording on a screen without an H.265 decoder says why it shows nothing', async () => {
  let span;
  await until(async () => {
    span = (await admin.request('recording.span', { source: 'cam265' })).ok;
    return span && span.newest_ms - span.oldest_ms >= 3000;
  }, 30000, () => `cam265 recorded: ${JSON.stringify(span)}`);
  const started = await admin.request('replay.start', { wall: 'other', tile: 'o1', at_ms: span.oldest_ms + 500 });
  assert.ok(started.ok, JSON.stringify(started));
  const page = await openAs(`${server.url}/wall?wall=other`, null, { viewport: { width: 1280, height: 720 } });
  const shown = () => page.evaluate(() => {
    const tile = document.querySelector('[data-tile="o1"]');
    return { text: tile?.querySelector('.camera-state-text')?.textContent ?? '', badge: !tile?.querySelector('.replay-badge')?.hidden,
      state: tile?.querySelector('.camera')?.dataset.state };
  });
  await until(async () => /cannot decode its recording/.test((await shown()).text), 10000, async () => JSON.stringify(await shown()));
  assert.deepEqual(await shown(), { text: 'H.265 camera: this screen cannot decode its recording', badge: true, state: 'fault' });
  await page.keyboard.press('l');
  await page.waitForFunction(() => /rekamannya/.test(document.querySelector('[data-tile="o1"] .camera-state-text')?.textContent));
  await admin.request('replay.stop', { wall: 'other', tile: 'o1' });
  assertNoProblems(page);
});

test('Export clip downloads a playable MP4 of the range asked', async () => {
  const span = await keptAtLeast(12000);
  const page = await consoleWithCamera();
  await page.waitForSelector('#replay-panel:not([hidden])[data-source="cam"]');
  await page.click('#replay-panel .replay-export summary');
  // Whole seconds (the fields' resolution), inside what is kept.
  const from = Math.ceil((span.oldest_ms + 1000) / 1000) * 1000;
  const to = from + 8000;
  await page.evaluate(async ([a, b]) => {
    const { localInputValue } = await import('/static/js/console-replay.js');
    document.getElementById('replay-export-from').value = localInputValue(a);
    document.getElementById('replay-export-to').value = localInputValue(b);
  }, [from, to]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#replay-panel .replay-export-download')]);
  assert.equal(new URL(download.url()).searchParams.get('from'), String(from));
  assert.equal(new URL(download.url()).searchParams.get('to'), String(to));
  const file = join(tmp, 'clip.mp4');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4 file');
  const { stdout } = await promisify(execFile)('gst-discoverer-1.0', [file], { timeout: 30000 });
  const m = /Duration: (\d+):(\d+):(\d+\.\d+)/.exec(stdout);
  assert.ok(m, stdout);
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  assert.ok(Math.abs(seconds * 1000 - (to - from)) <= GOP_MS, `duration ${seconds} s for ${(to - from) / 1000} s asked`);
  assert.match(stdout, /video(\/x-)?h264|H\.264/i, stdout);
  assertNoProblems(page);
});
