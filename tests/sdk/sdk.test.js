// The plugin SDK as a developer outside the tree gets it (issue 18):
// `cmake --install` of the build into a temporary prefix, then
// - the hello widget (tests/sdk/hello, the public header only) built with
//   pkg-config and, separately, with CMake's find_package(Pantau);
// - a copy of plugins/example built by its own CMakeLists.txt with
//   find_package(Pantau) and, separately, with pkg-config, its unit tests
//   run on the installed libpantau-testhost;
// each loaded into the installed server and seen publishing on a WebSocket
// client; and the installed `pantau plugin new` (its template from the
// prefix) writing a plugin that builds against the prefix, passes its
// generated test and passes the core's settings check. The installed
// server also runs with no path flag at all: its config, plugins, pages and
// browser libraries come from the prefix.
// PANTAU_BUILD_DIR: the build to install (default build/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, Client } from '../lib/server.js';
import { startProgram, getStatus } from './run.js';

const buildDir = process.env.PANTAU_BUILD_DIR || join(repoRoot, 'build');
const helloSrc = join(repoRoot, 'tests', 'sdk', 'hello');
const exampleSrc = join(repoRoot, 'plugins', 'example');
let work, prefix;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'pantau-sdk-'));
  prefix = join(work, 'prefix');
  execFileSync('cmake', ['--install', buildDir, '--prefix', prefix], { stdio: 'pipe' });
});
after(() => rmSync(work, { recursive: true, force: true }));

// A config that loads only the hello plugin, with one hello source.
function helloConfig(name) {
  return pluginConfig(name, 'hello', { id: 'hi', type: 'hello', name: 'Hi', settings: { greeting: `hello from ${name}` } });
}

// A config file `name`.json that loads only plugin, with source on the wall.
function pluginConfig(name, plugin, source) {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    server: { listen: '127.0.0.1', port: 0 },
    plugins: { load: [plugin] },
    sources: [source],
    walls: [{ id: 'main', name: 'Main', displays: { columns: 1, rows: 1, width: 1920, height: 1080 },
      layout: { columns: 1, rows: 1, tiles: [{ id: 't1', x: 0, y: 0, w: 1, h: 1, source: source.id }] } }],
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
    'etc/pantau/pantau.json', 'lib/systemd/system/pantau.service',
    'include/pantau/testhost.h', 'include/pantau/testhost_check.h', 'lib/libpantau-testhost.so', 'lib/pkgconfig/pantau-testhost.pc',
    'share/pantau/plugin-template/example.c', 'share/pantau/plugin-template/tests/test_example.c']) {
    assert.ok(existsSync(join(prefix, rel)), `${rel} is installed`);
  }
  // The example is the template a developer starts from, not a bundled plugin.
  assert.ok(!existsSync(join(prefix, 'lib/pantau/plugins/example.so')), 'example.so is not installed');
  assert.ok(!existsSync(join(prefix, 'lib/pantau/plugins/example')), 'example/web is not installed');
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

