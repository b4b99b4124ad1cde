// Issue 17, the rest of the shared state: presets, sources added at
// runtime, the live step of presentations and alarm state live in the
// cluster's NATS JetStream bucket (three nats-server processes as one
// cluster, replicas 3, two pantau nodes). A change on node A reaches a
// client of node B, and a node that starts again (with an empty state
// directory) takes it from the bucket. docs/cluster.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopServer, testConfig, expectError } from '../lib/harness.js';
import { startNatsCluster, clusterNodes } from '../lib/nats.js';
import { startFeedServer } from '../lib/feed-server.js';

let nats;
let nodes;
let feed;
let nodeA;
let nodeB;
let a;
let b;

const layoutA = { columns: 1, rows: 1, tiles: [{ id: 'a', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }] };
const layoutB = { columns: 2, rows: 1, tiles: [
  { id: 'l', x: 0, y: 0, w: 1, h: 1, source: 'clock-b' }, { id: 'r', x: 1, y: 0, w: 1, h: 1, source: 'clock-a' }] };
const presentations = [{
  id: 'demo', name: 'Demo',
  steps: [{ layout: layoutA, caption: 'One' }, { layout: layoutB, caption: 'Two' }, { layout: layoutA, caption: 'Three' }],
}, {
  id: 'timed', name: 'Timed',
  steps: [{ layout: layoutB, caption: 'First', dwell_s: 1 }, { layout: layoutA, caption: 'Second' }],
}];

// The traffic feed's corridors, jammed ones at 5 km/h (as alarms.test.js).
const corridors = (...jammed) => ({
  corridors: ['A', 'B'].map((id) => ({ id, name: `Simpang ${id}`, count: 10, ...(jammed.includes(id) ? { speed: 5, level: 'macet' } : { speed: 50, level: 'lancar' }) })),
});

// Node a alone runs a traffic feed, whose jams are alarms.
function clusterConfig(urls, node) {
  const base = testConfig();
  const traffic = { id: 'traffic-a', type: 'traffic', name: 'Traffic feed', settings: {
    feed: 'http', url: feed.url(), interval_s: 0.1, timeout_s: 0.5, jam_alert_s: 0, history_points: 3,
    mapping: { list: '/corridors', id: '/id', name: '/name', count: '/count', speed: '/speed', level: '/level' } } };
  return testConfig({
    presentations,
    plugins: { load: ['clock', 'traffic'] },
    sources: node === 'a' ? [...base.sources, traffic] : base.sources,
    alarms: { debounce_s: 0.3, rules: [] },
    cluster: { nats: urls, node, bucket: 'pantau-state', replicas: 3, timeout_ms: 2000 },
  });
}

const startNode = (node) => nodes.start(clusterConfig(nats.urls, node));
const connect = (server) => nodes.connect(server);

