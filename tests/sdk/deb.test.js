// The Debian packages of `make deb` (issue 18): built with CPack from the
// build, installed with dpkg, the installed server run on its installed
// config (any free port; no systemd in CI containers, so the unit is only
// checked by systemd-analyze verify), `/` answers, then both packages are
// purged and none of their files is left. Needs root, dpkg and cpack;
// skipped where pantau is already installed (it would be replaced).
// PANTAU_BUILD_DIR: the build to package (default build/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
  execFileSync('cpack', ['-G', 'DEB'], { cwd: buildDir, stdio: 'pipe' });
  const dir = join(buildDir, 'packages');
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
    '/usr/lib/pkgconfig/pantau-plugin.pc', '/usr/lib/cmake/Pantau/PantauConfig.cmake']) {
    assert.ok(files.includes(f), `${f} is installed`);
  }
  assert.equal(execFileSync('dpkg-query', ['-W', '-f=${Conffiles}', 'pantau'], { encoding: 'utf8' }).trim().split(' ')[0],
    '/etc/pantau/pantau.json');
  if (has('systemd-analyze')) {
    assert.equal(execFileSync('systemd-analyze', ['verify', '/usr/lib/systemd/system/pantau.service'],
      { stdio: 'pipe', encoding: 'utf8' }), '');
  }
  assert.equal(execFileSync('pkg-config', ['--variable=plugindir', 'pantau-plugin'], { encoding: 'utf8' }).trim()
    .replace(/\/lib\/pkgconfig\/\.\.\/\.\./, ''), '/usr/lib/pantau/plugins');

  // As the unit runs it, but on a free port and a state directory of its own.
  const server = await startProgram('/usr/bin/pantau',
    ['--config', '/etc/pantau/pantau.json', '--state-dir', join(work, 'state'), '--port', '0']);
  try {
    await server.waitForOutput(/plugin 'clock' \S+ loaded from \/usr\/lib\/pantau\/plugins\/clock\.so/);
    assert.equal(await getStatus(`http://127.0.0.1:${server.port}/`), 200);
    assert.equal(await getStatus(`http://127.0.0.1:${server.port}/plugins/clock/clock.js`), 200);
  } finally {
    await server.stop();
  }

  execFileSync('dpkg', ['--purge', 'pantau-dev', 'pantau'], { stdio: 'pipe' });
  for (const p of packages) assert.ok(!installed(p), `${p} is removed`);
  assert.deepEqual(files.filter((f) => existsSync(f)), [], 'no file of the packages is left');
  for (const dir of ['/etc/pantau', '/usr/lib/pantau', '/usr/share/pantau', '/usr/include/pantau', '/usr/lib/cmake/Pantau']) {
    assert.ok(!existsSync(dir), `${dir} is gone`);
  }
});
