// Steering cameras (issue 15, docs/cameras.md "Steering cameras (PTZ)"):
// camera.ptz over a real WebSocket to the real server, whose cctv plugin
// speaks ONVIF to the real test device (pantau-test-onvif, with digest
// auth) of a camera streaming from pantau-test-rtsp. The device's GET
// /state shows what the camera did: its position, and counts of every
// command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  serverFor, connect, authConfig, login, connectAs, expectError, testConfig, sleep, runPantau, pluginDirArgs,
} from '../lib/harness.js';
import { startRtsp, closedPort } from '../lib/rtsp.js';
import { startOnvif, waitForState } from '../lib/onvif.js';

const SECRET = 'cam-Secret-7f3a';
const USERS = [
  { name: 'vera', role: 'viewer', password: 'vera-password-1' },
  { name: 'otto', role: 'operator', password: 'otto-password-1' },
  { name: 'olaf', role: 'operator', password: 'olaf-password-1', walls: ['other'] },
  { name: 'ada', role: 'admin', password: 'ada-password-1' },
  { name: 'rina', role: 'operator', password: 'rina-password-1' },
];

// A camera 'ptzcam' on wall main (tile t2) with ONVIF PTZ. Options: users
// (login on), password (what pantau is configured with).
async function ptzServer(t, { users, password = SECRET } = {}) {
  const rtsp = await startRtsp({ mounts: { '/main': 'test:320x180@15' } });
  t.after(() => rtsp.stop());
  const device = await startOnvif({ user: 'operator1', password: SECRET, mainUri: rtsp.url('/main') });
  t.after(() => device.stop());
  const config = users ? await authConfig({ users }) : testConfig();
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({
    id: 'ptzcam', type: 'rtsp', name: 'PTZ camera',
    settings: { url: rtsp.url('/main'), username: 'operator1', password, onvif: { url: device.url } },
  });
  config.walls[0].layout.tiles[1].source = 'ptzcam';
  const server = await serverFor(t, { config });
  return { server, device };
}

// Waits until the camera's PTZ abilities are published (the source's data).
async function ptzAbilities(client, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await client.request('snapshot');
    const ptz = snap.ok.data.ptzcam?.data?.ptz;
    if (ptz) return ptz;
    if (Date.now() > deadline) throw new Error('no PTZ abilities published');
    await sleep(100);
  }
}

const ptz = (client, action, args, extra = {}) =>
  client.request('camera.ptz', { wall: 'main', source: 'ptzcam', action, ...(args ? { args } : {}), ...extra });

async function as(t, server, name) {
  const user = USERS.find((u) => u.name === name);
  const res = await login(server, user.name, user.password);
  assert.equal(res.status, 200, res.body);
  return (await connectAs(t, server, { cookie: res.cookie })).client;
}

test('a move turns the camera and a stop stops it; the abilities are published', async (t) => {
  const { server, device } = await ptzServer(t);
  const { client } = await connect(t, server);
  const abilities = await ptzAbilities(client);
  assert.deepEqual(abilities, { available: true, continuous: true, relative: true, zoom: true, max_presets: abilities.max_presets });
  const moved = await ptz(client, 'ptz.move', { pan: 0.5, tilt: -0.25 });
  assert.ok(moved.ok, JSON.stringify(moved));
  const moving = await waitForState(device, (s) => s.moving && s.pan > 0.1 && s.tilt < -0.05, 10000, 'panning');
  assert.equal(moving.velocity.pan, 0.5);
  const stopped = await ptz(client, 'ptz.stop');
  assert.ok(stopped.ok, JSON.stringify(stopped));
  const still = await waitForState(device, (s) => !s.moving, 5000, 'stopped');
  await sleep(300);
  const later = await device.state();
  assert.equal(later.pan, still.pan, 'the camera stays where it stopped');
  assert.equal(later.stops, 1);
  // A relative move (click to centre).
  const rel = await ptz(client, 'ptz.relative', { pan: -0.1, tilt: 0.1, zoom: 0.2 });
  assert.ok(rel.ok, JSON.stringify(rel));
  assert.equal((await device.state()).relative_moves, 1);
});

