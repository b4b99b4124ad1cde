// H.265 cameras in a real browser (issue 15). Debian's Chromium cannot
// decode H.265: the page asks VideoDecoder.isConfigSupported, says so in
// subscribe "codecs", and the server serves it the camera's H.264
// substream, which it draws. The server's stats tell why.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopServer, testConfig, sleep, connect } from '../lib/harness.js';
import { startRtsp } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, framesOf, closeContexts } from './browser.js';

let rtsp, server, browser;

function h265Config() {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 1000 };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({ id: 'cam-265', type: 'rtsp', name: 'Jl. Diponegoro',
    settings: { url: rtsp.url('/main265'), sub_url: rtsp.url('/sub') } });
  config.walls[0].layout = { columns: 1, rows: 1, tiles: [{ id: 'big', x: 0, y: 0, w: 1, h: 1, source: 'cam-265' }] };
  return config;
}

before(async () => {
  // A mount of its own per camera of the budget tests: gst-rtsp-server 1.22
  // can abort (gst_rtsp_media_get_rates: assertion failed) when several
  // clients PLAY one shared media at once, and the test server is gone.
  rtsp = await startRtsp({ mounts: { '/main265': 'test265:640x360@15', '/sub': 'test:320x180@10',
    '/x265': 'test265:640x360@15', '/y265': 'test265:640x360@15', '/z265': 'test265:640x360@15',
    '/r265': 'test265:320x180@10' } });
  server = await startServer({ config: h265Config() });
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
  await rtsp?.stop();
});

test('Chromium without an H.265 decoder draws the H.264 substream of an H.265 camera', async () => {
  const page = await openPage(browser, `${server.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
  await waitConnected(page);
  const h265 = await page.evaluate(async () => (await import('/static/js/codecs.js')).decoderTakes('hvc1.1.6.L93.B0'));
  assert.equal(h265, false, 'this Chromium cannot decode H.265 (the test assumes Debian\'s)');
  const deadline = Date.now() + 20000;
  while ((await framesOf(page, 'big')) < 10) {
    if (Date.now() > deadline) throw new Error(`only ${await framesOf(page, 'big')} frames drawn`);
    await sleep(100);
  }
  const delivery = await page.evaluate(() => new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no stats with h265 delivery within 10 s')), 10000);
    const socket = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`, 'pantau.v1');
    socket.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.ev === 'stats' && m.sources['cam-265']?.h265) {
        socket.close();
        resolve(m.sources['cam-265']);
      }
    };
  }));
  assert.deepEqual(delivery.h265, { passthrough: 0, substream: 1, transcode: 0, refused: 0 }, JSON.stringify(delivery));
  assert.match(delivery.codec, /^avc1\./, 'the running stream the console sees is the substream');
  const text = await page.evaluate(async (st) => (await import('/static/js/console-sources.js')).cameraStatsText(st), delivery);
  assert.match(text, /H\.265: 0 direct, 1 on the H\.264 substream, 0 converted, 0 refused/, text);
  assertNoProblems(page);
});

