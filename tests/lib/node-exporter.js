// Debian's prometheus-node-exporter on a free 127.0.0.1 port, with only a few
// light collectors, for tests that scrape real exporter output.
import { spawn } from 'node:child_process';
import { killOnExit } from './children.js';
import http from 'node:http';
import { freePort } from './nut.js';

const BIN = '/usr/bin/prometheus-node-exporter';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

// Resolves to { port, url, stop() } once /metrics answers 200.
export async function startNodeExporter() {
  const port = await freePort();
  const args = [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults',
    '--collector.loadavg', '--collector.meminfo', '--collector.filesystem', '--collector.cpu'];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const url = `http://127.0.0.1:${port}/metrics`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  const until = Date.now() + 10000;
  while ((await get(url)) !== 200) {
    if (Date.now() > until || proc.exitCode !== null) {
      await stop();
      throw new Error(`node_exporter did not start:\n${out}`);
    }
    await sleep(100);
  }
  return { port, url, stop, output: () => out };
}
