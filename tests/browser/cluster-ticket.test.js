// Issue 17, a logged-in console failing over to a node on another host name
// (docs/cluster.md "Nodes and failover", docs/security.md "Failover
// tickets"): node A is http://127.0.0.1:PORT_A, node B http://localhost:PORT_B,
// so the login's cookie (set by A) never goes to B. An admin logs into the
// console on A; `kill -9` A: the console shows B's wall at the same version,
// still logged in as that admin (its failover ticket let it in), and a change
// from it works and is audited as the admin. A forged ticket is refused; a
// logout on A ends the login on B; a ticket B refuses sends the console to
// B's login page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, authConfig, httpRequest } from '../lib/harness.js';
import { startNatsCluster, stopNodesAndNats } from '../lib/nats.js';
import { freePort } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected } from './browser.js';

const ADMIN = { name: 'ana', role: 'admin', password: 'ana-ticket-password' };
// Only in node A's config when it is started again (test 3): B does not know
// the logins of this user, so B refuses their tickets.
const OPERATOR = { name: 'otto', role: 'operator', password: 'otto-ticket-password' };

let nats, browser, page;
const nodes = {}; // name -> { port, host, server }

async function startNode(name, users = [ADMIN]) {
  const { port, host } = nodes[name];
  const config = await authConfig({
    users,
    overrides: {
      cluster: { nats: nats.urls, node: name, bucket: 'pantau-ticket', replicas: 1, timeout_ms: 2000,
        public_url: `http://${host}:${port}` },
    },
  });
  nodes[name].server = await startServer({ config, port });
  return nodes[name].server;
}

const wallVersion = () => page.evaluate(() => Number(document.getElementById('wall-info')?.dataset.version));

before(async () => {
  nats = await startNatsCluster(1);
  nodes.a = { port: await freePort(), host: '127.0.0.1' };
  nodes.b = { port: await freePort(), host: 'localhost' };
  await Promise.all([startNode('a'), startNode('b')]);
  ({ browser } = await launchBrowser());
  // The socket to a killed node fails (a network error the page logs).
  page = await consoleOnA(ADMIN);
});

// A console page on node A, logged in as user.
async function consoleOnA(user) {
  const url = `http://127.0.0.1:${nodes.a.port}/console?wall=main`;
  const p = await openPage(browser, url, { allow: [/WebSocket/, /ERR_CONNECTION_REFUSED/, /401 \(Unauthorized\)/] });
  await p.waitForURL(/\/login\?next=/);
  await p.fill('#login-user', user.name);
  await p.fill('#login-password', user.password);
  await p.click('#login-submit');
  await p.waitForURL(url);
  await waitConnected(p);
  return p;
}

after(async () => {
  await browser?.close();
  await stopNodesAndNats(Object.values(nodes).map((n) => n.server), nats);
});

// Opens a socket from the page to url with subprotocols; resolves to how it
// ended: { code, reason } or { opened: true } when it got a snapshot.
const trySocket = (url, protocols) => page.evaluate(([u, p]) => new Promise((resolve) => {
  const ws = new WebSocket(u, p);
  ws.onmessage = (e) => { if (JSON.parse(e.data).ev === 'snapshot') { ws.close(); resolve({ opened: true }); } };
  ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
}), [url, protocols]);

test('a forged failover ticket is refused with a clear reason', async () => {
  const url = `ws://localhost:${nodes.b.port}/ws`;
  const forged = await trySocket(url, ['pantau.v1', `pantau.ticket.${'ab'.repeat(32)}`]);
  assert.deepEqual(forged, { code: 1008, reason: 'ticket refused' });
  assert.doesNotMatch(nodes.b.server.output(), /abababab/, 'the ticket is in no log line');
});

test('kill -9 of node A: the console shows node B\'s wall at the same version, still as the admin, and its change is audited as the admin', async () => {
  await page.waitForSelector('#user-badge');
  const before = await wallVersion();
  assert.ok(before >= 1, `wall version on A: ${before}`);
  // The page's connection states from now on: it must lose A, then connect.
  await page.evaluate(() => {
    window.connectedStates = [];
    new MutationObserver(() => window.connectedStates.push(document.body.dataset.connected))
      .observe(document.body, { attributes: true, attributeFilter: ['data-connected'] });
  });
  await nodes.a.server.kill9();
  await page.waitForFunction(() => window.connectedStates.includes('false') && document.body.dataset.connected === 'true',
    null, { timeout: 10000 });
  assert.equal(page.url(), `http://127.0.0.1:${nodes.a.port}/console?wall=main`, 'no login page');
  assert.equal(await wallVersion(), before, 'the same wall version on node B');
  assert.match(await page.textContent('#user-badge'), /ana · admin/);
  // A change from it works on B (clear the wall: click, confirm).
  await page.click('#clear-wall');
  await page.click('#clear-wall');
  await page.waitForFunction((v) => Number(document.getElementById('wall-info')?.dataset.version) > v, before, { timeout: 10000 });
  const after = await wallVersion();
  // B's audit names the admin for it.
  await page.click('#audit-filters button[type="submit"]');
  await page.waitForFunction((v) => [...document.querySelectorAll('#audit-rows tr')].some((tr) => {
    const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent);
    return cells[1] === 'ana' && cells[7] === String(v);
  }), after, { timeout: 10000 });
  assert.doesNotMatch(nodes.b.server.output(), /pantau\.ticket\.[0-9a-f]/, 'no ticket in B\'s log');
  assertNoProblems(page);
});

test('a logout on another node ends the console\'s failover login: it goes to the login page', async () => {
  // A is back; the login is ended there (its cookie, as the browser holds it).
  nodes.a.server.cleanup();
  await startNode('a', [ADMIN, OPERATOR]);
  const cookie = (await page.context().cookies(`http://127.0.0.1:${nodes.a.port}`))
    .find((c) => c.name === 'pantau_session');
  assert.ok(cookie, 'the login cookie of node A');
  const out = await httpRequest(nodes.a.server, 'POST', '/api/logout', { headers: { cookie: `pantau_session=${cookie.value}` } });
  assert.equal(out.status, 200);
  // B closes the socket the ticket let in at its next session check (5 s).
  await page.waitForURL(/\/login\?next=/, { timeout: 10000 });
  assertNoProblems(page);
});

test('a ticket node B refuses (its login is unknown there): the console goes to node B\'s login page', async () => {
  const other = await consoleOnA(OPERATOR);
  try {
    await nodes.a.server.kill9();
    await other.waitForURL(`http://localhost:${nodes.b.port}/login?next=${encodeURIComponent('/console?wall=main')}`, { timeout: 10000 });
    assertNoProblems(other);
  } finally {
    await other.context().close();
  }
});
