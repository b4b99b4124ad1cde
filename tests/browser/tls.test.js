// Issue 11 finding 2: with auth.tls a real browser logs in, opens the
// console with its WebSocket connected, and gets video over wss://. The
// server offers only HTTP/1.1 over ALPN (docs/security.md).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopServer, authConfig, sleep } from '../lib/harness.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, framesOf, closeContexts } from './browser.js';

let chromium, server, certDir;

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'pantau-tls-browser-'));
  const cert = join(certDir, 'server.pem');
  const key = join(certDir, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'pipe' });
  const config = await authConfig({
    users: [{ name: 'ana', role: 'admin', password: 'tls-browser-password' }],
    auth: { tls: { cert, key } },
    overrides: { plugins: { load: ['clock', 'cctv'] } },
  });
  config.sources.push({ id: 'cam-t', type: 'test', name: 'Jl. Sudirman', settings: {} });
  config.walls[0].layout.tiles[1].source = 'cam-t';
  server = await startServer({ config });
  chromium = await launchBrowser();
});

// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => {
  await chromium?.close();
  if (server) {
    await stopServer(server);
    server.cleanup();
  }
  rmSync(certDir, { recursive: true, force: true });
});

test('over HTTPS a browser logs in, the console connects over wss, and the wall decodes video', async () => {
  assert.match(server.output(), /ready on https:\/\//);
  const base = `https://127.0.0.1:${server.port}`;
  const page = await openPage(chromium.browser, `${base}/console?wall=main`, {
    context: { ignoreHTTPSErrors: true },
  });
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#login-user', 'ana');
  await page.fill('#login-password', 'tls-browser-password');
  await page.click('#login-submit');
  await page.waitForURL(`${base}/console?wall=main`);
  await waitConnected(page);
  assert.match(await page.textContent('#user-badge'), /ana · admin/);
  const protocol = await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol);
  assert.equal(protocol, 'http/1.1', 'ALPN offers only HTTP/1.1');

  const wall = await page.context().newPage();
  await wall.goto(`${base}/wall?wall=main`);
  await wall.waitForSelector('body[data-connected="true"]', { timeout: 10000 });
  const deadline = Date.now() + 15000;
  while ((await framesOf(wall, 't2')) < 5) {
    assert.ok(Date.now() < deadline, `only ${await framesOf(wall, 't2')} frames decoded over wss`);
    await sleep(100);
  }
  assertNoProblems(page);
});
