// Bahasa Indonesia everywhere (issue 13): with ?lang=id, no English word is
// left in what the pages show — the visible text and the title, placeholder
// and aria-label attributes — on the wall (whole wall and one display), the
// console as an admin (every panel, Audit included), the presenter page
// during a rehearsal, the start page and the login page; on the shipped
// demo config (config/pantau.json). A second test puts widgets and
// cameras in a fault (a stale feed, an offline camera, a wrong password)
// and checks the tile states in Indonesian.
//
// What is left out, and why:
// - texts that are configuration content: the names of sources, walls,
//   presets, corridors, checks, tickets and agencies come from the config
//   or the feed as written by the city (proper names and content); they
//   are removed from the text before the words are checked;
// - ALLOWED below: proper names, units and terms that are the same in
//   Indonesian, each with its reason.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServer, stopServer, testConfig, Client } from '../lib/harness.js';
import { repoRoot } from '../lib/server.js';
import { startFeedServer } from '../lib/feed-server.js';
import { closedPort, startRtsp } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, waitText, closePages, closeContexts } from './browser.js';

// Common English words of a user interface (about 300). Any of them in the
// Indonesian pages is a word someone forgot to translate.
const ENGLISH = new Set(`
the of and or to in on at for from with by as is are was be been not no yes all any none every each
this that these those it its you your we our they their there here now then when while until since
after before ago old new one two three four five six seven eight nine ten first last next previous
left right top bottom up down back forward more less most least few many some other another only
wall walls screen screens display displays tile tiles camera cameras source sources widget widgets
preset presets layout grid cell cells clear save delete rename recall cancel overwrite apply sure
split merge swap move drag drop select selected show hide open close closed opened edit view
connected connecting reconnecting disconnected online offline live idle error errors failed fail
warning warnings critical info alarm alarms acknowledge acknowledged active cleared recent
data updated update old stale age waiting loading load loaded unknown missing wrong password user
name names role viewer operator presenter admin log login logout sign action actions filter filters
search match matches entries entry newest oldest time times date dates day days hour hours minute
minutes second seconds week month year today yesterday tomorrow
free dense jammed traffic vehicles speed corridor corridors
ticket tickets overdue forwarded forward follow progress agency channel channels deadline deadlines
working late limit open
memory network disk disks service services metrics battery power charge runtime host checks check
up down
keys key press start stop pause resume rehearse rehearsal preview notes step steps elapsed overall
remaining over time presentation presentations mode
help about settings language english
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
mon tue wed thu fri sat sun jan feb mar apr jun jul aug sep oct nov dec
empty full fullscreen full-screen nothing something what which who why how where
go goes going keeps keep until kept
`.split(/\s+/).filter(Boolean));

// Words the Indonesian pages may show, each with its reason.
const ALLOWED = new Map([
  ['pantau', 'the product name (and an Indonesian word)'],
  ['dumai', 'the city'],
  ['admin', 'the role is "admin" in Indonesian too'],
  ['operator', 'the role is "operator" in Indonesian too'],
  ['presenter', 'Indonesian uses "presenter" for this role'],
  ['data', '"data" is the Indonesian word too (data terakhir, pusat data)'],
  ['info', 'Indonesian severity "info"'],
  ['mode', '"mode" is Indonesian too'],
  ['local', 'the name of the built-in user when nobody logs in (a user name)'],
  ['preset', 'kept as a loan word in the console (preset, tile), as control rooms in Indonesia say'],
  ['presets', 'see preset'],
  ['tile', 'see preset'],
  ['cpu', 'CPU is CPU in Indonesian'],
  ['ups', 'UPS is UPS in Indonesian'],
  ['alarm', '"alarm" is the Indonesian word too'],
  ['english', 'the language switch names each language in its own words ("English")'],
]);

// The names printed on keyboard keys, as the presenter's key hint says them.
const KEY_NAMES = ['Page Down', 'Page Up', 'Home', 'End', 'Esc', 'Shift', 'Ctrl'];

const shippedConfig = () => JSON.parse(readFileSync(join(repoRoot, 'config', 'pantau.json'), 'utf8'));

