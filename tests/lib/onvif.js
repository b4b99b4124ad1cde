// The ONVIF test camera (tests/tools/onvif_device.c, built as
// build/tests/tools/pantau-test-onvif): a real HTTP/SOAP server with digest
// auth and a PTZ position that moves with ContinuousMove; GET /state tells
// the position and counts of every command.
import { spawn } from 'node:child_process';
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

// Starts the device (on port, or a free one). Resolves to { port, url, state(), stop(), output() }
// once it listens; url is its device service URL.
export async function startOnvif({ port, user, password, mainUri, args = [], timeoutMs = 10000 } = {}) {
  const bin = onvifDeviceBin();
  if (!existsSync(bin)) throw new Error(`no ONVIF test device at ${bin} (build it first)`);
  port = port || await freePort();
  const argv = ['--port', String(port), ...args];
  if (user) argv.push('--user', user, '--password', password);
  if (mainUri) argv.push('--main-uri', mainUri);
  const proc = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ONVIF test device not ready:\n${out}`)), timeoutMs);
    const check = () => {
      if (/ready on http:/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`ONVIF test device exited:\n${out}`));
    });
  });
  return {
    port,
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
