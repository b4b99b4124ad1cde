// Issue 17, the first slice: two pantau nodes keep their walls in one NATS
// JetStream KV bucket (three nats-server processes as a cluster, replicas
// 3). A change on A reaches B's clients at the same version; a stale one on
// B meets `conflict`; a node that starts takes the state from the bucket;
// without quorum changes fail `unavailable` while the server keeps serving,
// and work again when NATS is back. Plus the config check and the refusal
// of a NATS server without JetStream. docs/cluster.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopServer, Client, testConfig, runPantau, pluginDirArgs, locate, diagnostics, expectError, authConfig, login, httpRequest, connectAs } from '../lib/harness.js';
import { startNatsCluster, stopNodesAndNats } from '../lib/nats.js';
import { startFeedServer } from '../lib/feed-server.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let nats;
let nodeA;
let nodeB;
let a;
let b;
const clients = [];
const servers = [];

function clusterConfig(urls, node) {
  return testConfig({ cluster: { nats: urls, node, bucket: 'pantau-test', replicas: 3, timeout_ms: 2000 } });
}

async function startNode(node) {
  const server = await startServer({ config: clusterConfig(nats.urls, node) });
  servers.push(server);
  return server;
}

async function connect(server) {
  const c = new Client(server.wsUrl);
  clients.push(c);
  await c.opened;
  await c.snapshot();
  return c;
}

// The wall 'main' as c knows it last: its snapshot, then its wall events.
function lastWall(c) {
  let w = c.messages.find((m) => m.ev === 'snapshot').walls.find((x) => x.id === 'main');
  for (const m of c.messages) if (m.ev === 'wall' && m.wall.id === 'main' && m.wall.version > w.version) w = m.wall;
  return w;
}

const waitWall = (c, version, timeoutMs = 5000) =>
  c.waitFor((m) => m.ev === 'wall' && m.wall.id === 'main' && m.wall.version === version, timeoutMs);

const setSource = (c, version, source) => c.request('tile.set_source', { wall: 'main', version, tile: 't2', source });

before(async () => {
  nats = await startNatsCluster(3);
  nodeA = await startNode('a');
  nodeB = await startNode('b');
  a = await connect(nodeA);
  b = await connect(nodeB);
});

after(async () => {
  for (const c of clients) c.close();
  await stopNodesAndNats(servers, nats);
});

test('a change on node A reaches a client of node B at the same version', async () => {
  const before = lastWall(a);
  assert.equal(lastWall(b).version, before.version, 'both nodes start from the bucket at one version');
  const reply = await setSource(a, before.version, 'clock-b');
  assert.deepEqual(reply.ok, { wall: 'main', version: before.version + 1 });
  const seen = await waitWall(b, before.version + 1);
  assert.equal(seen.wall.layout.tiles.find((t) => t.id === 't2').source, 'clock-b');
  await waitWall(a, before.version + 1);
});

test('a stale change on node B after one on node A gets conflict; of two racing, one wins', async () => {
  const v = lastWall(a).version;
  assert.ok((await setSource(a, v, 'clock-a')).ok);
  await waitWall(b, v + 1);
  const stale = await setSource(b, v, null);
  expectError(stale, 'conflict', 'version');
  assert.equal(stale.error.current, v + 1);
  // Both nodes on one version at once: the bucket's compare-and-set lets
  // one in. Several rounds: nats-server before 2.9.21 could take both of
  // two racing writes (docs/cluster.md), and one round may miss that.
  for (let round = 0, at = v + 1; round < 10; round++, at++) {
    const source = round % 2 ? 'clock-a' : 'clock-b';
    const [ra, rb] = await Promise.all([setSource(a, at, source), setSource(b, at, null)]);
    const winners = [ra, rb].filter((r) => r.ok);
    assert.equal(winners.length, 1, `round ${round}, one winner: ${JSON.stringify([ra, rb])}`);
    const lost = [ra, rb].find((r) => r.error);
    expectError(lost, 'conflict', 'version');
    assert.equal(lost.error.current, at + 1, 'the loser is told the version now');
    await waitWall(a, at + 1);
    await waitWall(b, at + 1);
    const won = ra.ok ? source : null;
    for (const c of [a, b]) assert.equal(lastWall(c).layout.tiles.find((t) => t.id === 't2').source, won);
  }
  await sleep(200);
  assert.equal(lastWall(a).version, v + 11, 'the losers made no version');
  assert.equal(lastWall(b).version, v + 11);
});

test('a node that starts takes the walls from the bucket', async () => {
  const want = lastWall(a);
  const nodeC = await startNode('c');
  const c = await connect(nodeC);
  assert.deepEqual(lastWall(c), want);
  c.close();
  await stopServer(nodeC);
});

