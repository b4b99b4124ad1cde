// Issue 17, pages failing over between nodes (docs/cluster.md, "Nodes and
// failover"): three nats-server processes as one JetStream cluster
// (replicas 3) and two pantau nodes with a camera each node ingests itself
// (its own RTSP mount). Chromium shows /wall from node A; `kill -9` node A:
// within 3 s the page shows the wall from node B at the same version, with
// moving video. Then node A is started again and node B is stopped with
// SIGTERM: the page moves to A on B's handover event, before B closes its
// socket. Last, node A hangs (SIGSTOP): the page's ping finds it out and
// the page moves to B within a few seconds. And without NATS quorum the
// console shows its banner until NATS is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, testConfig } from '../lib/harness.js';
import { startNatsCluster, stopNodesAndNats } from '../lib/nats.js';
import { startRtsp, freePort } from '../lib/rtsp.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected } from './browser.js';

let nats, rtsp, browser, page;
const nodes = {}; // name -> { port, server }

function nodeConfig(name, port) {
  const config = testConfig({
    cluster: {
      nats: nats.urls, node: name, bucket: 'pantau-failover', replicas: 3, timeout_ms: 2000,
      public_url: `http://127.0.0.1:${port}`,
    },
  });
  config.server = { ...config.server, stream_grace_ms: 1000 };
  config.plugins = { load: ['clock', 'cctv'] };
  // One camera; each node opens its own session, on its own mount (the
  // test RTSP server can abort when several clients PLAY one mount).
  config.sources.push({ id: 'cam', type: 'rtsp', name: 'Simpang Lima', settings: { url: rtsp.url(`/${name}`) } });
  config.walls[0].layout.tiles[1].source = 'cam';
  return config;
}

async function startNode(name) {
  nodes[name].server = await startServer({ config: nodeConfig(name, nodes[name].port), port: nodes[name].port });
  return nodes[name].server;
}

const shown = () => page.evaluate(() => ({
  node: document.body.dataset.node,
  nodes: document.body.dataset.nodes,
  connected: document.body.dataset.connected === 'true',
  version: Number(document.body.dataset.wallVersion),
  frames: Number(document.querySelector('[data-tile="t2"] .camera')?.dataset.frames || 0),
}));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until the page shows node `name` connected and at least `more`
// frames decoded after its arrival there; resolves to { at, version }.
async function waitVideoFrom(name, more, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let arrived = null;
  let s;
  while (Date.now() < until) {
    s = await shown();
    if (s.connected && s.node === name) {
      arrived ??= s;
      if (s.frames >= arrived.frames + more || (arrived.frames === 0 && s.frames >= more)) {
        return { at: Date.now(), version: s.version };
      }
    }
    await sleep(50);
  }
  throw new Error(`the page did not show moving video from node ${name} in ${timeoutMs} ms: ${JSON.stringify(s)}`);
}

before(async () => {
  nats = await startNatsCluster(3);
  rtsp = await startRtsp({ mounts: { '/a': 'test:320x180@15', '/b': 'test:320x180@15' } });
  for (const name of ['a', 'b']) nodes[name] = { port: await freePort() };
  await startNode('a');
  await startNode('b');
  ({ browser } = await launchBrowser());
  // The socket to a killed node fails (a network error the page logs).
  page = await openPage(browser, `${nodes.a.server.url}/wall?wall=main`, { allow: [/WebSocket/, /ERR_CONNECTION_REFUSED/] });
  await waitConnected(page);
});

after(async () => {
  await browser?.close();
  try {
    await stopNodesAndNats(Object.values(nodes).map((n) => n.server), nats);
  } finally {
    await rtsp?.stop();
  }
});

test('kill -9 of node A: within 3 s the page shows the wall from node B at the same version, with moving video', async (t) => {
  await page.waitForFunction(() => document.body.dataset.nodes === 'a b', null, { timeout: 10000 });
  await waitVideoFrom('a', 5, 10000);
  const before = await shown();
  const killedAt = Date.now();
  await nodes.a.server.kill9();
  const back = await waitVideoFrom('b', 5, 10000);
  const seconds = (back.at - killedAt) / 1000;
  t.diagnostic(`moving video from node B ${seconds} s after node A was killed`);
  assert.ok(seconds < 3, `video back from node B after ${seconds} s (the issue asks for 3 s at most)`);
  assert.equal(back.version, before.version, 'the same wall version on node B');
  assertNoProblems(page);
});

test('SIGTERM of node B: its handover moves the page to node A before B closes its socket', async () => {
  nodes.a.server.cleanup();
  await startNode('a');
  await page.waitForFunction(() => document.body.dataset.nodes === 'a b', null, { timeout: 10000 });
  await waitVideoFrom('b', 3, 10000);
  // B waits for its clients to leave after its handover event (at most
  // 2 s) and says whether they did: a page that did not follow the event
  // leaves only when B closes its socket at the end.
  const stopped = stopServer(nodes.b.server);
  await waitVideoFrom('a', 3, 10000);
  await stopped;
  assert.match(nodes.b.server.output(), /all clients left for another node/);
  assertNoProblems(page);
});

test('a hung node A (SIGSTOP): the page stops waiting for it and shows the wall from node B within a few seconds', async (t) => {
  nodes.b.server.cleanup();
  await startNode('b');
  await page.waitForFunction(() => document.body.dataset.nodes === 'a b', null, { timeout: 10000 });
  await waitVideoFrom('a', 3, 10000);
  const before = await shown();
  const stoppedAt = Date.now();
  // A hung node keeps its sockets open: only the page's ping finds it out.
  nodes.a.server.proc.kill('SIGSTOP');
  try {
    const back = await waitVideoFrom('b', 5, 10000);
    const seconds = (back.at - stoppedAt) / 1000;
    t.diagnostic(`moving video from node B ${seconds} s after node A hung`);
    // About 2 s here (0.5 s silent, 1 s for the ping's reply); without the
    // page's quick ping it would be 15-20 s.
    assert.ok(seconds < 5, `video back from node B after ${seconds} s`);
    assert.equal(back.version, before.version, 'the same wall version on node B');
  } finally {
    nodes.a.server.proc.kill('SIGCONT');
  }
  assertNoProblems(page);
});

test('without NATS quorum the console shows a banner saying changes are refused and why, the video goes on, and the banner goes when NATS is back', async () => {
  const console_ = await openPage(browser, `${nodes.b.server.url}/console`, { allow: [/WebSocket/, /ERR_CONNECTION_REFUSED/] });
  try {
    await waitConnected(console_);
    const banner = console_.locator('#cluster-banner');
    assert.equal(await banner.isHidden(), true, 'no banner while NATS takes changes');
    await nats.servers[1].stop();
    await nats.servers[2].stop();
    // A change from the console (clear the wall: click, confirm) fails with
    // `unavailable`; the banner names the server's reason.
    const until = Date.now() + 20000;
    let text = '';
    while (!/JetStream/.test(text) && Date.now() < until) {
      await console_.click('#clear-wall');
      await console_.click('#clear-wall');
      await sleep(500);
      text = (await banner.isVisible()) ? await banner.textContent() : '';
    }
    assert.match(text, /^Changes are refused: .*JetStream/);
    await waitVideoFrom('b', 5, 5000);
    for (const s of nats.servers.slice(1)) s.start();
    await Promise.all(nats.servers.slice(1).map((s) => s.ready(true)));
    await banner.waitFor({ state: 'hidden', timeout: 30000 });
    assertNoProblems(console_, page);
  } finally {
    await console_.context().close();
  }
});
