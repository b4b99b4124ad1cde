// `pantau plugin list` and `pantau plugin check FILE.so` (issue 18), on
// real plugin files: the test plugins of tests/tools/broken_plugins and
// the built clock plugin, in a plugin directory of their own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pantauBin, runPantau } from '../lib/harness.js';
import { builtPluginDir } from '../lib/plugins.js';

const testPlugins = join(dirname(dirname(pantauBin)), 'tests', 'tools', 'plugins');
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pantau-plugin-cli-'));
  symlinkSync(join(builtPluginDir, 'clock.so'), join(dir, 'clock.so'));
  symlinkSync(join(testPlugins, 'dup_type_a.so'), join(dir, 'dup_type_a.so'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const check = (file) => runPantau(['plugin', 'check', file, '--plugin-dir', dir]);

test('plugin list shows each installed plugin: name, version, ABI, types', async () => {
  const r = await runPantau(['plugin', 'list', '--plugin-dir', dir]);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /^clock\t1\.0\.0\tABI 1\.\d+\tclock\t/m);
  assert.match(r.output, /^dup_type_a\t\S+\tABI 1\.\d+\tdup_type\t/m);
  const missing = await runPantau(['plugin', 'list', '--plugin-dir', join(dir, 'none')]);
  assert.equal(missing.code, 1);
  assert.match(missing.output, /cannot read the plugin directory/);
});

test('plugin check: a good file would load (exit 0), itself installed or not', async () => {
  const good = await check(join(testPlugins, 'good.so'));
  assert.equal(good.code, 0, good.output);
  assert.match(good.output, /would load: good\t1\.2\.3\tABI 1\.\d+\tgood_type/);
  const installed = await check(join(dir, 'clock.so'));
  assert.equal(installed.code, 0, installed.output);
});

test('plugin check: each refusal exits 1 with its reason', async () => {
  const cases = {
    'abi_major.so': /would not load: it was built for ABI 2\.0.*major differs/,
    'no_create.so': /would not load: source type 'no_create_type' lacks the required callback create/,
    'dup_type_b.so': /would not load: source type 'dup_type' is already registered/,
    'undefined_symbol.so': /would not load: dlopen failed: .*undefined symbol/,
    'bad.so': /would not load: dlopen failed/,
  };
  for (const [file, reason] of Object.entries(cases)) {
    const r = await check(join(testPlugins, file));
    assert.equal(r.code, 1, `${file}: ${r.output}`);
    assert.match(r.output, reason, file);
  }
  const none = await check(join(dir, 'nothing.so'));
  assert.equal(none.code, 1);
  assert.match(none.output, /no such file/);
  const usage = await runPantau(['plugin', 'frobnicate']);
  assert.equal(usage.code, 1);
  assert.match(usage.output, /usage: pantau plugin/);
});