// The free texts a config carries: names of sources, walls, presets,
// corridors, checks, labels. They are content, not the pages' words.
function configTexts(config) {
  const texts = new Set();
  const add = (v) => {
    if (typeof v === 'string' && v) texts.add(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const x of Object.values(v)) add(x);
  };
  for (const s of config.sources || []) {
    add(s.name);
    add(s.settings?.label);
    add(s.settings?.title);
    for (const c of s.settings?.corridors || []) add(c.name);
    for (const c of s.settings?.checks || []) add(c.name);
    add(s.settings?.ups?.name);
  }
  // Tile ids: the editor labels each tile with the id the config gave it.
  const tileIds = (layout) => (layout?.tiles || []).forEach((tile) => add(tile.id));
  for (const w of config.walls || []) {
    add(w.name);
    tileIds(w.layout);
  }
  for (const p of config.presets || []) tileIds(p.layout);
  for (const p of config.presets || []) add(p.name);
  for (const p of config.presentations || []) add(p.name);
  return [...texts].sort((a, b) => b.length - a.length);
}

// The text a page shows: body.innerText, and the title, placeholder and
// aria-label of every element (also <option>s and the page's <title>);
// and the texts of elements marked lang="en" inside body, which the page
// declares English on purpose (the server's technical reasons).
function pageTexts(page) {
  return page.evaluate(() => {
    const parts = [document.body.innerText, document.title];
    for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
      for (const name of ['title', 'placeholder', 'aria-label']) if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
    for (const el of document.querySelectorAll('option')) parts.push(el.textContent);
    const english = [...document.body.querySelectorAll('[lang="en"]')].map((el) => el.innerText).filter(Boolean);
    return { text: parts.join('\n'), english };
  });
}

// A pattern that finds text only where it is not part of a longer word.
function wholeText(text) {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu');
}

// The English words left in text once the content texts are removed:
// [{word, context}].
export function englishWords(text, content = []) {
  let rest = text;
  for (const c of [...content, ...KEY_NAMES]) rest = rest.replace(wholeText(c), ' ');
  const found = new Map();
  for (const line of rest.split('\n')) {
    // Codes (login_failed, preset.save) are identifiers an admin types
    // into the audit filter, not words.
    const words = line.split(/\s+/).filter((token) => !/\p{L}[._]\p{L}/u.test(token)).join(' ');
    for (const word of words.toLowerCase().match(/\p{L}+/gu) || []) {
      if (!ENGLISH.has(word) || ALLOWED.has(word) || found.has(word)) continue;
      found.set(word, line.trim().slice(0, 100));
    }
  }
  return [...found].map(([word, context]) => ({ word, context }));
}

// Collects the English words a page shows into found (what -> words);
// checkFound() fails with all of them, so one run names every page's.
async function collect(found, page, what, content) {
  const { text, english } = await pageTexts(page);
  const words = englishWords(text, [...content, ...english].sort((a, b) => b.length - a.length));
  if (words.length) found.set(what, words);
}

function checkFound(found) {
  const report = [...found].map(([what, words]) => `${what}:\n${words.map((w) => `  ${w.word}  «${w.context}»`).join('\n')}`);
  assert.deepEqual(report, [], `English words left with ?lang=id:\n${report.join('\n')}`);
}

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

// The shipped config on a free port with its own state dir, and the
// slides folder next to it (as config/ has it).
async function startShipped() {
  const config = shippedConfig();
  config.server = { ...config.server, port: 0 };
  const server = await startServer({ config });
  symlinkSync(join(repoRoot, 'config', 'slides'), join(dirname(server.configPath), 'slides'));
  return { server, config };
}

const WIDE = { viewport: { width: 1920, height: 1080 }, allow: [/decoding .* failed/] };

// Every widget of the demo has drawn its data.
async function waitWidgets(page) {
  await page.waitForFunction(() => {
    const has = (sel) => document.querySelector(sel) !== null;
    return has('.pantau-traffic .traffic-row') && has('.pantau-services .svc-status')
      && has('.pantau-dchealth .dch-check') && has('.pantau-clock[data-time]');
  }, null, { timeout: 20000 });
}

