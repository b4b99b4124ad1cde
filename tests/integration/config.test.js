// `pantau --check-config FILE`: exit 0 when valid; otherwise exit 2 and one
// `FILE:LINE:COL: PATH: message` line per error, pointing at the offending
// value. The server given an invalid config exits 2 without starting.
// Broken configs are made from the repo's config/pantau.json by editing one
// spot, so the expected line and column are found by searching the text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../lib/server.js';
import { runPantau, pluginDirArgs, locate, diagnostics, eachCase } from '../lib/harness.js';

const repoConfig = join(repoRoot, 'config', 'pantau.json');
const original = readFileSync(repoConfig, 'utf8');
let dir;

before(() => { dir = mkdtempSync(join(tmpdir(), 'pantau-config-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

// Writes the repo config with `from` replaced by `to` (exactly once).
function variant(name, from, to) {
  assert.equal(original.split(from).length, 2, `${JSON.stringify(from)} occurs once in config/pantau.json`);
  const text = original.replace(from, to);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, text);
  return { file, text };
}

const check = (file) => runPantau(['--check-config', file, ...pluginDirArgs()]);

// Asserts exit 2 and a diagnostic for `path` at (line, one of cols).
function expectDiagnostic(result, file, path, line, cols) {
  assert.equal(result.code, 2, `exit status; output:\n${result.output}`);
  const found = diagnostics(result.output).filter((d) => d.path === path);
  assert.ok(found.length >= 1, `a line for ${path} in:\n${result.output}`);
  const d = found[0];
  assert.equal(d.file, file, `file in: ${d.text}`);
  assert.equal(d.line, line, `line in: ${d.text}`);
  assert.ok(cols.includes(d.col), `column ${d.col} (expected ${cols.join(' or ')}) in: ${d.text}`);
  return d;
}

test('the repo config and every example are valid', async () => {
  const files = [repoConfig, ...readdirSync(join(repoRoot, 'config', 'examples'))
    .filter((f) => f.endsWith('.json')).map((f) => join(repoRoot, 'config', 'examples', f))];
  await eachCase(files, async (file) => {
    const result = await check(file);
    assert.equal(result.code, 0, `exit status; output:\n${result.output}`);
    assert.deepEqual(diagnostics(result.output), []);
  });
});

// Each case: name, text to replace, replacement, JSON path, and the spot in
// the new text the error must point at: [marker, offset into the marker]
// and how many more columns are acceptable (a token's width for syntax
// errors; a key's position for unknown keys).
const broken = [
  ['wrong-type', '"port": 8080', '"port": "8080"', 'server.port', ['"port": "8080"', 8]],
  ['out-of-range', '"port": 8080', '"port": 99999', 'server.port', ['"port": 99999', 8]],
  ['overlap', '{"id": "t2", "x": 4,', '{"id": "t2", "x": 3,', 'walls[0].layout.tiles[8]', ['{"id": "t2"', 0]],
  ['outside-grid', '{"id": "t4", "x": 3, "y": 3, "w": 3', '{"id": "t4", "x": 3, "y": 3, "w": 4', 'walls[0].layout.tiles[10]', ['{"id": "t4"', 0]],
  ['unknown-source', '"w": 3, "h": 1, "source": "clock-utc"}', '"w": 3, "h": 1, "source": "cam-nowhere"}', 'walls[0].layout.tiles[10].source', ['"cam-nowhere"', 0]],
  ['unknown-plugin', '"load": ["clock", "cctv",', '"load": ["clock", "no-such-plugin", "cctv",', 'plugins.load[1]', ['"no-such-plugin"', 0]],
  ['bad-display', '"columns": 3, "rows": 2, "width": 1920', '"columns": 3, "rows": 2, "width": true', 'walls[0].displays.width', ['"width": true', 9]],
  ['recording-budget', '"budget_mb": 200', '"budget_mb": -1', 'server.recording.budget_mb', ['"budget_mb": -1', 13]],
  ['camera-recording', '"pattern": "smpte"}}', '"pattern": "smpte"}, "recording": {"retention_days": "7"}}', 'sources[0].recording.retention_days', ['"retention_days": "7"', 18]],
  ['duplicate-source', '{"id": "clock-wita"', '{"id": "clock-wib"', 'sources[8].id', ['{"id": "clock-wib", "type": "clock", "name": "Makassar', 7]],
];

for (const [name, from, to, path, [marker, offset]] of broken) {
  test(`--check-config: ${name} -> exit 2 at ${path}`, async () => {
    const { file, text } = variant(name, from, to);
    const { line, col } = locate(text, marker, offset);
    expectDiagnostic(await check(file), file, path, line, [col]);
  });
}

test('--check-config: a source its plugin refuses is an error at its settings, without the password', async () => {
  const secret = 'Rahasia/77';
  const bad = `{"id": "cam-bad", "type": "rtsp", "name": "Bad", "settings": {"url": "rtsp://admin:${secret}@10.0.0.9/main"}},`;
  const { file, text } = variant('plugin-refuses', '"sources": [', `"sources": [\n    ${bad}`);
  const result = await check(file);
  const { line, col } = locate(text, `{"url": "rtsp://admin:${secret}`);
  const d = expectDiagnostic(result, file, 'sources[0].settings', line, [col]);
  assert.match(d.text, /an '@' after the host .*%2F/);
  assert.ok(!result.output.includes('Rahasia'), `the password in:\n${result.output}`);
  assert.doesNotMatch(result.output, /plugin '.*' .* loaded/, 'no plugin loading lines, only diagnostics');
});

test('--check-config: widget settings are checked by their plugins too', async () => {
  const { file, text } = variant('bad-zone', '"timezone": "Asia/Jakarta", "label": "Dumai (WIB)"',
    '"timezone": "Asia/Nowhere", "label": "Dumai (WIB)"');
  const result = await check(file);
  const index = JSON.parse(text).sources.findIndex((s) => s.settings?.timezone === 'Asia/Nowhere');
  const { line, col } = locate(text, '{"timezone": "Asia/Nowhere"');
  const d = expectDiagnostic(result, file, `sources[${index}].settings`, line, [col]);
  assert.match(d.text, /unknown time zone 'Asia\/Nowhere'/);
});

test('--check-config: a source type no loaded plugin offers is an error at its type', async () => {
  const { file, text } = variant('unknown-type', '"sources": [',
    '"sources": [\n    {"id": "x-1", "type": "no-such-type", "name": "X"},');
  const { line, col } = locate(text, '"no-such-type"');
  expectDiagnostic(await check(file), file, 'sources[0].type', line, [col]);
});

test('--check-config: an unknown key is an error at that key', async () => {
  const { file, text } = variant('unknown-key', '"listen": "127.0.0.1",', '"listen": "127.0.0.1", "lisen": "0.0.0.0",');
  const key = locate(text, '"lisen"');
  const value = locate(text, '"lisen": "0.0.0.0"', 9);
  expectDiagnostic(await check(file), file, 'server.lisen', key.line, [key.col, value.col]);
});

test('--check-config: a syntax error gives the line and column', async () => {
  // Drop the comma after "listen": the parser stumbles on "port".
  const { file, text } = variant('syntax', '"listen": "127.0.0.1",', '"listen": "127.0.0.1"');
  const at = locate(text, '"port"');
  const result = await check(file);
  assert.equal(result.code, 2, result.output);
  const m = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): `, 'm').exec(result.output);
  assert.ok(m, `a FILE:LINE:COL line in:\n${result.output}`);
  assert.equal(Number(m[1]), at.line, 'line of the unexpected token');
  const col = Number(m[2]);
  assert.ok(col >= at.col && col <= at.col + '"port"'.length, `column ${col} within the token at ${at.col}`);
});

test('--check-config: a truncated file is an error at its end', async () => {
  const text = original.slice(0, original.indexOf('"sources"'));
  const file = join(dir, 'truncated.json');
  writeFileSync(file, text);
  const result = await check(file);
  assert.equal(result.code, 2, result.output);
  const lines = text.split('\n');
  const m = /:(\d+):(\d+): /.exec(result.output);
  assert.ok(result.output.startsWith(`${file}:`), result.output);
  assert.ok(Number(m[1]) >= lines.length - 1, `line ${m[1]} at the end (${lines.length} lines)`);
});

test('--check-config prints every error, one line each', async () => {
  let text = original.replace('"port": 8080', '"port": "8080"');
  text = text.replace('"w": 3, "h": 1, "source": "clock-utc"}', '"w": 3, "h": 1, "source": "cam-nowhere"}');
  text = text.replace('"load": ["clock", "cctv",', '"load": ["clock", "no-such-plugin", "cctv",');
  const file = join(dir, 'three-errors.json');
  writeFileSync(file, text);
  const result = await check(file);
  assert.equal(result.code, 2);
  const paths = diagnostics(result.output).map((d) => d.path).sort();
  assert.deepEqual(paths, ['plugins.load[1]', 'server.port', 'walls[0].layout.tiles[10].source'], result.output);
});

test('the server given an invalid config exits 2 without starting', async () => {
  await eachCase(['wrong-type', 'overlap', 'unknown-plugin'], async (name) => {
    const [, from, to, path] = broken.find((b) => b[0] === name);
    const { file } = variant(`${name}-server`, from, to);
    const state = join(dir, `${name}-state`);
    const result = await runPantau(['--config', file, '--state-dir', state, '--port', '0', ...pluginDirArgs()]);
    assert.equal(result.code, 2, `exit status; output:\n${result.output}`);
    assert.doesNotMatch(result.output, /ready on/);
    assert.ok(diagnostics(result.output).some((d) => d.file === file && d.path === path), `a diagnostic for ${path}:\n${result.output}`);
  });
  const { file: syntax } = variant('syntax-server', '"listen": "127.0.0.1",', '"listen": "127.0.0.1"');
  const result = await runPantau(['--config', syntax, '--state-dir', join(dir, 'syntax-state'), '--port', '0', ...pluginDirArgs()]);
  assert.equal(result.code, 2, result.output);
  assert.doesNotMatch(result.output, /ready on/);
});

test('a config file that does not exist is an error', async () => {
  const missing = join(dir, 'missing.json');
  const result = await check(missing);
  assert.equal(result.code, 2, result.output);
  assert.match(result.output, new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
});
