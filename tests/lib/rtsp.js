// The test RTSP server (tests/tools/rtsp_server.c, built as
// build/tests/tools/pantau-test-rtsp): start, stop, restart on the same port.
import { spawn } from 'node:child_process';
import { killOnExit } from './children.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './server.js';
import { freePort } from './ports.js';

// The tool next to the pantau binary under test (same build tree).
export function rtspServerBin() {
  if (process.env.PANTAU_TEST_RTSP) return process.env.PANTAU_TEST_RTSP;
  const bin = process.env.PANTAU_BIN;
  const build = bin ? dirname(dirname(bin)) : join(repoRoot, 'build');
  return join(build, 'tests', 'tools', 'pantau-test-rtsp');
}

export { freePort, closedPort } from './ports.js';

// Starts the server with mounts { '/main': 'test:640x360@15', ... }.
// Resolves to { port, url(path), stop(), output() } once it listens.
export async function startRtsp({ port, mounts, user, password, timeoutMs = 10000 }) {
  const bin = rtspServerBin();
  if (!existsSync(bin)) throw new Error(`no test RTSP server at ${bin} (build it first)`);
  port = port || await freePort();
  const args = ['--port', String(port)];
  if (user) args.push('--user', user, '--password', password);
  for (const [path, spec] of Object.entries(mounts)) args.push('--stream', `${path}=${spec}`);
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`test RTSP server not ready:\n${out}`)), timeoutMs);
    const check = () => {
      if (/ready on rtsp:/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`test RTSP server exited:\n${out}`));
    });
  });
  return {
    port,
    url: (path, auth = '') => `rtsp://${auth}127.0.0.1:${port}${path}`,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
