#!/usr/bin/env node
// Takes the README's screenshots (issue 13): the whole wall and the
// console of the demo config (config/pantau.json) at 1920x1080, in English
// and in Bahasa Indonesia, plus one display of the wall, into
// docs/screenshots/ (or the folder given as the first argument).
//
// It builds nothing: PANTAU_BIN and PANTAU_PLUGIN_DIR name the server and
// its plugins as for the tests (default build/core/pantau and
// build/lib/pantau/plugins; `make screenshots` builds first). The server
// runs on a fresh temporary state dir and a port the kernel picks, so a
// running pantau is never touched; the server, the browser and the temp
// files go on every way out (an error, Ctrl-C, SIGTERM). Each picture is
// taken once the page shows what it should: every camera tile a decoded
// picture, every widget its data (never after a fixed sleep).
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, repoRoot, pantauBin } from '../tests/lib/server.js';
import { stopServer } from '../tests/lib/harness.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected } from '../tests/browser/browser.js';

const CONFIG = join(repoRoot, 'config', 'pantau.json');
const VIEWPORT = { width: 1920, height: 1080 };
const READY_TIMEOUT_MS = 60000; // generous: a busy machine decodes slowly
const MIN_FRAMES = 10; // decoded frames per camera tile before a picture

// The pictures: file name, page (path and query without lang), what to
// wait for there. The README shows the first four.
export const SHOTS = [
  { file: 'wall-en.png', lang: 'en', page: 'wall', query: '' },
  { file: 'wall-id.png', lang: 'id', page: 'wall', query: '' },
  { file: 'console-en.png', lang: 'en', page: 'console', query: '' },
  { file: 'console-id.png', lang: 'id', page: 'console', query: '' },
  { file: 'wall-display-en.png', lang: 'en', page: 'wall', query: '&display=1,0' },
];

// In the page: true once every tile under rootSelector that shows a source
// shows it live: cameras a decoded picture (minFrames of them), widgets
// their data (no "waiting" note, no empty age or figure).
function tilesReady({ rootSelector, minFrames }) {
  const root = document.querySelector(rootSelector);
  if (!root) return false;
  const tiles = [...root.querySelectorAll('.tile-content')].filter((el) => el.dataset.source);
  if (tiles.length === 0) return false;
  const filled = (el) => el.textContent.trim() !== '' && el.textContent.trim() !== '–';
  return tiles.every((tile) => {
    if (tile.dataset.status !== 'live') return false;
    const camera = tile.querySelector('[data-picture]');
    if (camera) return camera.dataset.picture === 'true' && Number(camera.dataset.frames) >= minFrames;
    const body = tile.querySelector('.tile-body');
    if (!body || body.childElementCount === 0) return false;
    if ([...tile.querySelectorAll('.traffic-empty')].some((el) => !el.hidden)) return false;
    return [...tile.querySelectorAll('.widget-age, .dch-age, .dch-stat-value')].every(filled);
  });
}

async function waitTilesReady(page, rootSelector) {
  await page.waitForFunction(tilesReady, { rootSelector, minFrames: MIN_FRAMES }, { timeout: READY_TIMEOUT_MS });
}

// Waits until the console shows its lists and the editor's tiles live.
async function waitConsoleReady(page, config) {
  await page.waitForSelector('#connection[data-state="up"]', { timeout: READY_TIMEOUT_MS });
  await page.waitForFunction((n) => document.querySelectorAll('#sources .source-item').length >= n,
    config.sources.length, { timeout: READY_TIMEOUT_MS });
  await page.waitForFunction((n) => document.querySelectorAll('#presets .preset-thumb').length >= n,
    config.presets.length, { timeout: READY_TIMEOUT_MS });
  await waitTilesReady(page, '#editor-frame');
}

async function takeShot(browser, server, config, shot, outDir) {
  const url = `${server.url}/${shot.page}?${shot.page === 'wall' ? 'wall=main&' : ''}lang=${shot.lang}${shot.query}`;
  const page = await openPage(browser, url, { viewport: VIEWPORT });
  try {
    await waitConnected(page);
    if (shot.page === 'console') await waitConsoleReady(page, config);
    else await waitTilesReady(page, '#wall');
    await page.evaluate(() => document.fonts.ready);
    await page.mouse.move(VIEWPORT.width - 1, VIEWPORT.height - 1); // no hover effect on a tile
    const path = join(outDir, shot.file);
    await page.screenshot({ path, type: 'png' });
    assertNoProblems(page);
    return path;
  } finally {
    await page.context().close();
  }
}

// The demo config as shipped, but calm: without the alarm rules (so no
// tile is taken over while the pictures are taken) and without the data
// centre's thresholds (this machine's own load, busy taking pictures,
// would raise a CPU alarm). The pictures then show the wall as it is most
// of the time, the same on every run.
export function demoConfig() {
  const config = JSON.parse(readFileSync(CONFIG, 'utf8'));
  delete config.alarms;
  for (const source of config.sources.filter((s) => s.type === 'dchealth')) {
    source.settings.thresholds = { cpu_percent: null, mem_percent: null, disk_percent: null, load1: null };
  }
  return config;
}

// Starts pantau on the demo config with a fresh state dir on port 0, takes
// every picture of SHOTS into outDir (created if missing) and stops it.
// Resolves to the paths written. onCleanup(fn) (optional) receives a
// function that stops everything, for a caller that handles signals.
export async function takeScreenshots(outDir, { log = () => {}, onCleanup = () => {} } = {}) {
  if (!existsSync(pantauBin)) throw new Error(`no pantau at ${pantauBin}: run make build (or set PANTAU_BIN)`);
  const pluginDir = process.env.PANTAU_PLUGIN_DIR || join(repoRoot, 'build', 'lib', 'pantau', 'plugins');
  mkdirSync(outDir, { recursive: true });
  const config = demoConfig();
  let server = null;
  let browser = null;
  const cleanup = async () => {
    const b = browser;
    const s = server;
    browser = null;
    server = null;
    await b?.close().catch(() => {});
    if (!s) return;
    try {
      await stopServer(s);
    } finally {
      s.cleanup();
    }
  };
  onCleanup(cleanup);
  try {
    server = await startServer({ config, port: 0, pluginDir });
    cpSync(join(dirname(CONFIG), 'slides'), join(dirname(server.configPath), 'slides'), { recursive: true });
    // Ctrl-C and SIGTERM are ours (main): Playwright would exit at once.
    ({ browser } = await launchBrowser({ handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false }));
    const written = [];
    for (const shot of SHOTS) {
      written.push(await takeShot(browser, server, config, shot, outDir));
      log(`wrote ${relative(process.cwd(), written.at(-1))}`);
    }
    return written;
  } finally {
    await cleanup();
  }
}

async function main() {
  const outDir = process.argv[2] || join(repoRoot, 'docs', 'screenshots');
  let cleanup = async () => {};
  let stopping = false; // a signal came: what fails now is our own doing
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, async () => {
      stopping = true;
      console.error(`screenshots: ${signal}, stopping`);
      await cleanup().catch(() => {});
      process.exit(128 + constants.signals[signal]);
    });
  }
  try {
    await takeScreenshots(outDir, { log: (line) => console.log(`screenshots: ${line}`), onCleanup: (fn) => { cleanup = fn; } });
  } catch (err) {
    if (!stopping) console.error(`screenshots: ${err.message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
