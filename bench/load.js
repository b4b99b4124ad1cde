// Load generator: N WebSocket clients and one operator in this one process.
// The operator applies a layout every INTERVAL ms; for each change we take the
// time from just before the operator's send to the moment the LAST of the N
// clients has the resulting `wall` event in its message handler (all
// timestamps are performance.now() in this process). The server's CPU over the
// measured changes comes from /proc/<pid>/stat (utime+stime) and, finer, from
// /proc/<pid>/schedstat.
//
//   node bench/load.js '{"url":"ws://127.0.0.1:PORT/ws","pid":1234,"label":"pantau",
//                        "clients":500,"changes":200,"warmup":10,"interval":50}'
// Prints progress on stderr and one JSON result line on stdout.
import { readFileSync } from 'node:fs';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { WALL, layoutFor } from './workload.js';

const opts = { clients: 500, changes: 200, warmup: 10, interval: 50, connectBatch: 50, drainMs: 5000, ...JSON.parse(process.argv[2]) };
const { url, pid, label, clients: N, changes: M, warmup: W, interval } = opts;
const TOTAL = W + M;
const WS_OPTS = { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 10000 };
const log = (...a) => console.error(`load[${label}]:`, ...a);

const CLK_TCK = 100; // Linux USER_HZ; getconf CLK_TCK on every Linux we run on
function cpuOf(p) {
  const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  const ticks = Number(f[11]) + Number(f[12]); // fields 14 utime, 15 stime
  const schedNs = Number(readFileSync(`/proc/${p}/schedstat`, 'utf8').split(' ')[0]);
  return { ticks, schedNs };
}

// recv[c * TOTAL + k]: when client c got the wall event of change k (0 = not yet).
const recv = new Float64Array(N * TOTAL);
const got = new Int32Array(TOTAL); // how many clients have change k
const tSend = new Float64Array(TOTAL);
const versionToChange = new Map();
const waiters = new Map(); // change k -> resolve when all N have it
let wallBytes = 0;
let strayWalls = 0;

const WALL_TAG = Buffer.from('"ev":"wall"');
const DATA_TAG = Buffer.from('"ev":"data"');
const dataAt = []; // when clients read a clock `data` event, in order
const VERSION_TAG = Buffer.from('"version":');

function onClientMessage(c, buf) {
  const now = performance.now();
  // Cheap checks on the raw bytes; no JSON.parse on the hot path.
  if (buf.indexOf(WALL_TAG) !== 1) {
    if (buf.indexOf(DATA_TAG) === 1) dataAt.push(now);
    return;
  }
  let i = buf.indexOf(VERSION_TAG) + VERSION_TAG.length;
  let v = 0;
  for (let ch = buf[i]; ch >= 48 && ch <= 57; ch = buf[++i]) v = v * 10 + (ch - 48);
  const k = versionToChange.get(v);
  if (k === undefined) { strayWalls++; return; }
  if (recv[c * TOTAL + k] !== 0) return;
  recv[c * TOTAL + k] = now;
  wallBytes = buf.length;
  if (++got[k] === N) {
    const w = waiters.get(k);
    if (w) { waiters.delete(k); w(); }
  }
}

function allHave(k, timeoutMs) {
  if (got[k] === N) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => { waiters.delete(k); resolve(false); }, timeoutMs);
    waiters.set(k, () => { clearTimeout(t); resolve(true); });
  });
}

function connect(c) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, WS_OPTS);
    let first = true;
    ws.on('message', (data) => {
      if (first) { first = false; resolve(ws); return; } // the snapshot
      onClientMessage(c, data);
    });
    ws.on('error', (e) => { if (first) reject(e); else log(`client ${c}: ${e.message}`); });
    ws.on('close', (code) => { if (!stopping) log(`client ${c} closed (${code})`); });
  });
}