test('without quorum changes fail with unavailable, the walls keep showing, a node stops at once, and it recovers', async () => {
  // A third node, stopped while NATS has no quorum.
  const nodeQ = await startNode('q');
  const q = await connect(nodeQ);
  await nats.servers[1].stop();
  await nats.servers[2].stop();
  let reply;
  const until = Date.now() + 20000;
  do {
    reply = await setSource(a, lastWall(a).version, 'clock-a');
  } while (!reply.error && Date.now() < until);
  expectError(reply, 'unavailable');
  assert.match(reply.error.message, /JetStream|NATS/);
  // Still serving: a snapshot has the wall as it was.
  const shown = lastWall(a);
  const snap = await a.request('snapshot');
  assert.equal(snap.ok.walls.find((w) => w.id === 'main').version, shown.version);
  expectError(await setSource(b, lastWall(b).version, null), 'unavailable');

  // The stop does not wait on NATS (each watch's and subscription's
  // consumer deleted, each waiting timeout_ms: 4.2 s on a quiet machine,
  // over 5 s under load). A heartbeat in flight may still take its
  // timeout_ms (2 s) once.
  q.close();
  const stopping = Date.now();
  await stopServer(nodeQ, 3500);
  console.log(`a node without NATS quorum stopped in ${Date.now() - stopping} ms`);

  for (const s of nats.servers.slice(1)) s.start();
  await Promise.all(nats.servers.slice(1).map((s) => s.ready(true)));
  const again = Date.now() + 30000;
  do {
    reply = await setSource(a, lastWall(a).version, 'clock-b');
    // An unavailable write may still have landed: then the version moved.
    if (reply.error && reply.error.code === 'conflict') await waitWall(a, reply.error.current);
    else if (reply.error) await sleep(250);
  } while (!reply.ok && Date.now() < again);
  assert.ok(reply.ok, `a change works again: ${JSON.stringify(reply)}`);
  await waitWall(b, reply.ok.version, 15000);
});

// Connects to server with cookie, retrying while the handshake is refused
// (the session travels through the bucket's watch); resolves with the
// client, or with the last refusal's status once timeoutMs passed.
async function connectWhile(t, server, cookie, refused, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { client } = await connectAs(t, server, { cookie });
      if (!refused || Date.now() >= until) return client;
      client.ws.terminate();
    } catch (err) {
      if (refused || Date.now() >= until) return err.status;
    }
    await sleep(100);
  }
}

// Two more nodes named names with config and a cluster section on bucket.
async function startPair(config, names, bucket) {
  const nodes = [];
  for (const node of names) {
    const s = await startServer({ config: { ...config, cluster: { nats: nats.urls, node, bucket, replicas: 3 } } });
    servers.push(s);
    nodes.push(s);
  }
  return nodes;
}

test('a login made on node A is valid on node B, and a logout on B ends it on A', async (t) => {
  const config = await authConfig({ users: [{ name: 'op', role: 'operator', password: 'op-password-1' }] });
  const [la, lb] = await startPair(config, ['la', 'lb'], 'pantau-auth');
  const made = await login(la, 'op', 'op-password-1');
  assert.equal(made.status, 200);
  const onB = await connectWhile(t, lb, made.cookie, false);
  assert.ok(onB instanceof Client, `the session of A opens a socket on B (got ${onB})`);
  const who = await onB.request('auth.whoami');
  assert.equal(who.ok.user, 'op');
  assert.equal(who.ok.role, 'operator');
  const { client: onA } = await connectAs(t, la, { cookie: made.cookie });
  assert.equal((await httpRequest(lb, 'POST', '/api/logout', { headers: { cookie: made.cookie } })).status, 200);
  // Generous: A hears of it through its watch of the bucket, which NATS
  // may still be rebuilding after the quorum test before (a fresh-clone
  // run on a loaded machine took over 5 s once).
  assert.equal(await connectWhile(t, la, made.cookie, true, 15000), 403, 'the session logged out on B is gone on A');
  const closed = await Promise.race([onA.closed, sleep(15000).then(() => null)]);
  assert.ok(closed, 'the socket opened on A with it closes');
});

test('the audit log is one replicated stream: audit.query on node B has a change on A and a login on B, in order', async (t) => {
  const config = await authConfig({ users: [
    { name: 'op', role: 'operator', password: 'op-password-1' },
    { name: 'adm', role: 'admin', password: 'adm-password-1' },
  ] });
  const [qa, qb] = await startPair(config, ['qa', 'qb'], 'pantau-audit');
  const opLogin = await login(qa, 'op', 'op-password-1');
  const { client: onA, snapshot } = await connectAs(t, qa, { cookie: opLogin.cookie });
  const version = snapshot.walls.find((w) => w.id === 'main').version;
  const changed = await onA.request('tile.set_source', { wall: 'main', version, tile: 't2', source: 'clock-b' });
  assert.ok(changed.ok, JSON.stringify(changed));
  const admLogin = await login(qb, 'adm', 'adm-password-1');
  const { client: onB } = await connectAs(t, qb, { cookie: admLogin.cookie });
  const found = await onB.request('audit.query', { limit: 10 });
  assert.ok(found.ok, JSON.stringify(found));
  const lines = found.ok.entries.map((e) => `${e.user} ${e.action} ${e.wall ?? ''} ${e.version_after ?? ''}`.trim());
  assert.deepEqual(lines, ['adm login', `op tile.set_source main ${version + 1}`, 'op login'], 'newest first, from both nodes');
  assert.equal(found.ok.more, false);
  const filtered = await onB.request('audit.query', { action: 'tile.set_source', limit: 1 });
  assert.deepEqual(filtered.ok.entries.map((e) => e.user), ['op']);
  assert.equal(filtered.ok.more, false);
  const onlyLogins = await onB.request('audit.query', { action: 'login', limit: 1 });
  assert.deepEqual(onlyLogins.ok.entries.map((e) => e.user), ['adm']);
  assert.equal(onlyLogins.ok.more, true, 'one more login line left out');
});

