// A real NUT server for tests: Debian's upsd with the dummy-ups driver, in a
// temporary config/state directory, on a free 127.0.0.1 port. The UPS's
// variables come from a .dev file the test rewrites (dummy-ups re-reads it
// when its timestamp changes; pollinterval 1 s).
import { spawn } from 'node:child_process';
import { killOnExit } from './children.js';
import { mkdtempSync, writeFileSync, rmSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import net from 'node:net';

const DRIVER = '/lib/nut/dummy-ups';
const UPSD = '/lib/nut/upsd'; // /usr/sbin/upsd is a wrapper that obeys /etc/nut/nut.conf

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export { freePort } from './ports.js';

function devText({ status = 'OL', charge = 100, runtime = 1800, load = 30 }) {
  return `ups.status: ${status}\nbattery.charge: ${charge}\nbattery.runtime: ${runtime}\nups.load: ${load}\n`;
}

// Asks upsd for one variable; resolves with its value or null.
export function nutGet(port, ups, variable) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (v) => { sock.destroy(); resolve(v); };
    sock.setTimeout(1000, () => done(null));
    sock.on('error', () => done(null));
    sock.on('connect', () => sock.write(`GET VAR ${ups} ${variable}\n`));
    sock.on('data', (d) => {
      buf += d;
      if (!buf.includes('\n')) return;
      const m = /^VAR \S+ \S+ "(.*)"/.exec(buf);
      done(m ? m[1] : null);
    });
  });
}

function run(cmd, args, env) {
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  proc.output = () => out;
  proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return proc;
}

async function stopProc(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  const late = sleep(3000).then(() => 'late');
  if ((await Promise.race([proc.exited, late])) === 'late') {
    proc.kill('SIGKILL');
    await proc.exited;
  }
}

// Starts dummy-ups and upsd. Resolves to { port, ups, set(vars), stopServer(),
// startServer(), stop() } once upsd answers with the initial status.
export async function startNut({ ups = 'dummy', vars = {}, port } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-nut-'));
  chmodSync(dir, 0o755);
  port = port || (await freePort());
  const dev = join(dir, `${ups}.dev`);
  writeFileSync(dev, devText(vars));
  writeFileSync(join(dir, 'nut.conf'), 'MODE=standalone\n');
  writeFileSync(join(dir, 'ups.conf'), `[${ups}]\n  driver = dummy-ups\n  port = ${dev}\n  pollinterval = 1\n  desc = "test UPS"\n`);
  writeFileSync(join(dir, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nMAXAGE 30\n`);
  writeFileSync(join(dir, 'upsd.users'), '[monitor]\n  password = not-used-by-tests\n  upsmon primary\n');
  const env = { NUT_CONFPATH: dir, NUT_STATEPATH: dir, NUT_ALTPIDPATH: dir };
  const asRoot = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const nut = { dir, port, ups, driver: null, upsd: null };

  async function waitStatus(want, timeoutMs = 10000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const status = await nutGet(port, ups, 'ups.status');
      if (status !== null && (want === undefined || status === want)) return status;
      await sleep(100);
    }
    throw new Error(`upsd did not report ups.status ${want ?? '(any)'} in ${timeoutMs} ms:\n${nut.driver?.output()}\n${nut.upsd?.output()}`);
  }

  nut.startServer = async () => {
    nut.upsd = run(UPSD, ['-F', ...asRoot], env);
    await waitStatus(undefined);
  };
  nut.stopServer = async () => stopProc(nut.upsd);
  // Rewrites the .dev file; resolves when upsd reports the new status.
  let version = 0;
  nut.set = async (newVars) => {
    writeFileSync(dev, devText(newVars));
    const t = new Date(Date.now() + 1000 * ++version); // a timestamp that surely changed
    utimesSync(dev, t, t);
    await waitStatus(newVars.status || 'OL');
  };
  nut.stop = async () => {
    await stopProc(nut.upsd);
    await stopProc(nut.driver);
    rmSync(dir, { recursive: true, force: true });
  };

  nut.driver = run(DRIVER, ['-a', ups, '-F', ...asRoot], env);
  try {
    await sleep(300);
    await nut.startServer();
    await waitStatus(vars.status || 'OL');
  } catch (err) {
    await nut.stop();
    throw err;
  }
  return nut;
}
