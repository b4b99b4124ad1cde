// Plugins across ABI versions and live reload (issue 18), on one server:
// - abi10.so, built against the frozen ABI 1.0 header (tests/abi/), loads
//   and publishes to a WebSocket client;
// - reloadme.so is replaced by a new version, then SIGHUP: the client that
//   watches it sees the new version's data without reconnecting, the other
//   sources are untouched (a simulated camera's stream goes on: no new
//   stream, its frames keep coming); the old version's leftover timer is
//   removed (or the server would crash on its next tick); a source of a
//   type only the new version offers comes to life;
// - a broken new version (an undefined symbol) is refused by plugin.reload
//   with the reason, and so is one of another ABI major (SIGHUP); the
//   running version goes on publishing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer, stopServer, Client, testConfig, pantauBin } from '../lib/harness.js';
import { builtPluginDir } from '../lib/plugins.js';

const abiDir = join(dirname(dirname(pantauBin)), 'tests', 'abi', 'plugins');
let dir, server, client;

// Installs version (v1, v2, broken) as reloadme.so the way an installer
// would: a new file renamed over the old one.
function install(version) {
  copyFileSync(join(abiDir, `reloadme_${version}.so`), join(dir, 'reloadme.so.new'));
  renameSync(join(dir, 'reloadme.so.new'), join(dir, 'reloadme.so'));
}

// The next data message of source id whose data matches pred.
function nextData(id, pred, timeoutMs = 5000) {
  const start = client.messages.length;
  return client.waitFor((m) => m.ev === 'data' && m.source === id && client.messages.indexOf(m) >= start && pred(m.data), timeoutMs);
}

// Resolves when the server's output matches re (its log lines come on a
// pipe, maybe after the reply they go with); fails after 5 s.
async function logged(re) {
  for (const start = Date.now(); !re.test(server.output());) {
    if (Date.now() - start > 5000) assert.fail(`no log line ${re} in:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pantau-abi-'));
  symlinkSync(join(builtPluginDir, 'clock.so'), join(dir, 'clock.so'));
  if (existsSync(join(builtPluginDir, 'clock'))) symlinkSync(join(builtPluginDir, 'clock'), join(dir, 'clock'));
  symlinkSync(join(abiDir, 'abi10.so'), join(dir, 'abi10.so'));
  symlinkSync(join(builtPluginDir, 'cctv.so'), join(dir, 'cctv.so'));
  install('v1');
  const config = testConfig({ plugins: { load: ['clock', 'cctv', 'abi10', 'reloadme'] } });
  config.sources.push({ id: 'old-abi', type: 'abi10', name: 'ABI 1.0' },
    { id: 'rl', type: 'reloadme', name: 'Reloaded' },
    { id: 'rl2', type: 'reloadme2', name: 'Offered by version 2 only' },
    { id: 'cam-t', type: 'test', name: 'Camera', settings: { width: 320, height: 180, fps: 15 } });
  server = await startServer({ config, pluginDir: dir });
  client = new Client(server.wsUrl);
  await client.opened;
  await client.snapshot();
  const sub = await client.request('subscribe', { sources: ['old-abi', 'rl', 'rl2', 'clock-a', { id: 'cam-t', stream: 'main' }] });
  assert.ok(sub.ok, JSON.stringify(sub));
});

after(async () => {
  client?.close();
  try {
    if (server) await stopServer(server); // exit 0: no crash, no leak under ASan
  } finally {
    server?.cleanup();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a plugin built against ABI 1.0 loads and publishes', async () => {
  const msg = await nextData('old-abi', (d) => d.abi === '1.0');
  assert.equal(msg.data.greeting, 'hello', 'its defaults() were merged');
  await logged(/plugin 'abi10' 1\.0\.0 loaded/);
  const later = await nextData('old-abi', (d) => d.n > msg.data.n);
  assert.ok(later.data.n > msg.data.n);
});

// The camera's frames (binary messages of its stream id) received so far.
const cameraFrames = (stream) => client.messages.filter((m) => m.binary && m.binary.readUInt32LE(4) === stream).length;

async function moreFrames(stream, count) {
  for (const start = Date.now(); cameraFrames(stream) < count;) {
    if (Date.now() - start > 10000) assert.fail(`only ${cameraFrames(stream)} of ${count} frames of the camera`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a replaced plugin is reloaded on SIGHUP; its viewer sees the new version, others untouched', async () => {
  await nextData('rl', (d) => d.version === '1');
  const media = await client.waitFor((m) => m.ev === 'media' && m.source === 'cam-t', 10000);
  await moreFrames(media.stream, 3);
  const mediaEvents = client.messages.filter((m) => m.ev === 'media').length;
  const sourcesBefore = client.messages.filter((m) => m.ev === 'source').length;
  install('v2');
  server.proc.kill('SIGHUP');
  await nextData('rl', (d) => d.version === '2');
  // The leftover timer of v1 was removed with it: the server lives on.
  await nextData('rl', (d) => d.version === '2' && d.n > 3);
  assert.equal(server.proc.exitCode, null, server.output());
  const changed = client.messages.filter((m) => m.ev === 'source').slice(sourcesBefore).map((m) => m.source.id);
  assert.deepEqual(changed.sort(), ['rl', 'rl2'], 'only the reloaded plugin\'s sources changed');
  // A source of a type no plugin offered comes to life with the version that offers it.
  await nextData('rl2', (d) => d.version === '2');
  await nextData('clock-a', () => true, 3000);
  // The camera's stream went on: the same stream, more frames, no new media event.
  await moreFrames(media.stream, cameraFrames(media.stream) + 5);
  assert.equal(client.messages.filter((m) => m.ev === 'media').length, mediaEvents, 'no stream was restarted');
  await nextData('old-abi', () => true);
  await logged(/plugin 'reloadme' 2 reloaded/);
  assert.equal((await client.request('ping')).ok !== undefined, true, 'the same connection still answers');
});

test('a broken new version is refused with the reason; the old one keeps running', async () => {
  install('broken');
  const reply = await client.request('plugin.reload', { plugin: 'reloadme' });
  assert.ok(reply.error, JSON.stringify(reply));
  assert.equal(reply.error.field, 'plugin');
  assert.match(reply.error.message, /reloadme\.so: undefined symbol: reloadme_no_such_function/, 'names the file replaced');
  await logged(/plugin 'reloadme' not reloaded: .*keeps running/);
  await nextData('rl', (d) => d.version === '2');
  // Another ABI major, through SIGHUP: refused too, said in the log.
  install('abi2');
  server.proc.kill('SIGHUP');
  await logged(/plugin 'reloadme' not reloaded: it was built for ABI 2\.0.*major differs/);
  await nextData('rl', (d) => d.version === '2');
  const unknown = await client.request('plugin.reload', { plugin: 'nope' });
  assert.equal(unknown.error.field, 'plugin');
  // And a good one again through the op.
  install('v1');
  const ok = await client.request('plugin.reload', { plugin: 'reloadme' });
  assert.equal(ok.ok?.version, '1', JSON.stringify(ok));
  await nextData('rl', (d) => d.version === '1');
  // The reload is audited (a refusal changes nothing and is not).
  const audit = readFileSync(join(server.stateDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((l) => l.action === 'plugin.reload');
  assert.deepEqual(audit.map((l) => l.ok), [true], JSON.stringify(audit));
});