test('the wall, the console, the presenter, start and login pages show no English word with ?lang=id', async () => {
  const { server, config } = await startShipped();
  const content = configTexts(config);
  const found = new Map();
  try {
    const wall = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=id`, WIDE);
    await waitConnected(wall);
    await waitWidgets(wall);
    await wall.waitForTimeout(1500); // ages tick once
    await collect(found, wall, 'whole wall', content);

    const one = await openPage(chromium.browser, `${server.url}/wall?wall=main&display=2,0&lang=id`, WIDE);
    await waitConnected(one);
    await one.waitForSelector('.pantau-dchealth .dch-check', { timeout: 20000 });
    await collect(found, one, 'display 2,0', content);

    // A change, so the Audit panel has a line: recall the Overview preset.
    const client = new Client(server.wsUrl);
    const state = await client.snapshot();
    const overview = state.presets.find((p) => p.name === 'Overview');
    const version = state.walls.find((w) => w.id === 'main').version;
    const recalled = await client.request('preset.recall', { wall: 'main', preset: overview.id, version });
    assert.ok(recalled.ok, JSON.stringify(recalled));
    await client.close();
    // Each page closes once its words are collected and it showed no
    // problem (the wall pages once they show the recalled layout): six
    // 1920x1080 pages kept open, three of them decoding the demo cameras,
    // load the machine for the rest of the test.
    for (const page of [wall, one]) {
      await page.waitForFunction((v) => Number(document.body.dataset.wallVersion) > v, version, { timeout: 10000 });
    }
    assertNoProblems(wall, one);
    await closePages(wall, one);

    const consolePage = await openPage(chromium.browser, `${server.url}/console?wall=main&lang=id`, WIDE);
    await waitConnected(consolePage);
    await consolePage.waitForSelector('#audit-rows tr', { timeout: 10000 });
    await consolePage.waitForSelector('#audit-panel');
    await consolePage.waitForSelector('.preset-item');
    await consolePage.waitForSelector('.source-item');
    await consolePage.waitForSelector('#alarms-panel h2');
    await consolePage.click('.editor-frame [data-tile="o-cam1"]');
    await collect(found, consolePage, 'console', content);
    assertNoProblems(consolePage);
    await closePages(consolePage);

    const present = await openPage(chromium.browser, `${server.url}/present?lang=id`, WIDE);
    await waitConnected(present);
    await present.waitForSelector('#jump-list li');
    await collect(found, present, 'presenter (idle)', content);
    await present.click('#start');
    await present.waitForSelector('body[data-running="true"]');
    await present.waitForTimeout(1200);
    await collect(found, present, 'presenter (rehearsing)', content);
    await present.click('#stop');
    await collect(found, present, 'presenter (stopped)', content);
    assertNoProblems(present);
    await closePages(present);

    const index = await openPage(chromium.browser, `${server.url}/?lang=id`, WIDE);
    await index.waitForSelector('#walls a');
    await collect(found, index, 'start page', content);
    assertNoProblems(index);
    await closePages(index);
    const login = await openPage(chromium.browser, `${server.url}/login?lang=id`, WIDE);
    await login.waitForSelector('#login-form');
    await login.click('#login-submit');
    await login.waitForSelector('#login-message:not([hidden])');
    await collect(found, login, 'login page', content);

    checkFound(found);
    assertNoProblems(login);
  } finally {
    await stopServer(server);
    server.cleanup();
  }
});

// ---- faults in Bahasa Indonesia, and widgets that follow a switch ----

const CORRIDORS = { corridors: [{ id: 'dago', name: 'Simpang Dago', count: 120, speed: 42, level: 'free' }] };

async function faultConfig(lockedUrl, feedUrl) {
  const deadPort = await closedPort();
  const base = testConfig();
  const tile = (id, x, y, source) => ({ id, x, y, w: 1, h: 1, source });
  return {
    ...base,
    plugins: { load: ['clock', 'cctv', 'traffic', 'dchealth'] },
    sources: [
      ...base.sources,
      { id: 'cam-never', type: 'rtsp', name: 'Jl. Sudirman', settings: { url: `rtsp://127.0.0.1:${deadPort}/main` } },
      { id: 'cam-auth', type: 'rtsp', name: 'Pasar Bawah', settings: { url: lockedUrl, username: 'admin', password: 'not-this-one' } },
      { id: 'traffic', type: 'traffic', name: 'Lalu lintas', settings: { feed: 'http', url: feedUrl, interval_s: 0.3, timeout_s: 0.5 } },
      { id: 'dc', type: 'dchealth', name: 'Pusat data', settings: { interval_ms: 300, host: { mode: 'local', disks: ['/'] },
        checks: [{ name: 'db', type: 'tcp', host: '127.0.0.1', port: deadPort, timeout_ms: 500 }] } },
    ],
    walls: [{
      id: 'main', name: 'Gangguan',
      displays: { columns: 1, rows: 1, width: 1920, height: 1080 },
      layout: { columns: 3, rows: 2, tiles: [
        tile('never', 0, 0, 'cam-never'), tile('auth', 1, 0, 'cam-auth'), tile('clock', 2, 0, 'clock-a'),
        tile('traffic', 0, 1, 'traffic'), tile('dc', 1, 1, 'dc'), tile('empty', 2, 1, null),
      ] },
    }],
  };
}

