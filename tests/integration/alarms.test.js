// Alarms with the real server: a traffic feed (a local HTTP peer) whose
// corridors jam on demand raises real plugin events; the config's rules take
// the wall over; acknowledge, clear and expiry give it back; an operator's
// change meanwhile is left alone; priorities; the core's own alarms (feed
// stale, camera offline); the alarm operations and their errors; the
// config check of the "alarms" section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  serverFor, connect, testConfig, currentWall, expectError, runPantau, pluginDirArgs, diagnostics, locate, sleep,
} from '../lib/harness.js';
import { startFeedServer } from '../lib/feed-server.js';

const ORIGINAL = testConfig().walls[0].layout;

// Rules: jams of A (low), B (high), C (for a second, on one tile).
const RULES = [
  { id: 'jam-a', match: { source: 'traffic-http', condition: 'traffic.jammed.A' },
    action: { wall: 'main', show: 'clock-b' }, until: 'ack', priority: 1 },
  { id: 'jam-b', match: { condition: 'traffic.jammed.B', severity_at_least: 'warning' },
    action: { wall: 'main', show: 'clock-a', tile: 't3' }, until: 'ack', priority: 9 },
  { id: 'jam-c', match: { condition: 'traffic.jammed.C' },
    action: { wall: 'main', show: 'clock-b', tile: 't2' }, until: 1, priority: 5 },
];

function config({ rules = RULES, extraSources = [], plugins = ['clock', 'traffic'] } = {}, feedUrl) {
  const base = testConfig();
  return {
    ...base,
    plugins: { load: plugins },
    sources: [...base.sources, {
      id: 'traffic-http', type: 'traffic', name: 'Traffic feed',
      settings: {
        feed: 'http', url: feedUrl, interval_s: 0.1, timeout_s: 0.5, jam_alert_s: 0, history_points: 3,
        mapping: { list: '/corridors', id: '/id', name: '/name', count: '/count', speed: '/speed', level: '/level' },
      },
    }, ...extraSources],
    alarms: { debounce_s: 0.3, rules },
  };
}

// The feed's corridors: jammed ones at 5 km/h, the rest free.
function corridors(...jammed) {
  return {
    corridors: ['A', 'B', 'C'].map((id) => ({
      id, name: `Simpang ${id}`, count: 10, ...(jammed.includes(id) ? { speed: 5, level: 'macet' } : { speed: 50, level: 'lancar' }),
    })),
  };
}

// A server with the rules, a feed with nothing jammed, and a client.
async function setup(t, options = {}) {
  const feed = await startFeedServer();
  t.after(() => feed.close());
  feed.set('good', corridors());
  const server = await serverFor(t, { config: config(options, feed.url()) });
  const { client, snapshot } = await connect(t, server);
  return { feed, server, client, snapshot };
}

const isAlarm = (pred) => (m) => m.ev === 'alarm' && pred(m.alarm);
const alarmOf = (condition, state) => isAlarm((a) => a.condition === condition && (!state || a.state === state));

// Awaits a message; a timeout names what was awaited and the last messages.
function waitFor(client, pred, timeoutMs, what) {
  return client.waitFor(pred, timeoutMs).catch(() => {
    const recent = client.messages.filter((m) => m.ev !== 'data').slice(-6).map((m) => JSON.stringify(m).slice(0, 240));
    throw new Error(`timed out waiting for ${what}; recent:\n${recent.join('\n')}`);
  });
}

function waitAlarm(client, condition, state, timeoutMs = 5000) {
  return waitFor(client, alarmOf(condition, state), timeoutMs, `alarm ${condition} ${state}`).then((m) => m.alarm);
}

// The first `wall` event after message index `from` matching pred.
function nextWall(client, pred, from, timeoutMs = 5000) {
  return waitFor(client, (m) => m.ev === 'wall' && client.messages.indexOf(m) >= from && pred(m.wall), timeoutMs,
    `a wall event: ${pred}`).then((m) => m.wall);
}

