// Media benchmark driver (make bench-media): 16 cameras (720p H.264, about
// 2 Mbit/s each) fanned out to 8 WebSocket clients, three ways in one run:
//
//   pantau  build/core/pantau with the cctv plugin, 16 `rtsp` sources (TCP)
//           on 16 test RTSP servers (pantau-test-rtsp) that serve the
//           pre-encoded clips from files;
//   node-ws bench/media-node-relay.js, a plain Node.js `ws` relay fed the
//           same access units over local TCP by `media-floor feed` (no RTSP);
//   floor   `media-floor serve`, a minimal C program that send()s the same
//           bytes (same frame sizes, same rates) to the same readers;
//   pantau-rec the pantau run again with every camera recorded (issue 16):
//           its added latency against pantau's, its CPU, the disk write rate.
//
// The server under test is pinned to CPU 1, everything else (load
// generator, RTSP servers, feeder) to CPU 0. bench/media-loadgen.c (8
// clients, each subscribed to every camera) measures, after a warm-up: the
// added latency of every frame (its read time minus the header's receive
// time, CLOCK_REALTIME), the delivered bytes, the server's CPU and memory.
// Prints a table and the issue's targets (MET/MISSED); figures are printed,
// never asserted. Raw results: BUILD_DIR/bench-media-results.json.
//
//   node bench/media-bench.js BUILD_DIR      (normally via bench/media-run.sh)
// Environment: BENCH_CAMERAS (16), BENCH_CLIENTS (8), BENCH_WARMUP_S (6),
// BENCH_MEASURE_S (30), BENCH_ONLY (comma list of pantau,pantau-gst,pantau-rec,node,floor),
// BENCH_PIN (1), BENCH_PERF (0; 1: perf record -g pantau during its window,
// into BUILD_DIR/bench/perf-pantau.data; perf's overhead then shows in
// pantau's CPU figure), BENCH_STRICT (0; 1: exit 1 when a target is missed),
// BENCH_ROUNDS (1; N: the chosen runs N times over, interleaved — pantau,
// pantau-rec, pantau, pantau-rec, … — so that the machine's other load
// falls on both alike; the figures compared are the medians over the rounds,
// with each round's and the spread, the run-to-run noise).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const buildDir = resolve(repoRoot, process.argv[2] || 'build');
process.env.PANTAU_BIN ||= join(buildDir, 'core', 'pantau');
process.env.PANTAU_PLUGIN_DIR ||= join(buildDir, 'lib', 'pantau', 'plugins');
const { startServer } = await import('../tests/lib/server.js');
const { freePort } = await import('../tests/lib/rtsp.js');

const env = process.env;
const P = {
  cameras: Number(env.BENCH_CAMERAS || 16),
  clients: Number(env.BENCH_CLIENTS || 8),
  warmupS: Number(env.BENCH_WARMUP_S || 6),
  measureS: Number(env.BENCH_MEASURE_S || 30),
  fps: 25,
  rounds: Math.max(1, Number(env.BENCH_ROUNDS || 1)),
};
P.staggerMs = 2000 / P.cameras; // keyframes (every 2 s) spread evenly over the cameras
const TARGETS = { p99Ms: 2, vsNode: 0.7, vsFloor: 1.5, rssMb: 100 };
const benchDir = join(buildDir, 'bench');
const clipDir = join(benchDir, 'clips');
const clipNames = ['clip1', 'clip2', 'clip3', 'clip4'];
const rtspBin = env.PANTAU_TEST_RTSP || join(buildDir, 'tests', 'tools', 'pantau-test-rtsp');
const loadgenBin = join(benchDir, 'media-loadgen');
const floorBin = join(benchDir, 'media-floor');
const pin = env.BENCH_PIN !== '0' && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
const SERVER_CPU = '1';
const LOAD_CPU = '0';
const only = env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- cleanup: everything started here dies with the run ----
const children = new Set();
const cleanups = [];
function killAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) try { f(); } catch { /* best effort */ }
}
function cleanupAndExit(code) { killAll(); process.exit(code); }
const watchdog = setTimeout(() => { console.error('bench-media: over the time allowed; giving up'); cleanupAndExit(4); },
  300000 * Math.max(1, Number(env.BENCH_ROUNDS || 1)));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.error(`bench-media: ${sig}`); cleanupAndExit(130); });