test('faults in Bahasa Indonesia: offline and locked cameras, a stale feed, a failed check; widgets follow the L key', async () => {
  const locked = await startRtsp({ mounts: { '/main': 'test:640x360@15' }, user: 'admin', password: 'secret' });
  const feed = await startFeedServer();
  feed.set('good', CORRIDORS);
  const config = await faultConfig(locked.url('/main'), feed.url('/traffic'));
  const server = await startServer({ config });
  const found = new Map();
  try {
    const page = await openPage(chromium.browser, `${server.url}/wall?wall=main&lang=id`, WIDE);
    await waitConnected(page);
    const text = (sel) => page.textContent(`#wall [data-tile="${sel}`);
    await page.waitForSelector('#wall [data-tile="traffic"] .traffic-row', { timeout: 10000 });
    assert.equal(await text('traffic"] .traffic-level'), 'LANCAR');
    feed.set('500');
    await page.waitForSelector('#wall [data-tile="traffic"] .widget-state[data-status="stale"]:not([hidden])', { timeout: 10000 });
    await page.waitForFunction(() => /^data terakhir [1-9]\d* dtk lalu$/
      .test(document.querySelector('#wall [data-tile="traffic"] .widget-state-age')?.textContent), null, { timeout: 5000 });
    assert.equal(await text('traffic"] .widget-state-title'), 'Data kedaluwarsa');
    await waitText(page, '#wall [data-tile="never"] .camera-state-text', 'Kamera mati, mencoba lagi', 20000);
    await waitText(page, '#wall [data-tile="auth"] .camera-state-text', 'Kata sandi salah', 20000);
    await page.waitForSelector('#wall [data-tile="dc"] .dch-check[data-state="down"]', { timeout: 10000 });
    await page.waitForSelector('#wall [data-tile="clock"] .pantau-clock[data-time]');
    assert.match(await text('clock"] .clock-date'), /^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d+ \p{L}+ \d{4}$/u);
    assert.equal(await text('empty"] .tile-empty-label'), 'Kosong');
    await collect(found, page, 'wall with faults', []);
    checkFound(found);

    // The L key: every widget redraws its words at once, from its last data.
    await page.keyboard.press('l');
    await page.waitForFunction(() => document.querySelector('#wall [data-tile="traffic"] .traffic-level')?.textContent === 'FREE');
    assert.equal(await text('traffic"] .widget-state-title'), 'Data out of date');
    assert.equal(await text('dc"] .dch-stat[data-part="mem"] .dch-stat-label'), 'Memory');
    await page.waitForFunction(() => /^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, /
      .test(document.querySelector('#wall [data-tile="clock"] .clock-date')?.textContent));
    await page.keyboard.press('l');
    await page.waitForFunction(() => document.querySelector('#wall [data-tile="dc"] .dch-stat[data-part="mem"] .dch-stat-label')
      ?.textContent === 'Memori');
    assertNoProblems(page);
  } finally {
    await stopServer(server);
    server.cleanup();
    await locked.stop();
    await feed.close();
  }
});
