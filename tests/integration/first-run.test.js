// The first run (`make run` on config/pantau.json, issue 13): a Dumai
// Command Centre wall on Riau's time (WIB), presets for keys 1-9 seeded
// into the empty state directory (and only there), and a simulated traffic
// incident that raises an alarm and clears it again. The incident period
// is shortened through the traffic source's own settings so the test stays
// fast; everything else is the shipped file. (A widget runs while a
// client watches it, as the wall's pages do.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverFor, connect, testConfig, runPantau, pluginDirArgs, diagnostics } from '../lib/harness.js';
import { repoRoot } from '../lib/server.js';
import { subscribe } from '../lib/feed-server.js';

const shipped = () => JSON.parse(readFileSync(join(repoRoot, 'config', 'pantau.json'), 'utf8'));

test('the default config is a Dumai Command Centre on WIB with presets seeded on the first run only', async (t) => {
  const config = shipped();
  delete config.alarms; // nothing takes the wall over meanwhile
  const server = await serverFor(t, { config, keep: true });
  const { client, snapshot } = await connect(t, server);
  const wall = snapshot.walls.find((w) => w.id === 'main');
  assert.match(wall.name, /Dumai/);
  const clock = snapshot.sources.find((s) => s.id === 'clock-wib');
  assert.equal(clock.settings.timezone, 'Asia/Jakarta');
  assert.match(clock.name, /Dumai/);
  const names = snapshot.presets.map((p) => p.name);
  assert.deepEqual(names, config.presets.map((p) => p.name), 'every configured preset, in order');
  assert.ok(names.length >= 3 && names.length <= 9, 'a few presets for keys 1-9');
  for (const p of snapshot.presets) assert.ok(p.layout.tiles.length > 0, `preset ${p.name} shows something`);

  // Recalling one puts its layout on the wall.
  const first = snapshot.presets[1];
  const recalled = await client.request('preset.recall', { wall: 'main', preset: first.id, version: wall.version });
  assert.ok(recalled.ok, JSON.stringify(recalled));

  // A preset deleted by an operator stays deleted over a restart.
  const deleted = await client.request('preset.delete', { preset: snapshot.presets[0].id });
  assert.ok(deleted.ok, JSON.stringify(deleted));
  client.ws.terminate();
  const again = await serverFor(t, { config, stateDir: server.stateDir });
  const { snapshot: after } = await connect(t, again);
  assert.deepEqual(after.presets.map((p) => p.name), names.slice(1));
});

test('a simulated traffic jam raises an alarm that clears by itself', async (t) => {
  const config = shipped();
  const traffic = config.sources.find((s) => s.type === 'traffic');
  // Jammed only below 1 km/h: the simulation's own rush hours never get
  // there, a simulated incident (a third of that) does.
  Object.assign(traffic.settings, {
    interval_s: 1, jam_alert_s: 1, incident_every_s: 8, incident_s: 4, levels: { dense_below_kmh: 2, jammed_below_kmh: 1 },
  });
  const server = await serverFor(t, { config });
  const { client } = await connect(t, server);
  await subscribe(client, [traffic.id]); // as a wall showing it does
  const jam = (m) => m.ev === 'alarm' && m.alarm.source === traffic.id && /^traffic\.jammed\./.test(m.alarm.condition);
  const raisedBefore = (m) => client.messages.some((r) => jam(r) && r.alarm.id === m.alarm.id && r.alarm.state === 'active');
  const cleared = await client.waitFor((m) => jam(m) && m.alarm.state === 'cleared' && raisedBefore(m), 30000);
  assert.equal(cleared.alarm.severity, 'warning');
  const corridor = cleared.alarm.condition.replace('traffic.jammed.', '');
  // One corridor after the other, from the start of each period.
  const period = Math.floor(cleared.alarm.time / 8000);
  assert.equal(corridor, traffic.settings.corridors[period % traffic.settings.corridors.length].id);
  assert.ok(cleared.alarm.time - period * 8000 < 4000, 'raised during the incident');
});

test('--check-config: an incident period under a second is refused at its path, not divided by', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-incident-'));
  try {
    const cfg = testConfig();
    cfg.plugins = { load: ['clock', 'traffic'] };
    cfg.sources.push({ id: 'jam', type: 'traffic', name: 'Jam', settings: {
      feed: 'simulated', incident_every_s: 0.0005, incident_s: 0.0001 } });
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify(cfg, null, 1));
    const result = await runPantau(['--check-config', file, ...pluginDirArgs()]);
    assert.equal(result.code, 2, result.output);
    const found = diagnostics(result.output);
    assert.equal(found.length, 1, result.output);
    assert.match(found[0].message, /incident_every_s must be 0 \(never\) or between 1 and 604800/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