test('viewers, operators without the wall, and a wall that does not show the camera are refused', async (t) => {
  const { server, device } = await ptzServer(t, { users: USERS });
  const vera = await as(t, server, 'vera');
  const olaf = await as(t, server, 'olaf');
  const otto = await as(t, server, 'otto');
  await ptzAbilities(otto);
  expectError(await ptz(vera, 'ptz.move', { pan: 1 }), 'forbidden');
  expectError(await ptz(olaf, 'ptz.move', { pan: 1 }), 'forbidden');
  // olaf's own wall does not show the camera.
  expectError(await ptz(olaf, 'ptz.move', { pan: 1 }, { wall: 'other' }), 'forbidden', 'source');
  await sleep(200);
  const s = await device.state();
  assert.equal(s.continuous_moves, 0, 'no refused move reached the camera');
  assert.equal(s.moving, false);
  // The operator with rights may.
  const ok = await ptz(otto, 'ptz.move', { zoom: 0.5 });
  assert.ok(ok.ok, JSON.stringify(ok));
  await ptz(otto, 'ptz.stop');
});

test('two operators: the one steering holds the camera while moving and a few seconds after; the other gets busy naming them; an admin takes over', async (t) => {
  const { server, device } = await ptzServer(t, { users: USERS });
  const otto = await as(t, server, 'otto');
  const rina = await as(t, server, 'rina');
  const ada = await as(t, server, 'ada');
  await ptzAbilities(otto);
  assert.ok((await ptz(otto, 'ptz.move', { pan: 0.5 })).ok);
  await waitForState(device, (s) => s.moving, 5000, 'moving');
  // rina's console learns who steers it; otto's that it is its own.
  const held = await rina.waitFor((m) => m.ev === 'ptz.held' && m.source === 'ptzcam' && m.by === 'otto');
  assert.equal(held.you, undefined);
  assert.ok(await otto.waitFor((m) => m.ev === 'ptz.held' && m.by === 'otto' && m.you === true));
  // A console that connects now learns it from its snapshot.
  const late = await as(t, server, 'vera');
  assert.deepEqual((await late.request('snapshot')).ok.ptz_held, { ptzcam: 'otto' });
  // Her move and her stop are refused, naming him; the camera keeps his move.
  for (const [action, args] of [['ptz.move', { pan: -1 }], ['ptz.stop'], ['ptz.goto', { preset: '1' }]]) {
    const busy = await ptz(rina, action, args);
    expectError(busy, 'busy', 'source');
    assert.match(busy.error.message, /steered by otto/);
  }
  let s = await device.state();
  assert.equal(s.continuous_moves, 1);
  assert.equal(s.stops, 0);
  assert.equal(s.moving, true);
  // He lets go: still his for a few seconds, then free.
  assert.ok((await ptz(otto, 'ptz.stop')).ok);
  const releasedAt = Date.now();
  expectError(await ptz(rina, 'ptz.move', { pan: -1 }), 'busy', 'source');
  await rina.waitFor((m) => m.ev === 'ptz.held' && m.source === 'ptzcam' && m.by === null, 15000);
  assert.ok(Date.now() - releasedAt >= 3000, 'held a few seconds after the stop');
  assert.ok((await ptz(rina, 'ptz.move', { pan: -0.5 })).ok, 'free again');
  await waitForState(device, (st) => st.moving && st.velocity.pan === -0.5, 5000, 'rina steers');
  // An admin takes over at once; rina is then refused, naming the admin.
  assert.ok((await ptz(ada, 'ptz.move', { tilt: 0.5 })).ok);
  const taken = await ptz(rina, 'ptz.stop');
  expectError(taken, 'busy', 'source');
  assert.match(taken.error.message, /steered by ada/);
  assert.ok((await ptz(ada, 'ptz.stop')).ok);
  s = await waitForState(device, (st) => !st.moving, 5000, 'stopped');
  assert.equal(s.continuous_moves, 3);
});

