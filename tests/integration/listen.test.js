// Issue 11 finding 1: the server binds exactly the configured address, and
// refuses to listen beyond this machine without an "auth" section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, stopServer, testConfig, runPantau, pluginDirArgs, diagnostics } from '../lib/harness.js';
import { listeningOn } from '../lib/sockets.js';


// Resolves 'connected' or the error code of a TCP connect to host:port.
function tryConnect(host, port, localAddress) {
  return new Promise((resolve) => {
    const s = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    s.once('connect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (err) => resolve(err.code));
  });
}

function whoami(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'pantau.v1');
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.ev === 'snapshot') ws.send(JSON.stringify({ op: 'auth.whoami', id: 1 }));
      if (m.re === 1) { ws.close(); resolve(m); }
    });
    ws.on('error', reject);
  });
}

function configFile(config) {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-listen-'));
  const path = join(dir, 'pantau.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('listening on 127.0.0.1 binds only 127.0.0.1: another local address is refused', async (t) => {
  const server = await startServer({ config: testConfig({ server: { listen: '127.0.0.1', port: 0 } }) });
  t.after(async () => { await stopServer(server); server.cleanup(); });
  assert.deepEqual(listeningOn(server.port), ['127.0.0.1']);
  assert.equal(await tryConnect('127.0.0.1', server.port), 'connected');
  assert.equal(await tryConnect('127.0.0.2', server.port), 'ECONNREFUSED', 'not bound on 127.0.0.2');
  const me = await whoami(`ws://127.0.0.1:${server.port}/ws`);
  assert.equal(me.ok.role, 'admin', 'without auth, this machine is admin');
});

test('listening on ::1 binds only ::1; a host name binds its address', async (t) => {
  const v6 = await startServer({ config: testConfig({ server: { listen: '::1', port: 0 } }) });
  t.after(async () => { await stopServer(v6); v6.cleanup(); });
  assert.deepEqual(listeningOn(v6.port), ['::1']);
  assert.match(v6.output(), new RegExp(`ready on http://\\[::1\\]:${v6.port}/`));
  assert.equal(await tryConnect('::1', v6.port), 'connected');
  assert.equal(await tryConnect('127.0.0.1', v6.port), 'ECONNREFUSED');

  const named = await startServer({ config: testConfig({ server: { listen: 'localhost', port: 0 } }) });
  t.after(async () => { await stopServer(named); named.cleanup(); });
  assert.deepEqual(listeningOn(named.port), ['127.0.0.1']);
  assert.match(named.output(), new RegExp(`ready on http://localhost:${named.port}/`));
});

test('listening beyond loopback without "auth" is refused by the checker and at start', async (t) => {
  const text = JSON.stringify(testConfig({ server: { listen: '0.0.0.0', port: 0 } }), null, 2);
  const dir = mkdtempSync(join(tmpdir(), 'pantau-listen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pantau.json');
  writeFileSync(path, text);
  const check = await runPantau(['--check-config', path, ...pluginDirArgs()]);
  assert.equal(check.code, 2, check.output);
  const [d] = diagnostics(check.output);
  assert.ok(d, check.output);
  assert.equal(d.path, 'server.listen');
  assert.equal(d.line, text.split('\n').findIndex((l) => l.includes('"listen"')) + 1);
  assert.match(d.message, /"auth" section is needed.*anonymous_role/);
  const start = await runPantau(['--config', path, '--state-dir', join(dir, 'state'), ...pluginDirArgs()]);
  assert.equal(start.code, 2, start.output);
  assert.match(start.output, /server\.listen: listening on 0\.0\.0\.0 lets other machines in/);
  assert.doesNotMatch(start.output, /ready on/);
});

test('a host name that does not resolve is named at server.listen', async () => {
  const { path, cleanup } = configFile(testConfig({ server: { listen: 'no-such-host.invalid', port: 0 } }));
  try {
    const check = await runPantau(['--check-config', path, ...pluginDirArgs()]);
    assert.equal(check.code, 2, check.output);
    assert.equal(diagnostics(check.output)[0]?.path, 'server.listen', check.output);
    assert.match(check.output, /cannot resolve 'no-such-host\.invalid'/);
  } finally { cleanup(); }
});

test('auth.anonymous_role lets a closed network in as viewers, never as admin', async (t) => {
  const config = testConfig({ server: { listen: '0.0.0.0', port: 0 }, auth: { anonymous_role: 'viewer' } });
  const server = await startServer({ config });
  t.after(async () => { await stopServer(server); server.cleanup(); });
  assert.deepEqual(listeningOn(server.port), ['0.0.0.0']);
  const me = await whoami(`ws://127.0.0.1:${server.port}/ws`);
  assert.equal(me.ok.role, 'viewer');
  assert.equal(me.ok.user, 'anonymous');

  const bad = configFile(testConfig({ server: { listen: '0.0.0.0', port: 0 }, auth: { anonymous_role: 'admin' } }));
  try {
    const check = await runPantau(['--check-config', bad.path, ...pluginDirArgs()]);
    assert.equal(check.code, 2, check.output);
    assert.equal(diagnostics(check.output)[0]?.path, 'auth.anonymous_role', check.output);
  } finally { bad.cleanup(); }
});