const sources = (wall) => wall.layout.tiles.map((t) => t.source);
const isFullScreen = (source) => (wall) => wall.layout.tiles.length === 1 && wall.layout.tiles[0].source === source;
const isOriginal = (wall) => JSON.stringify(wall.layout) === JSON.stringify(ORIGINAL);

async function ok(client, op, fields) {
  const reply = await client.request(op, fields);
  assert.ok(reply.ok, `${op}: ${JSON.stringify(reply)}`);
  return reply.ok;
}

test('a jam raises an alarm, its rule takes the wall over, acknowledge restores it', async (t) => {
  const { feed, client, snapshot } = await setup(t);
  assert.deepEqual(snapshot.alarms, [], 'no alarms at the start');
  const v0 = snapshot.walls[0].version;
  const from = client.messages.length;
  feed.set('good', corridors('A'));
  const alarm = await waitAlarm(client, 'traffic.jammed.A', 'active');
  assert.equal(alarm.severity, 'warning');
  assert.equal(alarm.source, 'traffic-http');
  assert.match(alarm.message, /Simpang A/);
  assert.equal(alarm.count, 1);
  const taken = await nextWall(client, isFullScreen('clock-b'), from);
  assert.equal(taken.version, v0 + 1);
  const shown = await client.waitFor(alarmOf('traffic.jammed.A', 'active')); // the event carries shown_on
  assert.deepEqual(client.messages.filter(alarmOf('traffic.jammed.A')).at(-1).alarm.shown_on, ['main'], JSON.stringify(shown));

  const acked = await ok(client, 'alarm.ack', { alarm: alarm.id });
  assert.equal(acked.alarm.state, 'acknowledged');
  assert.equal(acked.alarm.acked_by, 'local');
  const back = await nextWall(client, isOriginal, from);
  assert.equal(back.version, v0 + 2);
  assert.deepEqual(back.layout, ORIGINAL);

  // The condition ends: the alarm clears; the list keeps it.
  feed.set('good', corridors());
  const cleared = await waitAlarm(client, 'traffic.jammed.A', 'cleared');
  assert.ok(cleared.cleared_time >= cleared.time);
  const { alarms } = await ok(client, 'alarm.list');
  assert.deepEqual(alarms.map((a) => [a.id, a.state]), [[alarm.id, 'cleared']]);
  assert.equal((await currentWall(client)).version, v0 + 2, 'nothing else changed the wall');
});

test('clearing ends a takeover too, and a new client gets the alarms in its snapshot', async (t) => {
  const { feed, server, client } = await setup(t);
  const from = client.messages.length;
  feed.set('good', corridors('A'));
  await nextWall(client, isFullScreen('clock-b'), from);
  const { snapshot } = await connect(t, server);
  assert.equal(snapshot.alarms.length, 1);
  assert.equal(snapshot.alarms[0].state, 'active');
  assert.deepEqual(snapshot.alarms[0].shown_on, ['main']);
  feed.set('good', corridors());
  await waitAlarm(client, 'traffic.jammed.A', 'cleared');
  await nextWall(client, isOriginal, from);
});

test('until: seconds - the wall goes back by itself; the alarm stays active', async (t) => {
  const { feed, client } = await setup(t);
  const from = client.messages.length;
  feed.set('good', corridors('C'));
  const taken = await nextWall(client, (w) => sources(w).join() === 'clock-a,clock-b,', from);
  const started = Date.now();
  const back = await nextWall(client, isOriginal, from, 4000);
  const took = Date.now() - started;
  assert.ok(took > 700 && took < 2500, `restored after ${took} ms (until: 1 s)`);
  assert.equal(back.version, taken.version + 1);
  const alarm = await waitFor(client, isAlarm((a) => a.condition === 'traffic.jammed.C' && !a.shown_on.length),
    2000, 'the alarm off the wall').then((m) => m.alarm);
  assert.equal(alarm.state, 'active');
});

