// The ONVIF test camera (tests/tools/onvif_device.c, built as
// build/tests/tools/pantau-test-onvif): start and stop it from a test; its
// GET /state tells the PTZ position and counts of every command.
import { spawn } from 'node:child_process';
import { killOnExit } from './children.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './server.js';
import { freePort } from './rtsp.js';

export function onvifDeviceBin() {
  if (process.env.PANTAU_TEST_ONVIF) return process.env.PANTAU_TEST_ONVIF;
  const bin = process.env.PANTAU_BIN;
  const build = bin ? dirname(dirname(bin)) : join(repoRoot, 'build');
  return join(build, 'tests', 'tools', 'pantau-test-onvif');
}

// Starts the device: { port (default: a free one), user, password, mainUri,
// subUri, discovery ('127.0.0.1:PORT'), name, noPtz, args (more options) }.
// Resolves to { port, address, url (its device service URL), state(),
// stop(), output() } once it listens.
export async function startOnvif({
  port, user, password, mainUri, subUri, discovery, name, noPtz, args: extra = [], timeoutMs = 10000,
} = {}) {
  const bin = onvifDeviceBin();
  if (!existsSync(bin)) throw new Error(`no ONVIF test device at ${bin} (build it first)`);
  port = port || await freePort();
  const args = ['--port', String(port), '--address', '127.0.0.1', ...extra];
  if (user) args.push('--user', user, '--password', password);
  if (mainUri) args.push('--main-uri', mainUri);
  if (subUri) args.push('--sub-uri', subUri);
  if (discovery) args.push('--discovery', discovery);
  if (name) args.push('--name', name);
  if (noPtz) args.push('--no-ptz');
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ONVIF test device not ready:\n${out}`)), timeoutMs);
    proc.stdout.on('data', () => { if (/onvif: ready on/.test(out)) { clearTimeout(timer); resolve(); } });
    proc.on('exit', () => { clearTimeout(timer); reject(new Error(`ONVIF test device exited:\n${out}`)); });
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/onvif/device_service`,
    output: () => out,
    async state() {
      const res = await fetch(`http://127.0.0.1:${port}/state`);
      return res.json();
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Polls the device until pred(state) holds; resolves with that state.
export async function waitForState(device, pred, timeoutMs = 10000, what = 'device state') {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await device.state();
    if (pred(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