// Builds the plugin folder src (copied to work/name) out of tree against the
// installed prefix with its own CMakeLists.txt, through the CMake package
// ('cmake') or pkg-config ('pkg-config') only, with -Werror; runs its ctest.
// Returns { dir, build, cache, ctest }.
function buildAgainstPrefix(src, name, how) {
  const dir = join(work, name);
  cpSync(src, dir, { recursive: true, filter: (f) => !/\/build[^/]*$/.test(f) });
  const build = join(dir, 'build');
  const env = how === 'cmake'
    ? { ...process.env, PKG_CONFIG_PATH: '/nonexistent' }
    : { ...process.env, PKG_CONFIG_PATH: join(prefix, 'lib', 'pkgconfig') };
  const args = how === 'cmake' ? [`-DCMAKE_PREFIX_PATH=${prefix}`] : ['-DCMAKE_DISABLE_FIND_PACKAGE_Pantau=ON'];
  const run = (cmd, argv) => {
    const r = spawnSync(cmd, argv, { env, encoding: 'utf8' });
    assert.equal(r.status, 0, `${cmd} ${argv.join(' ')}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  run('cmake', ['-S', dir, '-B', build, '-DCMAKE_C_FLAGS=-Werror', ...args]);
  run('cmake', ['--build', build]);
  const ctest = run('ctest', ['--test-dir', build, '--output-on-failure']);
  return { dir, build, cache: readFileSync(join(build, 'CMakeCache.txt'), 'utf8'), ctest };
}

// A plugin directory holding build/NAME.so and NAME/web, as a developer installs it.
function pluginDirOf(built, name) {
  const dir = join(built.dir, 'plugins');
  mkdirSync(join(dir, name), { recursive: true });
  cpSync(join(built.build, `${name}.so`), join(dir, `${name}.so`));
  cpSync(join(built.dir, 'web'), join(dir, name, 'web'), { recursive: true });
  return dir;
}

for (const how of ['cmake', 'pkg-config']) {
  test(`the example built out of tree with ${how} passes its tests on the installed test host, loads and publishes`, async () => {
    const built = buildAgainstPrefix(exampleSrc, `example-${how}`, how);
    const sdk = realpathSync(prefix);
    if (how === 'cmake') {
      assert.match(built.cache, new RegExp(`^Pantau_DIR:PATH=${prefix}/lib/cmake/Pantau$`, 'm'));
    } else {
      assert.doesNotMatch(built.cache, /^Pantau_DIR:PATH=\//m, 'not the CMake package');
      const lib = /^pkgcfg_lib_PANTAU_TESTHOST_pantau-testhost:FILEPATH=(.*)$/m.exec(built.cache);
      assert.ok(lib, 'pkg-config found pantau-testhost');
      assert.equal(realpathSync(lib[1]), join(sdk, 'lib', 'libpantau-testhost.so.0.1.0'));
    }
    assert.match(built.ctest, /100% tests passed, 0 tests failed out of 5/);
    const config = pluginConfig(`example-${how}`, 'example',
      { id: 'ticks', type: 'example', name: 'Ticks', settings: { label: `Gate ${how}`, interval_ms: 100 } });
    const { server, data } = await dataOf(['--config', config, '--plugin-dir', pluginDirOf(built, 'example')], 'ticks');
    try {
      assert.equal(data.label, `Gate ${how}`);
      assert.ok(data.count >= 1, JSON.stringify(data));
      assert.equal(await getStatus(`http://127.0.0.1:${server.port}/plugins/example/example.js`), 200);
    } finally {
      await server.stop();
    }
  });
}

test('the installed `pantau plugin new` writes from the installed template a plugin that builds, passes its test and loads', () => {
  const pantau = join(prefix, 'bin', 'pantau');
  // Only the installed template has this file.
  writeFileSync(join(prefix, 'share/pantau/plugin-template/INSTALLED.md'), 'the installed example\n');
  const out = join(work, 'new');
  mkdirSync(out);
  execFileSync(pantau, ['plugin', 'new', 'demo_widget', '--dir', out], { stdio: 'pipe' });
  assert.equal(readFileSync(join(out, 'demo_widget', 'INSTALLED.md'), 'utf8'), 'the installed demo_widget\n');
  const built = buildAgainstPrefix(join(out, 'demo_widget'), 'demo_widget', 'cmake');
  assert.match(built.ctest, /100% tests passed, 0 tests failed out of 5/);
  const plugins = pluginDirOf(built, 'demo_widget');
  assert.match(execFileSync(pantau, ['plugin', 'check', join(plugins, 'demo_widget.so')], { encoding: 'utf8' }),
    /would load: demo_widget\t1\.0\.0\tABI \d+\.\d+\tdemo_widget\t/);
  // The real core runs its check() on the settings.
  const check = (interval) => spawnSync(pantau, ['--check-config', pluginConfig(`demo-${interval}`, 'demo_widget',
    { id: 'd1', type: 'demo_widget', name: 'D1', settings: { interval_ms: interval } }), '--plugin-dir', plugins],
  { encoding: 'utf8' });
  assert.equal(check(500).status, 0, check(500).stderr);
  const bad = check(5);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout + bad.stderr, /sources\[0\]\.settings: interval_ms: an integer from 100/);
});