test('an operator who changes the wall meanwhile keeps it: no restore', async (t) => {
  const { feed, client } = await setup(t);
  const from = client.messages.length;
  feed.set('good', corridors('A'));
  const alarm = await waitAlarm(client, 'traffic.jammed.A', 'active');
  const taken = await nextWall(client, isFullScreen('clock-b'), from);
  const mine = { columns: 1, rows: 2, tiles: [{ id: 'op1', x: 0, y: 0, w: 1, h: 2, source: 'clock-a' }] };
  const changed = await ok(client, 'layout.apply', { wall: 'main', version: taken.version, layout: mine });
  await ok(client, 'alarm.ack', { alarm: alarm.id });
  await ok(client, 'ping');
  const wall = await currentWall(client);
  assert.equal(wall.version, changed.version, 'no change after the acknowledge');
  assert.deepEqual(sources(wall), ['clock-a']);
  const later = client.messages.slice(from).filter((m) => m.ev === 'wall' && m.wall.version > changed.version);
  assert.deepEqual(later, []);
});

test('two alarms: the higher priority shows, the lower waits, then the original returns', async (t) => {
  const { feed, client, snapshot } = await setup(t);
  const v0 = snapshot.walls[0].version;
  let from = client.messages.length;
  feed.set('good', corridors('B'));
  const high = await waitAlarm(client, 'traffic.jammed.B', 'active');
  const taken = await nextWall(client, (w) => sources(w).join() === 'clock-a,,clock-a', from);
  assert.equal(taken.version, v0 + 1);

  // The lower one comes while the higher one is on the wall: it waits.
  feed.set('good', corridors('A', 'B'));
  const low = await waitAlarm(client, 'traffic.jammed.A', 'active');
  await ok(client, 'ping');
  assert.equal((await currentWall(client)).version, v0 + 1, 'the lower alarm did not touch the wall');

  from = client.messages.length;
  await ok(client, 'alarm.ack', { alarm: high.id });
  const lowShown = await nextWall(client, isFullScreen('clock-b'), from);
  assert.equal(lowShown.version, v0 + 2, 'straight to the waiting alarm, no restore in between');
  await ok(client, 'alarm.ack', { alarm: low.id });
  const back = await nextWall(client, isOriginal, from);
  assert.equal(back.version, v0 + 3);
  const walls = client.messages.slice(from).filter((m) => m.ev === 'wall');
  assert.equal(walls.length, 2, 'one change per step: nothing flickers');
});

test('alarm.show: an operator shows an alarm\'s source on a tile until acknowledged', async (t) => {
  const { feed, client } = await setup(t, { rules: [] });
  const from = client.messages.length;
  feed.set('good', corridors('A'));
  const alarm = await waitAlarm(client, 'traffic.jammed.A', 'active');
  await ok(client, 'ping');
  assert.equal(client.messages.slice(from).filter((m) => m.ev === 'wall').length, 0, 'no rule: the wall stays');
  const before = await currentWall(client);
  const shown = await ok(client, 'alarm.show', { alarm: alarm.id, wall: 'main', tile: 't2' });
  assert.equal(shown.version, before.version + 1);
  assert.deepEqual(shown.alarm.shown_on, ['main']);
  const wall = await nextWall(client, (w) => w.version === shown.version, from);
  assert.deepEqual(sources(wall), ['clock-a', 'traffic-http', null]);
  await ok(client, 'alarm.ack', { alarm: alarm.id });
  await nextWall(client, isOriginal, from);
});

test('bad alarm requests get their errors and change nothing', async (t) => {
  const { feed, client } = await setup(t, { rules: [] });
  feed.set('good', corridors('A'));
  const alarm = await waitAlarm(client, 'traffic.jammed.A', 'active');
  const before = await currentWall(client);
  expectError(await client.request('alarm.ack', {}), 'bad_request', 'alarm');
  expectError(await client.request('alarm.ack', { alarm: 7 }), 'bad_request', 'alarm');
  expectError(await client.request('alarm.ack', { alarm: 'a9999' }), 'not_found', 'alarm');
  expectError(await client.request('alarm.show', { alarm: 'a9999', wall: 'main' }), 'not_found', 'alarm');
  expectError(await client.request('alarm.show', { alarm: alarm.id }), 'bad_request', 'wall');
  expectError(await client.request('alarm.show', { alarm: alarm.id, wall: 'side' }), 'not_found', 'wall');
  expectError(await client.request('alarm.show', { alarm: alarm.id, wall: 'main', tile: 'nope' }), 'not_found', 'tile');
  expectError(await client.request('alarm.show', { alarm: alarm.id, wall: 'main', tile: 3 }), 'bad_request', 'tile');
  feed.set('good', corridors());
  await waitAlarm(client, 'traffic.jammed.A', 'cleared');
  expectError(await client.request('alarm.show', { alarm: alarm.id, wall: 'main' }), 'bad_request', 'alarm');
  const again = await ok(client, 'alarm.ack', { alarm: alarm.id });
  assert.equal(again.alarm.state, 'cleared', 'acknowledging a cleared alarm changes nothing');
  assert.deepEqual(await currentWall(client), before);
});

