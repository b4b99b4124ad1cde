// The Debian packages of `make deb` (issue 18): built with CPack from the
// build, installed with dpkg, the installed server run on its installed
// config as its systemd unit starts it (no systemd in CI containers: the
// unit's ExecStart run as an unprivileged user, on any free port; the unit
// checked by systemd-analyze verify where there is one), `/` answers, then both packages are
// purged and none of their files is left. Needs root, dpkg and cpack;
// skipped where pantau is already installed (it would be replaced).
// PANTAU_BUILD_DIR: the build to package (default build/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../lib/server.js';
import { startProgram, getStatus } from './run.js';

const buildDir = process.env.PANTAU_BUILD_DIR || join(repoRoot, 'build');
const packages = ['pantau', 'pantau-dev'];
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const installed = (pkg) => spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' })
  .stdout.includes('install ok installed');

function whyNot() {
  if (process.getuid() !== 0) return 'needs root (dpkg -i)';
  if (!has('dpkg') || !has('cpack')) return 'needs dpkg and cpack';
  const there = packages.filter(installed);
  return there.length ? `${there.join(', ')} already installed here: not replacing it` : undefined;
}
const skip = whyNot();
let work, debs;

before(() => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'pantau-deb-'));
  const dir = join(buildDir, 'packages');
  rmSync(dir, { recursive: true, force: true }); // no package of an earlier build is taken
  execFileSync('cpack', ['-G', 'DEB'], { cwd: buildDir, stdio: 'pipe' });
  debs = Object.fromEntries(packages.map((p) => {
    const file = readdirSync(dir).find((f) => f.startsWith(`${p}_`) && f.endsWith('.deb'));
    assert.ok(file, `CPack made the ${p} package`);
    return [p, join(dir, file)];
  }));
});
after(() => {
  if (skip) return;
  const left = packages.filter(installed);
  if (left.length) spawnSync('dpkg', ['--purge', ...left]);
  rmSync(work, { recursive: true, force: true });
});

test('pantau and pantau-dev install, the server answers on its installed config, and purge leaves nothing', { skip }, async () => {
  execFileSync('dpkg', ['-i', debs.pantau, debs['pantau-dev']], { stdio: 'pipe' });
  const files = packages.flatMap((p) => execFileSync('dpkg', ['-L', p], { encoding: 'utf8' }).split('\n'))
    .filter((f) => f && existsSync(f) && statSync(f).isFile());
  for (const f of ['/usr/bin/pantau', '/etc/pantau/pantau.json', '/usr/lib/systemd/system/pantau.service',
    '/usr/lib/pantau/plugins/clock.so', '/usr/share/pantau/web/js/widget-kit.js', '/usr/include/pantau/plugin.h',
    '/usr/lib/pkgconfig/pantau-plugin.pc', '/usr/lib/cmake/Pantau/PantauConfig.cmake',
    '/usr/include/pantau/testhost.h', '/usr/include/pantau/testhost_check.h', '/usr/lib/libpantau-testhost.so.0.1.0', '/usr/lib/pkgconfig/pantau-testhost.pc',
    '/usr/share/pantau/plugin-template/example.c']) {
    assert.ok(files.includes(f), `${f} is installed`);
  }
  assert.ok(!files.includes('/usr/lib/pantau/plugins/example.so'), 'the example is a template, not a bundled plugin');
  // pantau-dev holds libpantau-testhost: a package of the build's architecture.
  assert.equal(execFileSync('dpkg-deb', ['-f', debs['pantau-dev'], 'Architecture'], { encoding: 'utf8' }).trim(),
    execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim());
  assert.equal(execFileSync('dpkg-query', ['-W', '-f=${Conffiles}', 'pantau'], { encoding: 'utf8' }).trim().split(' ')[0],
    '/etc/pantau/pantau.json');
  if (has('systemd-analyze')) {
    assert.equal(execFileSync('systemd-analyze', ['verify', '/usr/lib/systemd/system/pantau.service'],
      { stdio: 'pipe', encoding: 'utf8' }), '');
  }
  assert.equal(execFileSync('pkg-config', ['--variable=plugindir', 'pantau-plugin'], { encoding: 'utf8' }).trim()
    .replace(/\/lib\/pkgconfig\/\.\.\/\.\./, ''), '/usr/lib/pantau/plugins');

  // The service starts: the installed unit's own ExecStart, run as systemd
  // would (no systemd in CI containers): as an unprivileged user of its
  // own (DynamicUser), in a state directory that user owns
  // (StateDirectory), with the unit's config; only the port is free-chosen.
  const unit = readFileSync('/usr/lib/systemd/system/pantau.service', 'utf8');
  const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1].trim().split(/\s+/);
  assert.ok(execStart, 'the unit has an ExecStart');
  assert.deepEqual(execStart.slice(0, 3), ['/usr/bin/pantau', '--config', '/etc/pantau/pantau.json']);
  const state = join(work, 'state');
  mkdirSync(state, { mode: 0o700 });
  chownSync(state, 65534, 65534);
  chmodSync(work, 0o755);
  const args = execStart.map((a) => (a === '/var/lib/pantau' ? state : a));
  const server = await startProgram('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--',
    ...args, '--port', '0']);
  try {
    await server.waitForOutput(/plugin 'clock' \S+ loaded from \/usr\/lib\/pantau\/plugins\/clock\.so/);
    assert.equal(await getStatus(`http://127.0.0.1:${server.port}/`), 200);
    assert.equal(await getStatus(`http://127.0.0.1:${server.port}/plugins/clock/clock.js`), 200);
  } finally {
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, `the service's stop:\n${server.output()}`);
  }

  execFileSync('dpkg', ['--purge', 'pantau-dev', 'pantau'], { stdio: 'pipe' });
  for (const p of packages) assert.ok(!installed(p), `${p} is removed`);
  assert.deepEqual(files.filter((f) => existsSync(f)), [], 'no file of the packages is left');
  for (const dir of ['/etc/pantau', '/usr/lib/pantau', '/usr/share/pantau', '/usr/include/pantau', '/usr/lib/cmake/Pantau']) {
    assert.ok(!existsSync(dir), `${dir} is gone`);
  }
});