// Polls fn (async) until it returns a truthy value; fails after timeoutMs.
async function until(what, fn, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const snapshotOf = async (c) => (await c.request('snapshot')).ok;
const presetNamed = async (c, name) => (await snapshotOf(c)).presets.find((p) => p.name === name);

before(async () => {
  feed = await startFeedServer();
  feed.set('good', corridors());
  nats = await startNatsCluster(3);
  nodes = clusterNodes(nats);
  nodeA = await startNode('a');
  nodeB = await startNode('b');
  a = await connect(nodeA);
  b = await connect(nodeB);
});

after(async () => {
  try {
    if (nodes) await nodes.stop();
  } finally {
    if (feed) await feed.close();
  }
});

test('a preset saved, renamed and deleted on node A is seen by a client of node B', async () => {
  const saved = await a.request('preset.save', { wall: 'main', name: 'Banjir' });
  assert.ok(saved.ok, JSON.stringify(saved));
  const id = saved.ok.preset.id;
  const ev = await b.waitFor((m) => m.ev === 'preset' && m.preset.id === id);
  assert.equal(ev.preset.name, 'Banjir');
  assert.deepEqual(ev.preset.layout, saved.ok.preset.layout);

  const renamed = await a.request('preset.rename', { preset: id, name: 'Banjir Jakarta' });
  assert.ok(renamed.ok, JSON.stringify(renamed));
  await b.waitFor((m) => m.ev === 'preset' && m.preset.id === id && m.preset.name === 'Banjir Jakarta');

  // B saves one more: A sees it, and its id is not one A already used.
  const other = await b.request('preset.save', { wall: 'main', name: 'Malam' });
  assert.ok(other.ok, JSON.stringify(other));
  assert.notEqual(other.ok.preset.id, id);
  await a.waitFor((m) => m.ev === 'preset' && m.preset.id === other.ok.preset.id);

  const deleted = await a.request('preset.delete', { preset: other.ok.preset.id });
  assert.ok(deleted.ok, JSON.stringify(deleted));
  await b.waitFor((m) => m.ev === 'preset.deleted' && m.preset === other.ok.preset.id);
  assert.equal(await presetNamed(b, 'Malam'), undefined);
});

test('a preset change based on what another node changed first gets conflict', async () => {
  // Both nodes overwrite one preset at once: the bucket takes one write per
  // revision, so at most one of the two based on the same revision wins and
  // both nodes end with the same preset.
  const base = await a.request('preset.save', { wall: 'main', name: 'Race' });
  const id = base.ok.preset.id;
  await b.waitFor((m) => m.ev === 'preset' && m.preset.id === id);
  const [ra, rb] = await Promise.all([
    a.request('preset.rename', { preset: id, name: 'Race A' }),
    b.request('preset.rename', { preset: id, name: 'Race B' }),
  ]);
  const failed = [ra, rb].filter((r) => r.error);
  for (const r of failed) expectError(r, 'conflict');
  assert.ok(failed.length <= 1, JSON.stringify([ra, rb]));
  await until('both nodes show the same name', async () => {
    const [pa, pb] = [(await snapshotOf(a)).presets.find((p) => p.id === id), (await snapshotOf(b)).presets.find((p) => p.id === id)];
    return pa.name === pb.name && pa.name;
  });
});

const sourceOf = async (c, id) => (await snapshotOf(c)).sources.find((s) => s.id === id);

test('a source added, changed and removed on node A is applied on node B', async () => {
  const added = await a.request('source.add', { source: { id: 'clock-c', type: 'clock', name: 'Clock C', settings: { timezone: 'Asia/Makassar', label: 'WITA' } } });
  assert.ok(added.ok, JSON.stringify(added));
  const ev = await b.waitFor((m) => m.ev === 'source' && m.source.id === 'clock-c');
  assert.equal(ev.source.name, 'Clock C');
  // B runs it: its clock publishes data to B's subscribers.
  assert.ok((await b.request('subscribe', { sources: ['clock-c'] })).ok);
  await b.waitFor((m) => m.ev === 'data' && m.source === 'clock-c');

  const updated = await a.request('source.update', { source: { id: 'clock-c', name: 'Jam Makassar' } });
  assert.ok(updated.ok, JSON.stringify(updated));
  await b.waitFor((m) => m.ev === 'source' && m.source.id === 'clock-c' && m.source.name === 'Jam Makassar');

  // A source of the config, removed on A, goes on B too.
  const removed = await a.request('source.remove', { source: 'clock-b' });
  assert.ok(removed.ok, JSON.stringify(removed));
  await b.waitFor((m) => m.ev === 'source.removed' && m.source === 'clock-b');
  assert.equal(await sourceOf(b, 'clock-b'), undefined);
});

const isStep = (wall, id, step) => (m) => m.ev === 'presentation' && m.wall === wall && m.state?.id === id && m.state.step === step;
const wallOf = async (c) => (await snapshotOf(c)).walls.find((w) => w.id === 'main');

test('the live step of a presentation moved on node A shows on node B, and its dwell moves it on for both', async () => {
  const start = await a.request('presentation.start', { presentation: 'demo', wall: 'main' });
  assert.ok(start.ok, JSON.stringify(start));
  const ev = await b.waitFor(isStep('main', 'demo', 0));
  assert.equal(ev.state.caption, 'One');
  const next = await a.request('presentation.next', { wall: 'main' });
  assert.equal(next.ok.state.step, 1);
  await b.waitFor(isStep('main', 'demo', 1));
  const stepped = await wallOf(a);
  await until('B shows the step on its wall', async () => (await wallOf(b)).version === stepped.version);
  assert.deepEqual((await wallOf(b)).layout, stepped.layout);
  // B's presenter sees the run and moves it on: A follows.
  const listed = await b.request('presentation.list');
  assert.equal(listed.ok.running.find((r) => r.wall === 'main')?.step, 1);
  const earlier = new Set(a.messages);
  const back = await b.request('presentation.prev', { wall: 'main' });
  assert.ok(back.ok, JSON.stringify(back));
  await a.waitFor((m) => !earlier.has(m) && isStep('main', 'demo', 0)(m));
  const backed = await wallOf(b);
  await until('A shows the step on its wall', async () => (await wallOf(a)).version === backed.version);

  // A step with a dwell: A moves it on and B shows it.
  const timed = await a.request('presentation.start', { presentation: 'timed', wall: 'main' });
  assert.ok(timed.ok, JSON.stringify(timed));
  await b.waitFor(isStep('main', 'timed', 1), 15000);
  // Both nodes show the second step (one tile) at one version. On a busy
  // machine B may have taken the step itself (a grace after the dwell)
  // before A's came: of their two writes the store took one.
  await until('both nodes show the second step at one version', async () => {
    const [wa, wb] = [await wallOf(a), await wallOf(b)];
    return wa.version === wb.version && wa.layout.tiles.length === 1 && wb.layout.tiles.length === 1;
  }, 15000);

  assert.ok((await a.request('presentation.start', { presentation: 'demo', wall: 'main', step: 2 })).ok);
  await b.waitFor(isStep('main', 'demo', 2));
});

const isJamOf = (corridor, state) => (m) => m.ev === 'alarm' && m.alarm.source === 'traffic-a' && m.alarm.condition === `traffic.jammed.${corridor}` && m.alarm.state === state;
const isJam = (state) => isJamOf('A', state);

test('an alarm raised on node A opens on node B, and its acknowledgement on B is seen on A', async () => {
  feed.set('good', corridors('A'));
  const onA = await a.waitFor(isJam('active'), 5000);
  const onB = await b.waitFor(isJam('active'), 5000);
  assert.equal(onB.alarm.message, onA.alarm.message);
  assert.equal(onB.alarm.severity, onA.alarm.severity);
  assert.ok((await b.request('alarm.ack', { alarm: onB.alarm.id })).ok);
  const acked = await a.waitFor(isJam('acknowledged'), 5000);
  assert.equal(acked.alarm.id, onA.alarm.id);
  assert.equal(acked.alarm.acked_by, (await b.waitFor(isJam('acknowledged'))).alarm.acked_by);
});

// Next to last: node B dies while it drives a presentation, and starts
// again with an empty state directory.
test('a run whose node died goes on from another; a node that starts again takes the shared state from the bucket', async () => {
  const earlier = new Set(a.messages);
  const started = await b.request('presentation.start', { presentation: 'timed', wall: 'main' });
  assert.ok(started.ok, JSON.stringify(started));
  await a.waitFor((m) => !earlier.has(m) && isStep('main', 'timed', 0)(m));
  await nodeB.kill9(); // before the step's 1 s dwell ends
  // A moves it on, a grace (2 s) after the dwell: B cannot have.
  const moved = await a.waitFor((m) => !earlier.has(m) && isStep('main', 'timed', 1)(m), 8000);
  assert.ok(moved.state.step_started - started.ok.state.step_started >= 2500, JSON.stringify(moved.state));
  nodeB = await startNode('b');
  b = await connect(nodeB);
  const p = await until('the preset reaches the new node B', () => presetNamed(b, 'Banjir Jakarta'));
  assert.ok(p.id);
  assert.equal(await presetNamed(b, 'Malam'), undefined, 'a deleted preset stays deleted');
  await until('the added source reaches the new node B', async () => (await sourceOf(b, 'clock-c'))?.name === 'Jam Makassar');
  await until('the removed source stays removed on node B', async () => !(await sourceOf(b, 'clock-b')));
  const running = await until('the presentation runs on the new node B', async () =>
    (await snapshotOf(b)).presentations.running.find((r) => r.wall === 'main'));
  assert.equal(running.id, 'timed');
  assert.equal(running.step, 1);
  const alarm = await until('the acknowledged alarm is on the new node B', async () =>
    (await snapshotOf(b)).alarms.find((x) => x.source === 'traffic-a' && x.condition === 'traffic.jammed.A'));
  assert.equal(alarm.state, 'acknowledged');
});

// The names of the clients connected to NATS server i.
async function connectedTo(i) {
  const r = await fetch(`http://127.0.0.1:${nats.servers[i].monitorPort}/connz`).then((x) => x.json()).catch(() => null);
  return (r?.connections || []).map((c) => c.name);
}

// Last: two NATS servers stay down.
test('without JetStream quorum an event raised on node A still opens its alarm on node B', async () => {
  // Two of three NATS servers gone: the bucket takes nothing, but the
  // event travels on its core NATS subject through the one left.
  await nats.servers[1].stop();
  await nats.servers[2].stop();
  await until('both nodes are connected to the NATS server left', async () => {
    const names = await connectedTo(0);
    return names.includes('a') && names.includes('b');
  }, 10000);
  feed.set('good', corridors('A', 'B'));
  await a.waitFor(isJamOf('B', 'active'), 5000);
  await b.waitFor(isJamOf('B', 'active'), 5000);
  // The quorum back before the nodes stop, so that they delete their
  // keys (a stop without it is tested in cluster.test.js).
  for (const s of nats.servers.slice(1)) s.start();
  await Promise.all(nats.servers.slice(1).map((s) => s.ready(true)));
});