test('the console shows, per client, what each gets of the camera and why, refreshing while open', async (t) => {
  // Two clients of the camera: this Chromium's wall page (no H.265 decoder)
  // and a client that says it decodes H.265.
  const wall = await openPage(browser, `${server.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
  await waitConnected(wall);
  const { client: hevc } = await connect(t, server);
  assert.ok((await hevc.request('subscribe', { sources: [{ id: 'cam-265', stream: 'main' }], codecs: ['hvc1'], page: 'wall:lobby' })).ok);
  const page = await openPage(browser, `${server.url}/console?wall=main`, { viewport: { width: 1400, height: 900 } });
  await waitConnected(page);
  await page.click('.source-item[data-source-id="cam-265"] .source-deliveries');
  const rowOf = (pageId) => `#deliveries-panel .delivery-row[data-page="${pageId}"]`;
  await page.waitForSelector(rowOf('wall:main'), { timeout: 15000 });
  await page.waitForSelector(rowOf('wall:lobby'), { timeout: 15000 });
  const cells = (pageId) => page.$$eval(`${rowOf(pageId)} td`, (tds) => tds.map((td) => td.textContent));
  // A row comes with the subscription; its codec once the stream's
  // configuration is there (the panel refreshes while open).
  const codecShown = (pageId) => page.waitForFunction((sel) => /\((avc1|hvc1)\./.test(
    document.querySelector(sel)?.children[3]?.textContent || ''), rowOf(pageId), { timeout: 15000 });
  await codecShown('wall:main');
  await codecShown('wall:lobby');
  const wallRow = await cells('wall:main');
  assert.equal(wallRow[1], 'wall main');
  assert.equal(wallRow[2], 'main stream');
  assert.match(wallRow[3], /^the H\.264 substream \(avc1\./, wallRow.join(' | '));
  assert.equal(wallRow[4], 'its screen cannot decode H.265');
  const hevcRow = await cells('wall:lobby');
  assert.match(hevcRow[0], /^local @ 127\.0\.0\.1$/);
  assert.match(hevcRow[3], /^H\.265 as the camera sends it \(hvc1\./, hevcRow.join(' | '));
  assert.equal(hevcRow[4], 'its screen decodes H.265');
  // While open it follows: the H.265 client leaves, its row goes.
  await hevc.request('subscribe', { sources: [] });
  await page.waitForSelector(rowOf('wall:lobby'), { state: 'detached', timeout: 10000 });
  await page.selectOption('select.language-select', 'id');
  await page.waitForFunction((sel) => document.querySelector(sel)?.children[4]?.textContent === 'layarnya tidak bisa mendekode H.265', `${rowOf('wall:main')}`);
  assertNoProblems(page, wall);
  await page.context().close();
  await wall.context().close();
});

test('without a substream: one tile draws the server\'s conversion, the one past the budget says why it shows nothing, in both languages', async () => {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 1000, h265_transcodes: 1 };
  config.plugins = { load: ['clock', 'cctv'] };
  for (const id of ['cam-x', 'cam-y']) config.sources.push({ id, type: 'rtsp', name: id, settings: { url: rtsp.url(`/${id.slice(4)}265`) } });
  config.walls[0].layout = { columns: 2, rows: 1, tiles: [
    { id: 'x', x: 0, y: 0, w: 1, h: 1, source: 'cam-x' },
    { id: 'y', x: 1, y: 0, w: 1, h: 1, source: 'cam-y' },
  ] };
  const budgetServer = await startServer({ config });
  try {
    const page = await openPage(browser, `${budgetServer.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
    await waitConnected(page);
    const textOf = (tile) => page.evaluate((id) => document.querySelector(`[data-tile="${id}"] .camera-state-text`)?.textContent || '', tile);
    const deadline = Date.now() + 20000;
    let drawn, refused;
    for (;;) {
      const counts = { x: await framesOf(page, 'x'), y: await framesOf(page, 'y') };
      drawn = counts.x >= 10 ? 'x' : counts.y >= 10 ? 'y' : null;
      refused = drawn === 'x' ? 'y' : 'x';
      if (drawn && /already converting 1 cameras/.test(await textOf(refused))) break;
      if (Date.now() > deadline) throw new Error(`frames ${JSON.stringify(counts)}, texts "${await textOf('x')}" / "${await textOf('y')}"; test RTSP server: ${rtsp.output().slice(-1500)}`);
      await sleep(100);
    }
    assert.equal(await textOf(refused), 'H.265 camera: this screen cannot decode it, and the server is already converting 1 cameras');
    assert.equal(await framesOf(page, refused), 0, 'the refused tile drew nothing');
    await page.keyboard.press('l');
    await page.waitForFunction((id) => /^Kamera H\.265/.test(document.querySelector(`[data-tile="${id}"] .camera-state-text`)?.textContent), refused);
    assert.equal(await textOf(refused), 'Kamera H.265: layar ini tidak bisa mendekodenya, dan server sudah mengonversi 1 kamera');
    assertNoProblems(page);
    await page.context().close();
  } finally {
    await stopServer(budgetServer);
    budgetServer.cleanup();
  }
});

test('refused tiles wait their turn: when a conversion ends, one of them starts drawing, the other keeps saying why', async (t) => {
  const config = testConfig();
  config.server = { ...config.server, stream_grace_ms: 1000, h265_transcodes: 1 };
  config.plugins = { load: ['clock', 'cctv'] };
  for (const id of ['cam-x', 'cam-y', 'cam-z']) config.sources.push({ id, type: 'rtsp', name: id, settings: { url: rtsp.url(`/${id.slice(4)}265`) } });
  config.walls[0].layout = { columns: 2, rows: 1, tiles: [
    { id: 'x', x: 0, y: 0, w: 1, h: 1, source: 'cam-x' },
    { id: 'y', x: 1, y: 0, w: 1, h: 1, source: 'cam-y' },
  ] };
  const budgetServer = await startServer({ config });
  t.after(async () => {
    await stopServer(budgetServer);
    budgetServer.cleanup();
  });
  // Another screen holds the one conversion (cam-z, not on this wall).
  const { client: other } = await connect(t, budgetServer);
  await other.request('subscribe', { sources: ['cam-z'] });
  await other.waitFor((m) => m.binary, 20000);
  const page = await openPage(browser, `${budgetServer.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
  await waitConnected(page);
  const textOf = (tile) => page.evaluate((id) => document.querySelector(`[data-tile="${id}"] .camera-state-text`)?.textContent || '', tile);
  const refusedText = /already converting 1 cameras/;
  await page.waitForFunction(() => ['x', 'y'].every((id) => /already converting 1 cameras/.test(
    document.querySelector(`[data-tile="${id}"] .camera-state-text`)?.textContent || '')), null, { timeout: 15000 });
  // The other screen leaves: its conversion stops, and one camera of this
  // wall gets the slot (the one whose tile the server refused first).
  await other.request('subscribe', { sources: [] });
  const deadline = Date.now() + 20000;
  let counts;
  for (;;) {
    counts = { x: await framesOf(page, 'x'), y: await framesOf(page, 'y') };
    if (counts.x >= 10 || counts.y >= 10) break;
    if (Date.now() > deadline) throw new Error(`frames ${JSON.stringify(counts)}, texts "${await textOf('x')}" / "${await textOf('y')}"`);
    await sleep(100);
  }
  const waiting = counts.x >= 10 ? 'y' : 'x';
  assert.equal(await framesOf(page, waiting), 0, 'one conversion: the other tile still waits');
  assert.match(await textOf(waiting), refusedText);
  assertNoProblems(page);
  await page.context().close();
});

// Issue 16: a replay is never converted, so a screen that cannot decode an
// H.265 recording gets no frames of it; its tile says why, not black.
test('a replay of an H.265 recording on a screen that cannot decode H.265: the tile says why, in both languages', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'pantau-h265-rec-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const config = testConfig();
  config.server = { ...config.server, recording: { enabled: true, path: folder, retention_minutes: 10 } };
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({ id: 'cam-r', type: 'rtsp', name: 'Rekaman', settings: { url: rtsp.url('/r265') } });
  config.walls[0].layout = { columns: 1, rows: 1, tiles: [{ id: 'r', x: 0, y: 0, w: 1, h: 1, source: 'cam-r' }] };
  const recServer = await startServer({ config });
  t.after(async () => { await stopServer(recServer); recServer.cleanup(); });
  const { client } = await connect(t, recServer);
  for (const end = Date.now() + 20000; ; await sleep(250)) {
    const span = (await client.request('recording.span', { source: 'cam-r' })).ok;
    if (span.oldest_ms !== null && span.newest_ms - span.oldest_ms > 2500) break;
    assert.ok(Date.now() < end, `cam-r not recorded: ${JSON.stringify(span)}`);
  }
  const page = await openPage(browser, `${recServer.url}/wall?wall=main`, { viewport: { width: 1280, height: 720 } });
  await waitConnected(page);
  const textOf = () => page.evaluate(() => document.querySelector('[data-tile="r"] .camera-state-text')?.textContent || '');
  const started = await client.request('replay.start', { wall: 'main', tile: 'r', back_ms: 2000 });
  assert.ok(started.ok, JSON.stringify(started));
  await page.waitForFunction(() => /recording/.test(document.querySelector('[data-tile="r"] .camera-state-text')?.textContent), null, { timeout: 10000 })
    .catch(async () => assert.fail(`the tile says "${await textOf()}"`));
  assert.equal(await textOf(), 'H.265 camera: this screen cannot decode its recording');
  await page.keyboard.press('l');
  await page.waitForFunction(() => /^Kamera H\.265/.test(document.querySelector('[data-tile="r"] .camera-state-text')?.textContent));
  assert.equal(await textOf(), 'Kamera H.265: layar ini tidak bisa mendekode rekamannya');
  assertNoProblems(page);
  await page.context().close();
});