let stopping = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const tConnect = performance.now();
  const sockets = [];
  for (let c = 0; c < N; c += opts.connectBatch) {
    const batch = [];
    for (let j = c; j < Math.min(N, c + opts.connectBatch); j++) batch.push(connect(j));
    sockets.push(...(await Promise.all(batch)));
  }
  log(`${N} clients connected in ${Math.round(performance.now() - tConnect)} ms`);

  // The operator: its own connection; keeps the wall's newest version from
  // replies and wall events, as protocol.md asks.
  const op = new WebSocket(url, WS_OPTS);
  let version = null;
  let replyPending = null; // settles when the operator's last request has its reply
  let replyResolve = null;
  let errors = 0;
  let nextId = 1;
  await new Promise((resolve, reject) => {
    op.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.ev === 'snapshot') {
        version = m.walls.find((w) => w.id === WALL.id).version;
        resolve();
      } else if (m.ev === 'wall' && m.wall.id === WALL.id) {
        version = Math.max(version, m.wall.version);
      } else if ('re' in m) {
        if (m.ok) version = Math.max(version, m.ok.version);
        else { errors++; log('error reply', JSON.stringify(m.error)); if (m.error.current) version = m.error.current; }
        if (replyResolve) { replyResolve(); replyResolve = null; replyPending = null; }
      }
    });
    op.once('error', reject);
  });
  const layouts = [layoutFor(1), layoutFor(2), layoutFor(3), layoutFor(0)];

  let late = 0;
  let cpu0 = null;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let ownCpu0 = null;
  const start = performance.now() + 100;
  for (let k = 0; k < TOTAL; k++) {
    if (k === W) {
      // Warm-up done: wait for its last change to land, then start measuring.
      if (W > 0) await allHave(W - 1, opts.drainMs);
      cpu0 = cpuOf(pid);
      ownCpu0 = process.cpuUsage();
      loop.enable();
    }
    await sleep(start + k * interval - performance.now());
    // The next change is based on the version from the last reply: if that
    // reply is not in yet, send as soon as it is (and count the change late).
    if (replyPending) { late++; await replyPending; }
    const id = nextId++;
    versionToChange.set(version + 1, k);
    const msg = JSON.stringify({ op: 'layout.apply', id, wall: WALL.id, version, layout: layouts[k % layouts.length] });
    replyPending = new Promise((r) => { replyResolve = r; });
    tSend[k] = performance.now();
    op.send(msg);
  }
  const complete = await allHave(TOTAL - 1, opts.drainMs);
  const cpu1 = cpuOf(pid);
  const ownCpu = process.cpuUsage(ownCpu0);
  loop.disable();

  // Per change: time until the last client had it (and the first, for spread).
  const last = [], first = [], clean = [], hit = [];
  let missing = 0;
  for (let k = W; k < TOTAL; k++) {
    let lo = Infinity, hi = 0;
    for (let c = 0; c < N; c++) {
      const t = recv[c * TOTAL + k];
      if (t === 0) { missing++; continue; }
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    last.push(hi - tSend[k]);
    first.push(lo - tSend[k]);
    // Did any client read a data event between the send and the last client
    // having this change? Then the change competed with that burst.
    let a = 0, b = dataAt.length;
    while (a < b) { const m = (a + b) >> 1; if (dataAt[m] < tSend[k]) a = m + 1; else b = m; }
    const overlapped = a < dataAt.length && dataAt[a] <= hi;
    hit.push(overlapped ? 1 : 0);
    if (!overlapped) clean.push(hi - tSend[k]);
  }
  const sl = [...last].sort((a, b) => a - b);
  const sf = [...first].sort((a, b) => a - b);
  const sc = [...clean].sort((a, b) => a - b);
  const ms = (ns) => ns / 1e6;
  const result = {
    label, clients: N, changes: M, warmup: W, interval, complete, missing, errors, late, strayWalls,
    wallBytes,
    last: { p50: round(pct(sl, 50)), p99: round(pct(sl, 99)), max: round(sl[sl.length - 1]), mean: round(sl.reduce((a, b) => a + b, 0) / sl.length) },
    first: { p50: round(pct(sf, 50)), p99: round(pct(sf, 99)), max: round(sf[sf.length - 1]) },
    overlapped: M - sc.length,
    clean: sc.length ? { n: sc.length, p50: round(pct(sc, 50)), p99: round(pct(sc, 99)), max: round(sc[sc.length - 1]) } : { n: 0, p50: 0, p99: 0, max: 0 },
    serverCpuPerChangeMs: round(((cpu1.ticks - cpu0.ticks) * 1000) / CLK_TCK / M),
    serverSchedPerChangeMs: round(ms(cpu1.schedNs - cpu0.schedNs) / M),
    clientCpuPerChangeMs: round((ownCpu.user + ownCpu.system) / 1000 / M),
    clientLoopDelayMs: { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
    samples: last.map((x) => round(x)),
    firstSamples: first.map((x) => round(x)),
    hit,
  };
  stopping = true;
  for (const ws of sockets) ws.terminate();
  op.terminate();
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

setTimeout(() => { log('gave up after 120 s'); process.exit(3); }, 120000).unref();
main().catch((e) => { log(e.stack || String(e)); process.exit(2); });
