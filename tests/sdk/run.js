// Helpers of the SDK and package tests: run an installed pantau (any
// executable, any arguments) until it says where it listens.
import { spawn } from 'node:child_process';
import { killOnExit } from '../lib/children.js';

// Starts bin with args; resolves with { port, stop(), output(),
// waitForOutput(re) } once it prints its "ready on" line (10 s at most).
export async function startProgram(bin, args) {
  const proc = killOnExit(spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${bin} did not start in 10 s:\n${out}`)); }, 10000);
    const onData = () => {
      const m = /pantau: ready on https?:\/\/[^ ]*:(\d+)\//.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${bin} exited with ${code}:\n${out}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    port,
    output: () => out,
    // Resolves once the output (stdout and stderr, which arrive in any
    // order) matches re; rejects after timeoutMs.
    async waitForOutput(re, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`no ${re} in the output:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop() { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); return exited; },
  };
}

// The HTTP status of a GET of url.
export async function getStatus(url) {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}