test('the core raises "feed stale" after the debounce and clears it on recovery', async (t) => {
  const { feed, client, snapshot } = await setup(t, { rules: [
    { id: 'stale', match: { condition: 'core.*' }, action: { wall: 'main', show: 'clock-b', tile: 't2' } },
  ] });
  // Live first: until its first data the source is down (reconnecting)
  // and the debounce runs from the start.
  const isFeed = (m) => m.ev === 'source' && m.source.id === 'traffic-http';
  if (snapshot.sources.find((s) => s.id === 'traffic-http').status !== 'live') {
    await waitFor(client, (m) => isFeed(m) && m.source.status === 'live', 5000, 'the feed live');
  }
  const from = client.messages.length;
  const failedAt = Date.now();
  feed.set('500');
  const stale = await waitFor(client, (m) => isFeed(m) && m.source.status === 'stale', 5000, 'the feed stale');
  const alarm = await waitAlarm(client, 'core.feed_stale', 'active');
  // By the server's clock (this machine's): the source cannot go down
  // before the feed fails. When this process reads the events does not
  // matter (on a loaded machine it read the status late and saw the alarm
  // "early").
  const afterMs = alarm.time - failedAt;
  assert.ok(afterMs >= 295, `raised ${afterMs} ms after the feed failed: not after the 300 ms debounce`);
  assert.equal(alarm.severity, 'warning');
  assert.match(alarm.message, /^Traffic feed: feed stale \(stale: feed returned HTTP 500/);
  assert.ok(stale);
  await nextWall(client, (w) => sources(w)[1] === 'clock-b', from);
  feed.set('good', corridors());
  await waitAlarm(client, 'core.feed_stale', 'cleared');
  await nextWall(client, isOriginal, from);
});

test('a camera that does not answer raises "camera offline"', async (t) => {
  const { client } = await setup(t, {
    plugins: ['clock', 'traffic', 'cctv'],
    rules: [],
    extraSources: [{ id: 'cam-gone', type: 'rtsp', name: 'Gone', settings: { url: 'rtsp://127.0.0.1:9/none' } }],
  });
  await ok(client, 'subscribe', { sources: ['cam-gone'] });
  const alarm = await waitAlarm(client, 'core.camera_offline', 'active', 15000);
  assert.equal(alarm.source, 'cam-gone');
  assert.match(alarm.message, /^Gone: camera offline/);
});

test('--check-config: alarm rules naming an unknown wall or source fail at their exact path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-alarms-'));
  try {
    const cfg = config({ rules: [
      { id: 'ok', match: { condition: 'x.*' }, action: { wall: 'main', show: 'clock-a' } },
      { id: 'bad', match: { source: 'nowhere' }, action: { wall: 'ghost-wall', show: 'clock-a' }, until: 'later' },
    ] }, 'http://127.0.0.1:1/feed');
    const text = JSON.stringify(cfg, null, 1);
    const file = join(dir, 'site.json');
    writeFileSync(file, text);
    const result = await runPantau(['--check-config', file, ...pluginDirArgs()]);
    assert.equal(result.code, 2, result.output);
    const found = diagnostics(result.output);
    assert.deepEqual(found.map((d) => d.path), [
      'alarms.rules[1].match.source', 'alarms.rules[1].action.wall', 'alarms.rules[1].until',
    ], result.output);
    const wallAt = locate(text, '"ghost-wall"');
    assert.deepEqual([found[1].line, found[1].col], [wallAt.line, wallAt.col]);
    assert.match(found[1].message, /no wall 'ghost-wall'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wall taken over when the server dies goes back when it starts again', async (t) => {
  const { feed, server, client, snapshot } = await setup(t);
  const v0 = snapshot.walls[0].version;
  const from = client.messages.length;
  feed.set('good', corridors('A'));
  await waitAlarm(client, 'traffic.jammed.A', 'active');
  await nextWall(client, isFullScreen('clock-b'), from);
  // Clients see a change at once; the writer thread writes it (wall, then
  // takeover file) right after: the kill comes once both are on disk.
  for (const deadline = Date.now() + 5000; !existsSync(join(server.stateDir, 'alarms', 'takeover-main.json'));) {
    assert.ok(Date.now() < deadline, 'the takeover is kept on disk');
    await sleep(20);
  }
  await server.kill9();
  // The jam is over by the time the server is back: no alarm takes it again.
  feed.set('good', corridors());
  const again = await serverFor(t, { config: config({}, feed.url()), stateDir: server.stateDir });
  const { snapshot: after } = await connect(t, again);
  const wall = after.walls.find((w) => w.id === 'main');
  assert.deepEqual(wall.layout, ORIGINAL, 'what it showed before the alarm');
  assert.equal(wall.version, v0 + 2, 'one change back, after the takeover');
  assert.match(again.output(), /taken over by an alarm when the server stopped/);
});