test('a client that drops its socket mid-move makes the camera stop', async (t) => {
  const { server, device } = await ptzServer(t);
  const { client } = await connect(t, server);
  await ptzAbilities(client);
  assert.ok((await ptz(client, 'ptz.move', { pan: -0.5 })).ok);
  await waitForState(device, (s) => s.moving, 5000, 'moving');
  client.ws.terminate();
  const s = await waitForState(device, (st) => !st.moving && st.stops >= 1, 5000, 'stopped after the drop');
  assert.equal(s.stops, 1);
  // Its moves timed out after 10 s at the latest anyway; the stop came at once.
  assert.ok(s.last_stop_ms - s.last_move_ms < 5000, JSON.stringify(s));
  // The server keeps running.
  const other = (await connect(t, server)).client;
  assert.ok((await other.request('ping')).ok);
});

test('a client that closes after stopping sends no extra stop', async (t) => {
  const { server, device } = await ptzServer(t);
  const { client } = await connect(t, server);
  await ptzAbilities(client);
  assert.ok((await ptz(client, 'ptz.move', { pan: 0.3 })).ok);
  assert.ok((await ptz(client, 'ptz.stop')).ok);
  await client.close();
  await sleep(500);
  assert.equal((await device.state()).stops, 1);
});

test('presets: save (audited), list, go to; moves are not audited', async (t) => {
  const { server, device } = await ptzServer(t);
  const { client } = await connect(t, server);
  await ptzAbilities(client);
  assert.ok((await ptz(client, 'ptz.move', { pan: 0.5 })).ok);
  await sleep(300);
  assert.ok((await ptz(client, 'ptz.stop')).ok);
  const saved = await ptz(client, 'ptz.save', { name: 'Gate 3' });
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.equal(typeof saved.ok.preset, 'string');
  const list = await ptz(client, 'ptz.presets');
  assert.ok(list.ok.presets.some((p) => p.token === saved.ok.preset && p.name === 'Gate 3'), JSON.stringify(list));
  const went = await ptz(client, 'ptz.goto', { preset: saved.ok.preset });
  assert.ok(went.ok, JSON.stringify(went));
  const s = await device.state();
  assert.equal(s.set_presets, 1);
  assert.equal(s.goto_presets, 1);
  const path = join(server.stateDir, 'audit.jsonl');
  assert.ok(existsSync(path));
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const saves = lines.filter((l) => l.action === 'camera.ptz.save');
  assert.equal(saves.length, 1, JSON.stringify(lines));
  assert.equal(saves[0].wall, 'main');
  assert.equal(saves[0].source, 'ptzcam', 'the line names the camera (issue 15)');
  assert.equal(saves[0].ok, true);
  assert.ok(!lines.some((l) => /ptz/.test(l.action) && l.action !== 'camera.ptz.save'), 'moves, lists and gotos are not audited');
});

test('a bad action or args gets a clear error naming the field and reaches nothing', async (t) => {
  const { server, device } = await ptzServer(t);
  const { client } = await connect(t, server);
  await ptzAbilities(client);
  const before = (await device.state()).requests;
  expectError(await ptz(client, 'ptz.fly'), 'bad_request', 'action');
  expectError(await ptz(client, 'ptz.move', { pan: 5 }), 'bad_request', 'args.pan');
  expectError(await ptz(client, 'ptz.move', { tilt: 'up' }), 'bad_request', 'args.tilt');
  expectError(await ptz(client, 'ptz.move', 'left'), 'bad_request', 'args');
  expectError(await ptz(client, 'ptz.goto', {}), 'bad_request', 'args.preset');
  expectError(await ptz(client, 'ptz.save', { name: 'x'.repeat(65) }), 'bad_request', 'args.name');
  expectError(await client.request('camera.ptz', { wall: 'main', action: 'ptz.stop' }), 'bad_request', 'source');
  expectError(await client.request('camera.ptz', { wall: 'main', source: 'nope', action: 'ptz.stop' }), 'not_found', 'source');
  expectError(await client.request('camera.ptz', { wall: 'main', source: 'clock-a', action: 'ptz.stop' }), 'bad_request', 'source');
  expectError(await client.request('camera.ptz', { source: 'ptzcam', action: 'ptz.stop' }), 'bad_request', 'wall');
  assert.equal((await device.state()).requests, before, 'nothing reached the camera');
  assert.ok((await client.request('ping')).ok, 'the server keeps running');
});

