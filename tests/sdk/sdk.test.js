// The plugin SDK as a developer outside the tree gets it (issue 18):
// `cmake --install` of the build into a temporary prefix, then the hello
// widget (tests/sdk/hello, the public header only) built with pkg-config
// and, separately, with CMake's find_package(Pantau), each loaded into the
// installed server and seen publishing on a WebSocket client. The installed
// server also runs with no path flag at all: its config, plugins, pages and
// browser libraries come from the prefix.
// PANTAU_BUILD_DIR: the build to install (default build/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, Client } from '../lib/server.js';
import { startProgram, getStatus } from './run.js';

const buildDir = process.env.PANTAU_BUILD_DIR || join(repoRoot, 'build');
const helloSrc = join(repoRoot, 'tests', 'sdk', 'hello');
let work, prefix;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'pantau-sdk-'));
  prefix = join(work, 'prefix');
  execFileSync('cmake', ['--install', buildDir, '--prefix', prefix], { stdio: 'pipe' });
});
after(() => rmSync(work, { recursive: true, force: true }));

// A config that loads only the hello plugin, with one hello source.
function helloConfig(name) {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    server: { listen: '127.0.0.1', port: 0 },
    plugins: { load: ['hello'] },
    sources: [{ id: 'hi', type: 'hello', name: 'Hi', settings: { greeting: `hello from ${name}` } }],
    walls: [{ id: 'main', name: 'Main', displays: { columns: 1, rows: 1, width: 1920, height: 1080 },
      layout: { columns: 1, rows: 1, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'hi' }] } }],
  }));
  return file;
}

// Runs the installed pantau with args; resolves with the server (the caller
// stops it) and its first data for source. On failure the server is stopped.
async function dataOf(args, source) {
  const server = await startProgram(join(prefix, 'bin', 'pantau'),
    ['--state-dir', join(work, `state-${source}-${Date.now()}`), '--port', '0', ...args]);
  const client = new Client(`ws://127.0.0.1:${server.port}/ws`);
  try {
    await client.opened;
    const reply = await client.request('subscribe', { sources: [source] });
    assert.ok(reply.ok, JSON.stringify(reply));
    const ev = await client.waitFor((m) => m.ev === 'data' && m.source === source, 5000);
    return { server, data: ev.data };
  } catch (err) {
    await server.stop();
    throw err;
  } finally {
    client.ws.terminate();
  }
}

test('the install holds the server, its plugins, pages, widget kit, browser libraries, unit, config and SDK', () => {
  for (const rel of ['bin/pantau', 'include/pantau/plugin.h', 'lib/pkgconfig/pantau-plugin.pc',
    'lib/cmake/Pantau/PantauConfig.cmake', 'lib/cmake/Pantau/PantauConfigVersion.cmake',
    'lib/pantau/plugins/clock.so', 'lib/pantau/plugins/cctv.so', 'lib/pantau/plugins/clock/web/clock.js',
    'share/pantau/web/index.html', 'share/pantau/web/js/widget-kit.js', 'share/pantau/web/css/widget-kit.css',
    'share/pantau/vendor/uplot/dist/uPlot.esm.js', 'share/pantau/vendor/gridstack/dist/gridstack-all.js',
    'share/pantau/examples/demo/pantau.json', 'share/doc/pantau/copyright',
    'etc/pantau/pantau.json', 'lib/systemd/system/pantau.service']) {
    assert.ok(existsSync(join(prefix, rel)), `${rel} is installed`);
  }
  const unit = readFileSync(join(prefix, 'lib/systemd/system/pantau.service'), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=${prefix}/bin/pantau --config ${prefix}/etc/pantau/pantau.json --state-dir /var/lib/pantau$`, 'm'));
  assert.match(unit, /^DynamicUser=yes$/m);
  assert.match(unit, /^StateDirectory=pantau$/m);
  const config = JSON.parse(readFileSync(join(prefix, 'etc/pantau/pantau.json'), 'utf8'));
  assert.equal(config.server.listen, '127.0.0.1');
  // The unit's directives and its ExecStart (systemd itself is not needed).
  if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0) {
    const verify = execFileSync('systemd-analyze', ['verify', join(prefix, 'lib/systemd/system/pantau.service')],
      { stdio: 'pipe', encoding: 'utf8' });
    assert.equal(verify, '');
  }
});

test('the installed server needs no path flag: config, plugins, pages and libraries come from its prefix', async () => {
  // Files only the prefix has: the build and source trees have the same pages.
  writeFileSync(join(prefix, 'share/pantau/web/installed.txt'), 'web');
  writeFileSync(join(prefix, 'share/pantau/vendor/uplot/dist/installed.txt'), 'vendor');
  const { server, data } = await dataOf([], 'clock-local'); // only in the installed config
  try {
    assert.equal(data.timezone, 'Asia/Jakarta');
    await server.waitForOutput(new RegExp(`plugin 'clock' \\S+ loaded from ${prefix}/lib/pantau/plugins/clock.so`));
    const url = `http://127.0.0.1:${server.port}`;
    for (const path of ['/', '/static/js/widget-kit.js', '/plugins/clock/clock.js', '/vendor/uplot/uPlot.esm.js',
      '/vendor/gridstack/gridstack-all.js', '/static/installed.txt', '/vendor/uplot/installed.txt']) {
      assert.equal(await getStatus(url + path), 200, path);
    }
  } finally {
    await server.stop();
  }
});

test('hello built with pkg-config against the installed SDK loads and publishes', async () => {
  const env = { ...process.env, PKG_CONFIG_PATH: join(prefix, 'lib', 'pkgconfig') };
  const pkg = (...args) => execFileSync('pkg-config', [...args, 'pantau-plugin'], { env, encoding: 'utf8' }).trim();
  assert.equal(realpathSync(pkg('--variable=plugindir')), join(realpathSync(prefix), 'lib/pantau/plugins'));
  assert.match(pkg('--variable=abi_version'), /^\d+\.\d+$/);
  const dir = join(work, 'pc');
  mkdirSync(dir);
  execFileSync('sh', ['-c', `cc -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror $(pkg-config --cflags pantau-plugin) \
    hello.c -o ${dir}/hello.so $(pkg-config --libs pantau-plugin)`], { cwd: helloSrc, env, stdio: 'pipe' });
  const { server, data } = await dataOf(['--config', helloConfig('pkg-config'), '--plugin-dir', dir], 'hi');
  await server.stop();
  assert.equal(data.greeting, 'hello from pkg-config');
  assert.ok(data.count >= 1);
});

test('hello built with find_package(Pantau) loads, publishes and serves its web component', async () => {
  const build = join(work, 'cmake');
  execFileSync('cmake', ['-S', helloSrc, '-B', build, `-DCMAKE_PREFIX_PATH=${prefix}`], { stdio: 'pipe' });
  execFileSync('cmake', ['--build', build], { stdio: 'pipe' });
  const { server, data } = await dataOf(['--config', helloConfig('cmake'), '--plugin-dir', join(build, 'plugins')], 'hi');
  try {
    assert.equal(data.greeting, 'hello from cmake');
    assert.equal(await getStatus(`http://127.0.0.1:${server.port}/plugins/hello/hello.js`), 200);
  } finally {
    await server.stop();
  }
  // Its install goes where the installed server looks by default.
  execFileSync('cmake', ['--install', build], { stdio: 'pipe' });
  assert.ok(existsSync(join(prefix, 'lib/pantau/plugins/hello.so')));
  assert.ok(existsSync(join(prefix, 'lib/pantau/plugins/hello/web/hello.js')));
});
