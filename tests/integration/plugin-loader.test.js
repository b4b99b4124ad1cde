// The plugin loader: a plugin file that exists but cannot be loaded is
// refused with one log line naming the file and the reason, and the server
// goes on; the sources of its type have status `error` with a reason. A
// plugin named in plugins.load with no <name>.so is a configuration error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { serverFor, connect, testConfig, runPantau, eachCase, diagnostics } from '../lib/harness.js';
import { makePluginDir, brokenPlugins } from '../lib/plugins.js';

let plugins;
before(() => { plugins = makePluginDir(); });
after(() => plugins.cleanup());

// testConfig() plus one source of every broken plugin's type.
function configWith(load) {
  const config = testConfig();
  if (load) config.plugins = { load };
  else delete config.plugins;
  config.sources.push(...plugins.names.map((name) => ({ id: `src-${name}`, type: name, name })));
  return config;
}

async function checkRefusals(t, load) {
  const server = await serverFor(t, { config: configWith(load), pluginDir: plugins.dir });
  const { snapshot } = await connect(t, server);
  const output = server.output();
  // The good plugin works.
  assert.equal(snapshot.sources.find((s) => s.id === 'clock-a').status, 'live');
  await eachCase(plugins.names, async (name) => {
    const file = `${name}.so`;
    const lines = output.split('\n').filter((l) => l.includes(`/${file}`) || l.includes(` ${file}`));
    assert.equal(lines.length, 1, `one log line names ${file}: ${JSON.stringify(lines)}`);
    assert.match(lines[0], brokenPlugins[name][1], `the reason for ${file}`);
    const source = snapshot.sources.find((s) => s.id === `src-${name}`);
    assert.ok(source, `source src-${name} is listed`);
    assert.equal(source.status, 'error');
    assert.ok(typeof source.reason === 'string' && source.reason.length > 0, 'with a reason');
  });
  assert.ok(!/plugin '(abi99|newminor|noload|refuses|unresolved)'.* loaded/.test(output), 'no broken plugin reported as loaded');
  assert.equal(output.match(/plugin 'clock' .*loaded/g).length, 1, 'clock loaded once');
}

test('broken plugins named in plugins.load are refused, the server goes on', async (t) => {
  assert.ok(plugins.names.length > 1, 'broken plugins were built (needs cc)');
  await checkRefusals(t, ['clock', ...plugins.names]);
});

test('broken plugins found by scanning the directory are refused, the server goes on', async (t) => {
  await checkRefusals(t, null);
});

test('a plugin in plugins.load with no <name>.so stops the server with a config error', async () => {
  const config = testConfig({ plugins: { load: ['clock', 'ghost'] } });
  const dir = mkdtempSync(join(tmpdir(), 'pantau-ghost-'));
  try {
    const file = join(dir, 'ghost.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    const result = await runPantau(['--config', file, '--state-dir', join(dir, 'state'), '--port', '0', '--plugin-dir', plugins.dir]);
    assert.equal(result.code, 2, result.output);
    assert.doesNotMatch(result.output, /ready on/);
    const d = diagnostics(result.output).find((x) => x.path === 'plugins.load[1]');
    assert.ok(d, result.output);
    assert.equal(basename(d.file), 'ghost.json');
    assert.match(d.message, /ghost/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