process.on('uncaughtException', (e) => { console.error(`bench-media: ${e.stack || e}`); cleanupAndExit(1); });

// Spawns cmd (on CPU cpu when pinning); tracked for cleanup.
function start(cpu, cmd, args, opts = {}) {
  const child = pin ? spawn('taskset', ['-c', cpu, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
    : spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  child.exited = new Promise((res) => child.on('exit', (code, signal) => { children.delete(child); res({ code, signal }); }));
  return child;
}

// Resolves with the first match of re in child's output.
function waitOutput(child, re, what, ms = 10000) {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${what} not ready in ${ms / 1000} s:\n${child.output}`)), ms);
    const check = () => { const m = re.exec(child.output); if (m) { clearTimeout(t); res(m); } };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.exited.then(({ code, signal }) => { clearTimeout(t); rej(new Error(`${what} exited (${code ?? signal}):\n${child.output}`)); });
    check();
  });
}

async function stop(child, ms = 3000) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), ms);
  await child.exited;
  clearTimeout(t);
}

// ---- the access units of the clips, for the feeder and the floor ----

// Splits an Annex B byte stream into access units (H.264 7.4.1.2.3: a new
// unit starts at an AUD/SPS/PPS/SEI after a slice, or at a slice with
// first_mb_in_slice 0 after a slice). Flags: 1 keyframe (IDR), 2 SPS/PPS.
function splitAccessUnits(buf) {
  const nals = [];
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      nals.push({ start: i > 0 && buf[i - 1] === 0 ? i - 1 : i, hdr: i + 3 });
      i += 2;
    }
  }
  const aus = [];
  let from = 0;
  let vcl = false;
  let flags = 0;
  for (const { start, hdr } of nals) {
    const type = buf[hdr] & 0x1f;
    const isVcl = type >= 1 && type <= 5;
    const boundary = vcl && (((type >= 6 && type <= 9) || (type >= 14 && type <= 18)) || (isVcl && (buf[hdr + 1] & 0x80)));
    if (boundary && start > from) {
      aus.push({ from, to: start, flags });
      from = start;
      vcl = false;
      flags = 0;
    }
    if (isVcl) vcl = true;
    if (type === 5) flags |= 1;
    if (type === 7 || type === 8) flags |= 2;
  }
  if (nals.length) aus.push({ from, to: buf.length, flags });
  return aus;
}

// clipN.h264 -> clipN.aus ([u32 LE length][u32 LE flags][unit]...), cached.
function prepareClips() {
  const stats = [];
  for (const name of clipNames) {
    const h264 = join(clipDir, `${name}.h264`);
    const out = join(clipDir, `${name}.aus`);
    if (!existsSync(h264)) throw new Error(`no ${h264}; run bench/media-run.sh`);
    const buf = readFileSync(h264);
    const aus = splitAccessUnits(buf);
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(h264).mtimeMs) {
      const parts = [];
      for (const a of aus) {
        const head = Buffer.alloc(8);
        head.writeUInt32LE(a.to - a.from, 0);
        head.writeUInt32LE(a.flags, 4);
        parts.push(head, buf.subarray(a.from, a.to));
      }
      writeFileSync(out, Buffer.concat(parts));
    }
    const keys = aus.filter((a) => a.flags & 1);
    stats.push({
      name, units: aus.length, keyframes: keys.length,
      kbps: (buf.length * 8) / (aus.length / P.fps) / 1000,
      keyframeBytes: Math.round(keys.reduce((s, a) => s + a.to - a.from, 0) / Math.max(1, keys.length)),
    });
  }
  return stats;
}

// ---- one measurement ----

function runLoadgen(label, port, path, pids) {
  const subscribe = JSON.stringify({ op: 'subscribe', id: 1, sources: Array.from({ length: P.cameras }, (_, i) => `cam${i + 1}`) });
  const lg = start(LOAD_CPU, loadgenBin, ['127.0.0.1', String(port), path, pids.join(','), label, String(P.clients),
    String(P.warmupS), String(P.measureS), subscribe]);
  lg.stderr.on('data', (d) => process.stderr.write(d));
  return lg.exited.then(({ code, signal }) => {
    if (code !== 0) throw new Error(`load generator for ${label} failed (${code ?? signal})`);
    const lines = lg.output.trim().split('\n').filter((l) => l.startsWith('{'));
    return JSON.parse(lines.pop());
  });
}

function pantauConfig(urls, recording) {
  const ids = urls.map((_, i) => `cam${i + 1}`);
  const side = Math.ceil(Math.sqrt(ids.length));
  return {
    server: { listen: '127.0.0.1', port: 0, ...(recording ? { recording } : {}) },
    plugins: { load: ['cctv'] },
    sources: urls.map((url, i) => ({
      id: ids[i], type: 'rtsp', name: `Bench camera ${i + 1}`,
      settings: { url, transport: 'tcp', latency_ms: 200 },
    })),
    walls: [{
      id: 'main', name: 'Bench wall',
      displays: { columns: 2, rows: 2, width: 1920, height: 1080, bezel: { x: 10, y: 10 } },
      layout: {
        columns: side, rows: side,
        tiles: ids.map((id, i) => ({ id: `t${i + 1}`, x: i % side, y: Math.floor(i / side), w: 1, h: 1, source: id })),
      },
    }],
  };
}

// The size in bytes of the files under dir (0 when there is none).
function treeBytes(dir) {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? treeBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

// label, the server's environment, and with record: every camera recorded
// (issue 16) into a fresh folder, whose growth over the measured window is
// the disk write rate.
async function benchPantau(label = 'pantau', env = {}, record = false) {
  // 16 RTSP servers, one camera each, started STAGGER apart so that the
  // cameras' keyframes do not all fall at once (real cameras are not
  // synchronised); they play their files from start-up on.
  const rtsp = [];
  const urls = [];
  cleanups.push(() => { for (const r of rtsp) r.kill('SIGKILL'); });
  const t0 = Date.now();
  for (let c = 0; c < P.cameras; c++) {
    const port = await freePort();
    await sleep(Math.max(0, t0 + c * P.staggerMs - Date.now()));
    const clip = join(clipDir, `${clipNames[c % clipNames.length]}.mp4`);
    rtsp.push(start(LOAD_CPU, rtspBin, ['--port', String(port), '--stream', `/cam=file:${clip}`]));
    urls.push(`rtsp://127.0.0.1:${port}/cam`);
  }
  let server;
  let perf;
  try {
    await Promise.all(rtsp.map((r, i) => waitOutput(r, /ready on rtsp:/, `test RTSP server ${i + 1}`)));
    const recordDir = record ? mkdtempSync(join(tmpdir(), 'pantau-bench-rec-')) : null;
    if (recordDir) cleanups.push(() => rmSync(recordDir, { recursive: true, force: true }));
    server = await startServer({ config: pantauConfig(urls, recordDir && { enabled: true, path: recordDir }), env });
    children.add(server.proc);
    cleanups.push(() => server.cleanup());
    if (pin) spawnSync('taskset', ['-a', '-p', '-c', SERVER_CPU, String(server.proc.pid)], { stdio: 'ignore' });
    if (process.env.BENCH_PERF === '1') {
      setTimeout(() => {
        perf = start(LOAD_CPU, 'perf', ['record', '-g', '-F', '499', '-o', join(benchDir, `perf-${label}.data`), '-p',
          String(server.proc.pid), '--', 'sleep', String(P.measureS)]);
      }, (P.warmupS + 0.5) * 1000);
    }
    let disk0 = null;
    if (recordDir) setTimeout(() => { disk0 = { bytes: treeBytes(recordDir), t: Date.now() }; }, P.warmupS * 1000);
    const r = await runLoadgen(label, server.port, '/ws', [server.proc.pid, ...rtsp.map((p) => p.pid)]);
    if (recordDir && disk0) r.diskMBps = (treeBytes(recordDir) - disk0.bytes) / 1e6 / ((Date.now() - disk0.t) / 1000);
    if (perf) await perf.exited;
    r.helper = `${P.cameras} RTSP servers`;
    return r;
  } finally {
    if (server) {
      await server.stop();
      children.delete(server.proc);
    }
    await Promise.all(rtsp.map((p) => stop(p)));
  }
}

function clipFiles() { return clipNames.map((n) => join(clipDir, `${n}.aus`)); }
const replaySeconds = () => String(P.warmupS + P.measureS + 20);

async function benchNode() {
  const relay = start(SERVER_CPU, process.execPath, [join(here, 'media-node-relay.js')]);
  try {
    const m = await waitOutput(relay, /ready on ws:\/\/127\.0\.0\.1:(\d+)\/ feed 127\.0\.0\.1:(\d+)/, 'node relay');
    const feeder = start(LOAD_CPU, floorBin, ['feed', '127.0.0.1', m[2], String(P.cameras), String(P.fps), String(P.staggerMs),
      replaySeconds(), ...clipFiles()]);
    try {
      const r = await runLoadgen('node-ws', Number(m[1]), '/', [relay.pid, feeder.pid]);
      r.helper = 'feeder';
      return r;
    } finally {
      await stop(feeder);
    }
  } finally {
    await stop(relay);
  }
}

async function benchFloor() {
  const floor = start(SERVER_CPU, floorBin, ['serve', String(P.clients), String(P.cameras), String(P.fps), String(P.staggerMs),
    replaySeconds(), ...clipFiles()]);
  try {
    const m = await waitOutput(floor, /ready on ws:\/\/127\.0\.0\.1:(\d+)\//, 'floor');
    const r = await runLoadgen('floor', Number(m[1]), '/', [floor.pid]);
    r.helper = '-';
    return r;
  } finally {
    await stop(floor);
  }
}

// ---- report ----

const mb = (kb) => (kb / 1024).toFixed(1);
const cpuPerGbit = (r) => r.serverCpuS / ((r.bytes * 8) / 1e9);

function table(rows, head) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c) => `| ${c.map((x, i) => x.padEnd(w[i])).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function machine() {
  const lines = [];
  lines.push(`${cpus().length} CPUs (${cpus()[0]?.model || '?'})`);
  return lines.join(', ');
}

const load0 = loadavg();
console.log(`bench-media: ${P.cameras} cameras (720p25 H.264 ~2 Mbit/s, keyframe every 2 s, staggered ${P.staggerMs} ms) x ` +
  `${P.clients} clients; warm-up ${P.warmupS} s, measured ${P.measureS} s; ${machine()}` +
  `${pin ? `; server on CPU ${SERVER_CPU}, load generator / RTSP servers / feeder on CPU ${LOAD_CPU}` : '; no pinning'}`);
console.log(`bench-media: load average before: ${load0.map((x) => x.toFixed(2)).join(' ')}`);
let clipStats;
try {
  clipStats = prepareClips();
} catch (e) { console.error(`bench-media: ${e.message}`); cleanupAndExit(1); }
for (const c of clipStats) {
  console.log(`bench-media: ${c.name}: ${c.units} access units, ${c.keyframes} keyframes (${(c.keyframeBytes / 1024).toFixed(0)} KiB each), ${c.kbps.toFixed(0)} kbit/s`);
}
const meanKbps = clipStats.reduce((s, c) => s + c.kbps, 0) / clipStats.length;
const expectedMbps = (meanKbps * P.cameras * P.clients) / 1000;

// pantau-gst: the same pantau with every camera through GStreamer's rtspsrc
// (PANTAU_CCTV_GSTREAMER_RTSP=1), the path UDP and rtsps:// cameras take.
const runs = [['pantau', () => benchPantau()],
  ['pantau-gst', () => benchPantau('pantau-gst', { PANTAU_CCTV_GSTREAMER_RTSP: '1' })],
  // pantau-rec: the same pantau recording every camera (issue 16).
  ['pantau-rec', () => benchPantau('pantau-rec', {}, true)],
  ['node-ws', benchNode], ['floor', benchFloor]]
  .filter(([name]) => !only || only.some((o) => name === o || name === `${o}-ws`));
const results = {};
const rounds = {}; // name -> every round's result, in order
let failed = false;
for (let round = 1; round <= P.rounds; round++) {
  for (const [name, fn] of runs) {
    try {
      console.log(`bench-media: ${name}${P.rounds > 1 ? ` (round ${round} of ${P.rounds})` : ''}...`);
      const r = await fn();
      r.loadavg1 = loadavg()[0];
      (rounds[name] ||= []).push(r);
    } catch (e) {
      failed = true;
      console.error(`bench-media: ${name}: ${e.message}`);
    }
  }
}
clearTimeout(watchdog);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Each name's figure: its only run, or (rounds) the run of the median p99.
for (const [name, rs] of Object.entries(rounds)) {
  const m = median(rs.map((r) => r.latencyUs.p99));
  results[name] = rs.reduce((best, r) => (Math.abs(r.latencyUs.p99 - m) < Math.abs(best.latencyUs.p99 - m) ? r : best));
  if (rs.length > 1) results[name] = { ...results[name], latencyUs: { ...results[name].latencyUs, p99: m } };
}
const load1 = loadavg();

const node = results['node-ws'];
const floor = results.floor;
const rows = Object.values(results).map((r) => {
  const per = cpuPerGbit(r);
  const busy = r.cpuBusyPct || [];
  const other = pin && busy.length > 1 ? Math.max(0, busy[1] - (100 * r.serverCpuS) / r.windowS) : null;
  return [
    r.label,
    (r.mbps).toFixed(1),
    (r.frames / r.windowS / r.clients).toFixed(1),
    `${(r.latencyUs.p50 / 1000).toFixed(2)} / ${(r.latencyUs.p99 / 1000).toFixed(2)} / ${(r.latencyUs.max / 1000).toFixed(2)}`,
    `${((100 * r.serverCpuS) / r.windowS).toFixed(1)}%`,
    per.toFixed(3),
    node ? (per / cpuPerGbit(node)).toFixed(2) : '-',
    floor ? (per / cpuPerGbit(floor)).toFixed(2) : '-',
    `${mb(r.rssKb)} / ${mb(r.hwmKb)}`,
    `${((100 * r.helperCpuS) / r.windowS).toFixed(1)}% ${r.helper}`,
    `${r.loadgenBatchMs.p99.toFixed(2)} ms`,
    other === null ? '-' : `${other.toFixed(1)}%`,
  ];
});
if (rows.length) {
  console.log(`\n${table(rows, ['server', 'delivered Mbit/s', 'frames/s per client', 'added latency p50 / p99 / max ms',
    'server CPU', 'CPU s per Gbit', 'vs node', 'vs floor', 'RSS / peak MB', 'helpers CPU', 'load-gen lag p99', 'other load on CPU 1'])}\n`);
}
console.log(`expected delivery: ${P.cameras} cameras x ${meanKbps.toFixed(0)} kbit/s x ${P.clients} clients = ${expectedMbps.toFixed(1)} Mbit/s of video, ` +
  `${P.cameras * P.fps} frames/s per client`);
for (const r of Object.values(results)) {
  const problems = [];
  if (r.streams !== P.cameras) problems.push(`${r.streams} of ${P.cameras} streams seen`);
  if (r.closed) problems.push(`${r.closed} clients closed`);
  if (r.negative) problems.push(`${r.negative} frames with a receive time in the future`);
  if (r.framesPerClientMin < 0.97 * P.cameras * P.fps * r.windowS) problems.push(`a client got only ${r.framesPerClientMin} frames`);
  if (problems.length) console.log(`bench-media: ${r.label}: ${problems.join('; ')}`);
}
const pt = results.pantau;
for (const r of [pt, results['pantau-gst'], results['pantau-rec']]) {
  if (!r?.threads) continue;
  // Thread names without their numbers: GStreamer's task0..task15 are one group.
  const groups = {};
  for (const [name, t] of Object.entries(r.threads)) {
    const g = (groups[name.replace(/\d+$/, '')] ||= { n: 0, cpuS: 0 });
    g.n += t.n;
    g.cpuS += t.cpuS;
  }
  r.threadGroups = groups;
  const top = Object.entries(groups).sort((a, b) => b[1].cpuS - a[1].cpuS).slice(0, 8)
    .map(([name, t]) => `${name}${t.n > 1 ? ` x${t.n}` : ''} ${((100 * t.cpuS) / r.windowS).toFixed(1)}%`);
  console.log(`${r.label} CPU by thread name (% of one core): ${top.join(', ')}`);
}

const verdicts = [];
function target(ok, text) {
  verdicts.push({ ok, text });
  console.log(`target ${ok === null ? 'NOT CHECKED' : ok ? 'MET' : 'MISSED'}: ${text}`);
  if (ok === false && env.BENCH_STRICT === '1') failed = true;
}
if (pt) {
  target(pt.latencyUs.p99 < TARGETS.p99Ms * 1000, `pantau added latency p99 ${(pt.latencyUs.p99 / 1000).toFixed(2)} ms (target < ${TARGETS.p99Ms} ms` +
    `${node ? `; node-ws ${(node.latencyUs.p99 / 1000).toFixed(2)} ms` : ''})`);
  if (node) {
    const ratio = cpuPerGbit(pt) / cpuPerGbit(node);
    target(ratio <= TARGETS.vsNode, `pantau CPU per delivered Mbit/s ${ratio.toFixed(2)}x node-ws's (target <= ${TARGETS.vsNode}x)`);
  } else target(null, 'CPU vs node-ws (needs node-ws)');
  if (floor) {
    const ratio = cpuPerGbit(pt) / cpuPerGbit(floor);
    target(ratio <= TARGETS.vsFloor, `pantau CPU per delivered Mbit/s ${ratio.toFixed(2)}x the floor's (target <= ${TARGETS.vsFloor}x)`);
  } else target(null, 'CPU vs the floor (needs floor)');
  target(pt.hwmKb / 1024 < TARGETS.rssMb, `pantau resident memory ${mb(pt.rssKb)} MB, peak ${mb(pt.hwmKb)} MB (target < ${TARGETS.rssMb} MB)`);
}
const rec = results['pantau-rec'];
if (P.rounds > 1) {
  const ms = (us) => (us / 1000).toFixed(2);
  for (const [name, rs] of Object.entries(rounds)) {
    const p99 = rs.map((r) => r.latencyUs.p99);
    const other = rs.map((r) => {
      const busy = r.cpuBusyPct || [];
      return pin && busy.length > 1 ? `${Math.max(0, busy[1] - (100 * r.serverCpuS) / r.windowS).toFixed(0)}%` : '-';
    });
    console.log(`rounds: ${name} p99 ${p99.map(ms).join(', ')} ms (median ${ms(median(p99))}, spread ` +
      `${ms(Math.max(...p99) - Math.min(...p99))}); server CPU ${rs.map((r) => `${((100 * r.serverCpuS) / r.windowS).toFixed(1)}%`).join(', ')}; ` +
      `other load on CPU 1 ${other.join(', ')}; load average ${rs.map((r) => r.loadavg1.toFixed(1)).join(', ')}`);
  }
  const a = rounds.pantau || [];
  const b = rounds['pantau-rec'] || [];
  if (a.length && b.length) {
    const diffs = a.slice(0, b.length).map((r, i) => b[i].latencyUs.p99 - r.latencyUs.p99);
    console.log(`rounds: pantau-rec minus pantau, p99, round by round: ${diffs.map(ms).join(', ')} ms (median ${ms(median(diffs))}; ` +
      `rounds with recording lower: ${diffs.filter((d) => d < 0).length} of ${diffs.length})`);
  }
}
if (pt && rec) {
  const rise = rec.latencyUs.p99 / pt.latencyUs.p99 - 1;
  target(rise <= 0.1, `recording all ${P.cameras} cameras: added latency p99 ${(rec.latencyUs.p99 / 1000).toFixed(2)} ms against ` +
    `${(pt.latencyUs.p99 / 1000).toFixed(2)} ms without (${(100 * rise).toFixed(0)}%; target <= +10%); server CPU ` +
    `${((100 * rec.serverCpuS) / rec.windowS).toFixed(1)}% against ${((100 * pt.serverCpuS) / pt.windowS).toFixed(1)}%; ` +
    `disk writes ${rec.diskMBps?.toFixed(2) ?? '?'} MB/s`);
}
console.log('added latency: a frame\'s read() time in the load generator minus its header\'s receive time (pantau: stamped in');
console.log('media_push, after the RTSP client (pantau-gst: rtspsrc) has depayloaded it; node-ws: when the unit arrived whole');
console.log('from the feeder; floor: when it fell due). The targets are checked for pantau, the default path.');
console.log('server CPU: utime+stime of all its threads from /proc/PID/stat over the measured window; CPU s per Gbit: that over');
console.log('the bits all clients read. "other load on CPU 1": CPU 1 busy time not spent by the server (others compiling, etc.).');
console.log(`bench-media: load average after: ${load1.map((x) => x.toFixed(2)).join(' ')}`);
const outFile = join(buildDir, 'bench-media-results.json');
writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, cpuModel: cpus()[0]?.model, pin,
  params: P, loadavg: { before: load0, after: load1 }, clips: clipStats, expectedMbps, verdicts, results, rounds }, null, 2));
console.log(`raw results: ${outFile}`);
cleanupAndExit(failed ? 1 : 0);
