// Issue 17, the nodes of a cluster (docs/cluster.md, "Nodes and failover"),
// at the protocol: one nats-server with JetStream and two pantau nodes with
// a cluster.public_url each. The snapshot lists both nodes (this one
// `self`), a socket whose Origin is the other node's public URL is taken
// while a foreign one is refused, and a node stopped with SIGTERM sends its
// clients `handover` naming the other node, which then lists itself alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, Client, testConfig } from '../lib/harness.js';
import { startNatsCluster, stopNodesAndNats } from '../lib/nats.js';
import { freePort } from '../lib/nut.js';

let nats;
const nodes = {}; // name -> server
const clients = [];

async function startNode(name, port) {
  const config = testConfig({
    cluster: { nats: nats.urls, node: name, bucket: 'pantau-nodes-test', public_url: `http://127.0.0.1:${port}` },
  });
  nodes[name] = await startServer({ config, port });
}

function connect(server, options) {
  const c = new Client(server.wsUrl, options);
  clients.push(c);
  return c;
}

const names = (cluster) => cluster.nodes.map((n) => `${n.name}${n.self ? '*' : ''} ${n.url}`);

before(async () => {
  nats = await startNatsCluster(1);
  await startNode('a', await freePort());
  await startNode('b', await freePort());
});

after(async () => {
  for (const c of clients) c.ws.terminate();
  await stopNodesAndNats(Object.values(nodes), nats);
});

test('the snapshot lists the live nodes with their public URLs, this one marked', async () => {
  const c = connect(nodes.a);
  await c.opened;
  const snap = await c.snapshot();
  const want = [`a* ${nodes.a.url}`, `b ${nodes.b.url}`];
  // B may have started after A's snapshot was made: then a nodes event follows.
  const cluster = names(snap.cluster).length === 2
    ? snap.cluster
    : (await c.waitFor((m) => m.ev === 'nodes' && m.cluster.nodes.length === 2)).cluster;
  assert.deepEqual(names(cluster), want);
  assert.equal(cluster.available, true);
});

test("a socket from another node's page is taken; one from a foreign origin is refused", async () => {
  const peer = connect(nodes.a, { origin: nodes.b.url });
  await peer.opened;
  assert.equal((await peer.snapshot()).ev, 'snapshot');
  for (const origin of ['http://evil.example', `http://127.0.0.1:${nodes.b.port + 1}`]) {
    const foreign = connect(nodes.a, { origin });
    await assert.rejects(foreign.opened, /403|Unexpected server response/, origin);
  }
});

test('SIGTERM: the clients get handover naming the other node before the socket closes, and the other node lists itself alone', async () => {
  const onA = connect(nodes.a);
  const onB = connect(nodes.b);
  await Promise.all([onA.opened, onB.opened]);
  await Promise.all([onA.snapshot(), onB.snapshot()]);
  // A client that follows the handover leaves at once (the others here do not).
  for (const c of clients) if (c !== onA && c !== onB) c.ws.terminate();
  onA.ws.on('message', (data, binary) => { if (!binary && JSON.parse(String(data)).ev === 'handover') onA.ws.close(); });
  const stopped = stopServer(nodes.a);
  const handover = await onA.waitFor((m) => m.ev === 'handover');
  assert.deepEqual(handover.node, { name: 'b', url: nodes.b.url });
  await stopped;
  assert.match(nodes.a.output(), /all clients left for another node/);
  const alone = await onB.waitFor((m) => m.ev === 'nodes' && m.cluster.nodes.length === 1, 5000);
  assert.deepEqual(names(alone.cluster), [`b* ${nodes.b.url}`]);
});
