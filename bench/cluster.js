// make bench-cluster (issue 17): a change made on one node received by every
// client of another, against the same change on a single node, in one run;
// and what NATS costs per change (CPU, latency).
//
//   node bench/cluster.js [BUILD_DIR]     (BENCH_CLIENTS, default 100)
//
// Three scenarios, one after the other, each: CLIENTS WebSocket clients on
// the receiving node, an operator applying bench/workload.js's layouts
// every 50 ms (WARMUP not counted, then CHANGES measured), and for each
// change the time from the operator's send until the last client has its
// `wall` event, and until the operator has its reply:
//   single  one pantau, state in files (fsync), no NATS
//   A->B    three nats-server (JetStream, R3) and two pantau nodes: the
//           operator on A, the clients on B
//   B->B    the same cluster, the operator on B too: what the bucket adds on
//           one node
// CPU per change: utime+stime of all threads over the measured changes of
// each pantau and of the three nats-server processes together.
// Loopback only; stops by itself.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { startServer, stopServer } from '../tests/lib/harness.js';
import { startNatsCluster } from '../tests/lib/nats.js';
import { layoutFor, pantauConfig, WALL } from './workload.js';

const build = resolve(process.argv[2] || 'build');
process.env.PANTAU_BIN ||= `${build}/core/pantau`;
process.env.PANTAU_PLUGIN_DIR ||= `${build}/lib/pantau/plugins`;
const CLIENTS = Number(process.env.BENCH_CLIENTS || 100);
const WARMUP = 20;
const CHANGES = 200;
const PERIOD_MS = 50;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A process's CPU, every thread (utime+stime of /proc/PID/stat), in ns.
function cpuNs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 1e7; // USER_HZ 100
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// A socket with onMessage attached before it opens (the snapshot may come
// in the handshake's packet).
function connect(url, onMessage) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', onMessage);
    ws.once('open', () => res(ws));
    ws.once('error', rej);
  });
}

// Runs one scenario: the operator's socket on opUrl, the clients on rxUrl.
// pids: { name: pid } whose CPU is counted. Returns the figures.
async function scenario(label, opUrl, rxUrl, pids) {
  let version = 0;
  const waiting = new Map(); // version -> { left, resolve }
  const replies = new Map(); // request id -> resolve
  const seenBy = (buf) => {
    const text = String(buf);
    if (!text.includes('"ev":"wall"')) return;
    const v = JSON.parse(text).wall.version;
    const w = waiting.get(v);
    if (w && --w.left === 0) { waiting.delete(v); w.resolve(performance.now()); }
  };
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await connect(rxUrl, seenBy));
  const op = await connect(opUrl, (buf) => {
    const m = JSON.parse(String(buf));
    if (m.ev === 'snapshot') version = m.walls.find((w) => w.id === WALL.id).version;
    if (m.re !== undefined && replies.has(m.re)) { replies.get(m.re)(m); replies.delete(m.re); }
  });
  for (let t = 0; !version; t++) {
    if (t > 500) throw new Error(`${label}: no snapshot`);
    await sleep(10);
  }
  while (!version) await sleep(10);
  const fanout = [];
  const reply = [];
  let cpu0;
  for (let k = 0; k < WARMUP + CHANGES; k++) {
    if (k === WARMUP) cpu0 = Object.fromEntries(Object.entries(pids).map(([n, p]) => [n, cpuNs(p)]));
    const next = version + 1;
    const all = new Promise((res) => waiting.set(next, { left: CLIENTS, resolve: res }));
    const answered = new Promise((res) => replies.set(k + 1, res));
    const t0 = performance.now();
    op.send(JSON.stringify({ op: 'layout.apply', id: k + 1, wall: WALL.id, version, layout: layoutFor(k + 1) }));
    const r = await Promise.race([answered, sleep(10000).then(() => ({ error: 'no reply in 10 s' }))]);
    if (!r.ok) throw new Error(`${label}: change ${k}: ${JSON.stringify(r)}`);
    const tReply = performance.now();
    const tAll = await Promise.race([all, sleep(10000).then(() => { throw new Error(`${label}: change ${k} not seen by all in 10 s`); })]);
    version = r.ok.version;
    if (k >= WARMUP) { fanout.push(tAll - t0); reply.push(tReply - t0); }
    await sleep(Math.max(0, PERIOD_MS - (performance.now() - t0)));
  }
  const cpu = Object.fromEntries(Object.entries(pids).map(([n, p]) => [n, (cpuNs(p) - cpu0[n]) / CHANGES / 1000]));
  for (const c of [...clients, op]) c.terminate();
  fanout.sort((a, b) => a - b);
  reply.sort((a, b) => a - b);
  return { label, fanout, reply, cpu };
}

function row(r) {
  const f = (x) => x.toFixed(2).padStart(7);
  const cpu = Object.entries(r.cpu).map(([n, us]) => `${n} ${us.toFixed(0)}`).join(', ');
  return `| ${r.label.padEnd(7)} | ${f(pct(r.fanout, 50))} | ${f(pct(r.fanout, 99))} | ${f(r.fanout.at(-1))} | ${f(pct(r.reply, 50))} | ${f(pct(r.reply, 99))} | ${cpu} |`;
}

async function main() {
  const results = [];
  const single = await startServer({ config: pantauConfig() });
  try {
    results.push(await scenario('single', single.wsUrl, single.wsUrl, { pantau: single.proc.pid }));
  } finally {
    await stopServer(single);
    single.cleanup();
  }
  const nats = await startNatsCluster(3);
  const nodes = [];
  try {
    for (const node of ['a', 'b']) {
      const config = { ...pantauConfig(), cluster: { nats: nats.urls, node, bucket: 'bench', replicas: 3 } };
      nodes.push(await startServer({ config }));
    }
    const [a, b] = nodes;
    const pids = { A: a.proc.pid, B: b.proc.pid };
    nats.servers.forEach((s, i) => { pids[`nats${i}`] = s.proc.pid; });
    results.push(await scenario('A->B', a.wsUrl, b.wsUrl, pids));
    results.push(await scenario('B->B', b.wsUrl, b.wsUrl, pids));
  } finally {
    for (const s of nodes) { await stopServer(s); s.cleanup(); }
    await nats.stopAll();
    nats.cleanup();
  }
  console.log(`cluster bench: ${CLIENTS} clients on the receiving node, ${CHANGES} changes every ${PERIOD_MS} ms after ${WARMUP} warm-up`);
  console.log('| run     | all clients p50 ms | p99 | max | reply p50 ms | p99 | CPU per change, µs (utime+stime, all threads) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) console.log(row(r));
}

main().catch((err) => { console.error(err); process.exit(1); });