// The traffic feed's corridors, jammed ones at 5 km/h (as alarms.test.js).
const corridors = (...jammed) => ({
  corridors: ['A', 'B'].map((id) => ({ id, name: `Simpang ${id}`, count: 10, ...(jammed.includes(id) ? { speed: 5, level: 'macet' } : { speed: 50, level: 'lancar' }) })),
});

test('an alarm shown on node A reaches node B, and acknowledging it restores the wall on both', async (t) => {
  const feed = await startFeedServer();
  t.after(() => feed.close());
  feed.set('good', corridors());
  const base = testConfig();
  const config = (node) => ({
    ...base,
    plugins: { load: ['clock', 'traffic'] },
    sources: [...base.sources, { id: 'traffic-http', type: 'traffic', name: 'Traffic feed', settings: {
      feed: 'http', url: feed.url(), interval_s: 0.1, timeout_s: 0.5, jam_alert_s: 0, history_points: 3,
      mapping: { list: '/corridors', id: '/id', name: '/name', count: '/count', speed: '/speed', level: '/level' } } }],
    alarms: { debounce_s: 0.3, rules: [] },
    cluster: { nats: nats.urls, node, bucket: 'pantau-alarm', replicas: 3 },
  });
  const nodeX = await startServer({ config: config('x') });
  servers.push(nodeX);
  const nodeY = await startServer({ config: config('y') });
  servers.push(nodeY);
  const x = await connect(nodeX);
  const y = await connect(nodeY);
  const before = lastWall(x);
  feed.set('good', corridors('A'));
  const raised = await x.waitFor((m) => m.ev === 'alarm' && m.alarm.condition === 'traffic.jammed.A' && m.alarm.state === 'active', 5000);
  const shown = await x.request('alarm.show', { alarm: raised.alarm.id, wall: 'main', tile: 't2' });
  assert.equal(shown.ok.version, before.version + 1, JSON.stringify(shown));
  const onY = await waitWall(y, before.version + 1);
  assert.equal(onY.wall.layout.tiles.find((tile) => tile.id === 't2').source, 'traffic-http');
  assert.ok((await x.request('alarm.ack', { alarm: raised.alarm.id })).ok);
  const back = await waitWall(y, before.version + 2);
  assert.deepEqual(back.wall.layout, before.layout, 'the wall shows again what it showed before');
});

test('--check-config reports a bad cluster section at file:line:path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-cluster-config-'));
  try {
    const config = testConfig({ cluster: { nats: ['http://127.0.0.1:4222'], bucket: 'no spaces', replicas: 9, extra: 1, audit_stream: 'audit.stream', public_url: 'http://10.0.0.2:8080/wall' } });
    const text = JSON.stringify(config, null, 2);
    const file = join(dir, 'bad.json');
    writeFileSync(file, text);
    const result = await runPantau(['--check-config', file, ...pluginDirArgs()]);
    assert.equal(result.code, 2, result.output);
    const found = diagnostics(result.output);
    const at = (path) => {
      const d = found.find((x) => x.path === path);
      assert.ok(d, `a line for ${path} in:\n${result.output}`);
      assert.equal(d.file, file);
      return d;
    };
    assert.equal(at('cluster.nats[0]').line, locate(text, '"http://127.0.0.1:4222"').line);
    assert.match(at('cluster.nats[0]').message, /nats:\/\//);
    assert.equal(at('cluster.bucket').line, locate(text, '"no spaces"').line);
    assert.equal(at('cluster.replicas').line, locate(text, '"replicas"').line);
    assert.match(at('cluster').message, /'node' is required/);
    assert.equal(at('cluster.extra').line, locate(text, '"extra"').line);
    assert.equal(at('cluster.audit_stream').line, locate(text, '"audit.stream"').line);
    assert.equal(at('cluster.public_url').line, locate(text, '"http://10.0.0.2:8080/wall"').line);
    assert.match(at('cluster.public_url').message, /no path/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a NATS server without JetStream is refused at start with a clear message', async () => {
  const plain = await startNatsCluster(1, { jetstream: false });
  try {
    await assert.rejects(startServer({ config: clusterConfig(plain.urls, 'a') }), (err) => {
      assert.match(err.message, /pantau exited with 1/);
      assert.match(err.message, /has no JetStream/);
      assert.match(err.message, /-js/);
      return true;
    });
  } finally {
    await plain.stopAll();
    plain.cleanup();
  }
});