test('the camera password never reaches a client, also when the camera refuses it', async (t) => {
  const wrong = 'Wrong-pass-9c1e';
  const { server, device } = await ptzServer(t, { password: wrong });
  const { client } = await connect(t, server);
  const abilities = await ptzAbilities(client);
  assert.equal(abilities.available, false);
  assert.match(abilities.reason, /username|password|refused/i);
  const reply = await ptz(client, 'ptz.move', { pan: 0.5 });
  expectError(reply, 'device');
  assert.equal((await device.state()).moving, false);
  // A save the camera could not take is refused, and leaves no audit line.
  expectError(await ptz(client, 'ptz.save', { name: 'Never' }), 'device');
  const audit = join(server.stateDir, 'audit.jsonl');
  const text = existsSync(audit) ? readFileSync(audit, 'utf8') : '';
  assert.ok(!text.includes('camera.ptz.save'), text);
  const all = JSON.stringify(client.messages) + JSON.stringify(await client.request('snapshot'));
  for (const secret of [wrong, SECRET]) assert.ok(!all.includes(secret), `'${secret}' reached the client`);
  assert.ok(!server.output().includes(wrong), 'the password is not logged');
});

test('a camera down when the server starts becomes steerable once it answers', async (t) => {
  const rtsp = await startRtsp({ mounts: { '/main': 'test:320x180@15' } });
  t.after(() => rtsp.stop());
  const port = await closedPort();
  const config = testConfig();
  config.plugins = { load: ['clock', 'cctv'] };
  config.sources.push({
    id: 'ptzcam', type: 'rtsp', name: 'PTZ camera',
    settings: { url: rtsp.url('/main'), username: 'operator1', password: SECRET, onvif: { host: '127.0.0.1', port } },
  });
  config.walls[0].layout.tiles[1].source = 'ptzcam';
  const server = await serverFor(t, { config });
  const { client } = await connect(t, server);
  const down = await ptzAbilities(client);
  assert.equal(down.available, false);
  assert.match(down.reason, /127\.0\.0\.1/);
  expectError(await ptz(client, 'ptz.move', { pan: 0.5 }), 'device');
  const device = await startOnvif({ port, user: 'operator1', password: SECRET, mainUri: rtsp.url('/main') });
  t.after(() => device.stop());
  // Asked again by itself after 2 s, then 4, 8, … up to every 30 s (the
  // console's controls are disabled meanwhile, so nothing else would ask).
  const deadline = Date.now() + 45000;
  while (!(await ptzAbilities(client)).available) {
    assert.ok(Date.now() < deadline, 'not steerable 45 s after the camera came up');
    await sleep(500);
  }
  assert.ok((await ptz(client, 'ptz.move', { pan: 0.5 })).ok);
  await waitForState(device, (s) => s.moving, 5000, 'moving');
  assert.ok((await ptz(client, 'ptz.stop')).ok);
});

test('--check-config refuses a bad onvif setting, naming it, without the password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-ptz-'));
  const cases = [
    [{ url: 'ftp://10.0.0.1/onvif' }, /onvif\.url must be an http/],
    [{ url: `http://admin:${SECRET}@10.0.0.1/onvif/device_service` }, /onvif\.url must name a host, without user or password/],
    [{ host: '10.0.0.1', port: 70000 }, /onvif\.port must be an integer from 1 to 65535/],
    [{}, /onvif needs url or host/],
    ['10.0.0.1', /onvif must be an object/],
  ];
  for (const [onvif, message] of cases) {
    const config = testConfig();
    config.plugins = { load: ['clock', 'cctv'] };
    config.sources.push({ id: 'cam', type: 'rtsp', settings: { url: 'rtsp://10.0.0.1/main', password: SECRET, onvif } });
    const file = join(dir, 'pantau.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    const res = await runPantau(['--check-config', file, ...pluginDirArgs()]);
    assert.equal(res.code, 2, res.output);
    assert.match(res.output, /pantau\.json:\d+:\d+: sources\[2\]\.settings: /);
    assert.match(res.output, message);
    assert.ok(!res.output.includes(SECRET), res.output);
  }
});