test('after a restart, a taken-over wall that an operator changed is left alone', async (t) => {
  const { feed, server, client, snapshot } = await setup(t);
  const from = client.messages.length;
  feed.set('good', corridors('A'));
  const taken = await nextWall(client, isFullScreen('clock-b'), from);
  await ok(client, 'wall.clear', { wall: 'main', version: taken.version });
  await server.kill9();
  feed.set('good', corridors());
  const again = await serverFor(t, { config: config({}, feed.url()), stateDir: server.stateDir });
  const { snapshot: after } = await connect(t, again);
  const wall = after.walls.find((w) => w.id === 'main');
  assert.equal(wall.version, taken.version + 1, 'the operator\'s change stands');
  assert.ok(wall.layout.tiles.every((tile) => tile.source === null));
  assert.ok(snapshot.walls[0].version < wall.version);
});

test('alarm.ack needs the right to change every wall the alarm has taken over', async (t) => {
  const { authConfig, login, connectAs } = await import('../lib/harness.js');
  const feed = await startFeedServer();
  t.after(() => feed.close());
  feed.set('good', corridors());
  const rules = [{ id: 'jam-a-other', match: { condition: 'traffic.jammed.A' },
    action: { wall: 'other', show: 'clock-b' }, until: 'ack', priority: 1 }];
  const base = config({ rules }, feed.url());
  const withAuth = await authConfig({
    users: [{ name: 'admin', role: 'admin', password: 'admin-pass-123' },
      { name: 'op', role: 'operator', password: 'op-pass-1234', walls: ['main'] }],
  });
  const server = await serverFor(t, { config: { ...base, walls: withAuth.walls, auth: withAuth.auth } });
  const { client: op } = await connectAs(t, server, { cookie: (await login(server, 'op', 'op-pass-1234')).cookie });
  const { client: admin } = await connectAs(t, server, { cookie: (await login(server, 'admin', 'admin-pass-123')).cookie });
  feed.set('good', corridors('A'));
  const alarm = await waitAlarm(admin, 'traffic.jammed.A', 'active');
  const taken = await waitFor(admin, (m) => m.ev === 'wall' && m.wall.id === 'other'
    && m.wall.layout.tiles.some((tile) => tile.source === 'clock-b'), 5000, 'the takeover of wall other');
  expectError(await op.request('alarm.ack', { alarm: alarm.id }), 'forbidden', 'wall');
  const still = (await admin.request('snapshot')).ok.walls.find((w) => w.id === 'other');
  assert.equal(still.version, taken.wall.version, 'the refused ack gave nothing back');
  assert.ok((await admin.request('alarm.ack', { alarm: alarm.id })).ok, 'the admin may');
});
