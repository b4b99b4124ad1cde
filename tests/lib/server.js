// Starts a real pantau server for a test: a temp state dir, a config written
// from an object, a free port chosen by the kernel. Used by integration,
// browser tests and benchmarks.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { killOnExit } from './children.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const pantauBin = process.env.PANTAU_BIN || join(repoRoot, 'build', 'core', 'pantau');

// A small config with the clock plugin, two clocks and one 2x2 wall.
export function testConfig(overrides = {}) {
  return {
    server: { listen: '127.0.0.1', port: 0 },
    plugins: { load: ['clock'] },
    sources: [
      { id: 'clock-a', type: 'clock', name: 'Clock A', settings: { timezone: 'Asia/Jakarta', label: 'WIB' } },
      { id: 'clock-b', type: 'clock', name: 'Clock B', settings: { timezone: 'UTC', label: 'UTC' } },
    ],
    walls: [{
      id: 'main', name: 'Test wall',
      displays: { columns: 2, rows: 1, width: 1920, height: 1080, bezel: { x: 10, y: 10 } },
      layout: { columns: 2, rows: 2, tiles: [
        { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' },
        { id: 't2', x: 1, y: 0, w: 1, h: 1, source: null },
        { id: 't3', x: 0, y: 1, w: 2, h: 1, source: null },
      ] },
    }],
    ...overrides,
  };
}

// Starts pantau. Options: config (object), stateDir (reuse one to test
// restarts), port (fixed port; default 0 = any free), env, pluginDir
// (default $PANTAU_PLUGIN_DIR; none: the config's or the build's).
// Resolves to { port, url, wsUrl, stateDir, proc, stop(), kill9(), output() }.
export async function startServer({ config = testConfig(), stateDir, port = 0, env = {}, pluginDir = process.env.PANTAU_PLUGIN_DIR } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-test-'));
  stateDir = stateDir || join(dir, 'state');
  const configPath = join(dir, 'pantau.json');
  writeFileSync(configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  const args = ['--config', configPath, '--state-dir', stateDir, '--port', String(port)];
  if (pluginDir) args.push('--plugin-dir', pluginDir);
  const proc = spawn(pantauBin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const actualPort = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`pantau did not start in 30 s:\n${out}`));
    }, 30000);
    const onData = () => {
      const m = /pantau: ready on https?:\/\/(?:\[[^\]]+\]|[^:/]+):(\d+)\//.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`pantau exited with ${code}:\n${out}`)); });
  });
  proc.removeAllListeners('exit');
  killOnExit(proc); // the listeners were removed
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    wsUrl: `ws://127.0.0.1:${actualPort}/ws`,
    stateDir, configPath, proc, exited,
    output: () => out,
    async stop() { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); return exited; },
    async kill9() { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); return exited; },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

// A WebSocket client that collects messages and lets tests await them.
export class Client {
  constructor(wsUrl, options = {}) {
    this.ws = new WebSocket(wsUrl, options);
    this.messages = [];
    this.waiters = [];
    this.nextId = 1;
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.ws.on('message', (data, isBinary) => {
      const msg = isBinary ? { binary: data } : JSON.parse(String(data));
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => !(w.pred(msg) && (w.resolve(msg), true)));
    });
    this.opened = new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject); });
  }
  // Resolves with the first message (already received or future) matching pred.
  waitFor(pred, timeoutMs = 5000) {
    const found = this.messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (m) => { clearTimeout(t); resolve(m); } };
      const t = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); reject(new Error('timed out waiting for message')); }, timeoutMs);
      this.waiters.push(w);
    });
  }
  snapshot() { return this.waitFor((m) => m.ev === 'snapshot'); }
  // Sends a request and resolves with its reply.
  request(op, fields = {}) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ op, id, ...fields }));
    return this.waitFor((m) => m.re === id);
  }
  sendRaw(text) { this.ws.send(text); }
  close() { this.ws.close(); return this.closed; }
}
