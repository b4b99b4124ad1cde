// Headless Debian Chromium for the browser tests, and pages that fail the
// test on any console error, uncaught exception or CSP violation.
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Playwright's launch() always starts Chromium on a fresh temporary profile
// (--user-data-dir) of its own and deletes it on close; it refuses the flag.
// options: more of launch()'s options (a script that handles Ctrl-C itself
// passes handleSIGINT: false, so Playwright does not exit before it).
export async function launchBrowser(options = {}) {
  const browser = await chromium.launch({
    ...options,
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}

// Reports CSP violations as console errors, so the console watch sees them
// even where Chromium would only count them.
function reportCspViolations() {
  document.addEventListener('securitypolicyviolation', (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
  });
}

// Opens a page whose problems are collected in page.problems. `allow` lists
// regular expressions for console errors a test expects (a server that is
// down on purpose); `context` adds browser context options; `beforeGoto`
// prepares the page before it loads.
export async function openPage(browser, url, {
  viewport = { width: 1280, height: 720 }, allow = [], context: contextOptions = {}, beforeGoto,
} = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  page.problems = [];
  page.allowedErrors = allow;
  await page.addInitScript(reportCspViolations);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!page.allowedErrors.some((re) => re.test(text))) page.problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (err) => page.problems.push(`uncaught: ${err.message}`));
  if (beforeGoto) await beforeGoto(page);
  await page.goto(url);
  return page;
}

// Throws if a page logged an error, threw, or violated the CSP.
export function assertNoProblems(...pages) {
  const problems = pages.flatMap((page) => page.problems);
  if (problems.length) throw new Error(`page problems:\n${problems.join('\n')}`);
}

// Closes the browser context of each page (openPage gives every page its
// own): its video decoders, sockets and timers stop at once instead of
// loading the machine until the file's after() closes the browser. Call it
// after the page's assertNoProblems. A page already closed, or a browser
// already gone, is no error.
export async function closePages(...pages) {
  await Promise.all(pages.filter(Boolean).map((page) => page.context().close().catch(() => {})));
}

// Closes every context of browser: an afterEach hook of a file whose tests
// share no page, so that what a test opened goes when it ends, passed or
// failed (after its assertNoProblems, which runs in the test).
export async function closeContexts(browser) {
  if (browser) await Promise.all(browser.contexts().map((context) => context.close().catch(() => {})));
}

export async function waitConnected(page) {
  await page.waitForSelector('body[data-connected="true"]', { timeout: 10000 });
}

// The number of frames the camera in tile decoded so far (0: none yet).
export const framesOf = (page, tile) => page.evaluate((id) =>
  Number(document.querySelector(`[data-tile="${id}"] .camera`)?.dataset.frames || 0), tile);

// Waits until the camera in tile decoded count frames; throws after timeoutMs.
export async function waitFrames(page, tile, count, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while ((await framesOf(page, tile)) < count) {
    if (Date.now() > deadline) throw new Error(`tile ${tile}: only ${await framesOf(page, tile)} frames decoded`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Waits until the text of `selector` equals `expected` (a string) or matches
// it (a RegExp). A timeout names the selector and the text last seen.
export async function waitText(page, selector, expected, timeoutMs = 10000) {
  const pattern = expected instanceof RegExp ? { source: expected.source, flags: expected.flags } : null;
  try {
    await page.waitForFunction(({ sel, text, re }) => {
      const now = document.querySelector(sel)?.textContent;
      return re ? new RegExp(re.source, re.flags).test(now ?? '') : now === text;
    }, { sel: selector, text: pattern ? null : expected, re: pattern }, { timeout: timeoutMs });
  } catch (err) {
    const seen = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? '(no such element)', selector)
      .catch(() => '(page gone)');
    throw new Error(`${selector}: waited ${timeoutMs} ms for ${expected}, saw ${JSON.stringify(seen)} (${err.message.split('\n')[0]})`);
  }
}
