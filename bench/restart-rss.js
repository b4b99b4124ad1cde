// Where pantau's memory goes when cameras restart (issue 12): STEADY cameras
// that stay up and 2 cameras on an RTSP server that is stopped for DOWN_S
// seconds and started again, RESTARTS times, PERIOD_S seconds apart. One
// client watches every camera. After each period it prints pantau's RSS,
// threads, descriptors and where the RSS is: glibc's main arena (heap), its
// thread arenas (how many heaps, MiB), thread stacks, other anonymous memory.
//   PANTAU_BIN=build/core/pantau PANTAU_PLUGIN_DIR=build/lib/pantau/plugins \
//     node bench/restart-rss.js     # STEADY=4 RESTARTS=8 PERIOD_S=15 DOWN_S=3
// GST=1 sends the cameras through GStreamer's rtspsrc (the path of UDP and
// rtsps:// cameras) instead of the lean client; MALLOC_ARENA_MAX and other
// malloc tunables in the environment reach pantau. The arenas are read with
// gdb (malloc_info) before the first restart and after the last, and once
// more after malloc_trim(0); MALLOC_INFO=0 leaves gdb out.
import { readFileSync } from 'node:fs';
import { startServer, testConfig } from '../tests/lib/server.js';
import { startRtsp } from '../tests/lib/rtsp.js';
import { LightClient, flappingRtsp, mallocInfo, processSample, residentBreakdown, sleep } from './soak-lib.js';

const STEADY = Number(process.env.STEADY ?? 4);
const RESTARTS = Number(process.env.RESTARTS || 8);
const PERIOD_S = Number(process.env.PERIOD_S || 15);
const DOWN_S = Number(process.env.DOWN_S || 3);
const GEOMETRY = process.env.GEOMETRY || '320x180@10';
const MALLOC_INFO = process.env.MALLOC_INFO !== '0';
const FLAPPING = ['f1', 'f2'];

const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()().catch(() => {});
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => cleanup().then(() => process.exit(130)));
process.on('uncaughtException', (err) => { console.error(err); cleanup().then(() => process.exit(1)); });
setTimeout(() => { console.error('restart-rss: watchdog'); cleanup().then(() => process.exit(2)); },
  (RESTARTS * (PERIOD_S + DOWN_S + 30) + 60) * 1000).unref();

const steadyMounts = Object.fromEntries(Array.from({ length: STEADY }, (_, i) => [`/c${i + 1}`, `test:${GEOMETRY}`]));
const steady = STEADY ? await startRtsp({ mounts: steadyMounts }) : null;
if (steady) cleanups.push(() => steady.stop());
const flapper = await flappingRtsp(Object.fromEntries(FLAPPING.map((f) => [`/${f}`, `test:${GEOMETRY}`])));
cleanups.push(() => flapper.stop());

const config = testConfig();
// ARENAS and TRIM_S set server.malloc_arenas and server.heap_trim_s (the
// defaults when unset; 0 and 0: glibc's own behaviour, for comparison).
if (process.env.ARENAS !== undefined) config.server.malloc_arenas = Number(process.env.ARENAS);
if (process.env.TRIM_S !== undefined) config.server.heap_trim_s = Number(process.env.TRIM_S);
config.plugins = { load: ['clock', 'cctv'] };
const cameras = [];
for (let i = 1; i <= STEADY; i++) {
  cameras.push(`c${i}`);
  config.sources.push({ id: `c${i}`, type: 'rtsp', name: `Steady ${i}`, settings: { url: steady.url(`/c${i}`) } });
}
for (const f of FLAPPING) {
  cameras.push(f);
  config.sources.push({ id: f, type: 'rtsp', name: `Flapping ${f}`, settings: { url: flapper.url(`/${f}`) } });
}
const env = process.env.GST === '1' ? { PANTAU_CCTV_GSTREAMER_RTSP: '1' } : {};
const server = await startServer({ config, env });
cleanups.push(async () => { await server.stop(); server.cleanup(); });
const pid = server.proc.pid;

const live = new Set();
const client = new LightClient(server.wsUrl);
// Live: the camera's status is live and its last frame is recent (the
// stats event, every second).
client.onEvent = (msg) => {
  if (msg.ev !== 'stats') return;
  for (const [id, st] of Object.entries(msg.sources)) {
    if (st.status === 'live' && st.last_frame_age_ms !== null && st.last_frame_age_ms < 2000) live.add(id);
    else live.delete(id);
  }
};
await client.opened;
await client.request('subscribe', { sources: cameras });

async function waitLive(ids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!ids.every((id) => live.has(id))) {
    if (Date.now() > deadline) throw new Error(`not live after ${timeoutMs} ms: ${ids.filter((id) => !live.has(id))}`);
    await sleep(200);
  }
}

function row(label) {
  const p = processSample(pid);
  const r = residentBreakdown(pid);
  const mib = (kib, width) => (kib / 1024).toFixed(1).padStart(width);
  console.log(`${label.padEnd(10)} ${mib(p.rssKiB, 8)} ${String(p.threads).padStart(7)} ${String(p.fds).padStart(4)}`
    + ` ${mib(r.heap, 5)} ${String(r.arenaHeaps).padStart(6)} ${mib(r.arenas, 6)} ${mib(r.stacks, 6)} ${mib(r.anon, 5)}`);
}

console.log(`${STEADY} steady + ${FLAPPING.length} flapping cameras (${GEOMETRY}), ${process.env.GST === '1' ? 'GStreamer rtspsrc' : 'lean RTSP client'}`
  + `${process.env.MALLOC_ARENA_MAX ? `, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}` : ''}`
  + `, server.malloc_arenas ${config.server.malloc_arenas ?? 'default'}, server.heap_trim_s ${config.server.heap_trim_s ?? 'default'}`);
console.log(`pantau pid ${pid}`);
console.log('                          ------- resident MiB in -------');
console.log('restarts   RSS MiB threads  fds  heap arenas   (MiB) stacks  anon');
await waitLive(cameras, 20000);
await sleep(PERIOD_S * 1000);
row('0');
if (MALLOC_INFO) arenaReport('before any restart', mallocInfo(pid));
for (let r = 1; r <= RESTARTS; r++) {
  await flapper.stop();
  await sleep(DOWN_S * 1000);
  await flapper.start();
  await waitLive(FLAPPING, 40000);
  await sleep(PERIOD_S * 1000);
  row(String(r));
}
// glibc's view: held from the system vs free inside, per arena; then the
// free pages given back (malloc_trim) and RSS again.
function arenaReport(label, arenas) {
  const sum = (k) => arenas.reduce((t, a) => t + a[k], 0) / 1024;
  console.log(`${label}: ${arenas.length} arenas hold ${sum('systemKiB').toFixed(1)} MiB, `
    + `${sum('freeKiB').toFixed(1)} MiB of it free; per arena (held/free MiB): `
    + arenas.map((a) => `${a.arena}:${(a.systemKiB / 1024).toFixed(1)}/${(a.freeKiB / 1024).toFixed(1)}`).join(' '));
}
if (MALLOC_INFO) {
  arenaReport(`after ${RESTARTS} restarts`, mallocInfo(pid));
  arenaReport('after malloc_trim(0)', mallocInfo(pid, { trim: true }));
  row('trimmed');
}
// What the run cost pantau in CPU, and what its trims cost and gave back.
const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
const cpuS = (Number(stat[11]) + Number(stat[12])) / 100;
const metrics = await (await fetch(`${server.url}/metrics`)).text();
const metric = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
console.log(`pantau CPU ${cpuS.toFixed(1)} s; ${metric('pantau_heap_trims_total')} trims took `
  + `${(metric('pantau_heap_trim_seconds_total') * 1000).toFixed(1)} ms in all (longest `
  + `${(metric('pantau_heap_trim_seconds_max') * 1000).toFixed(2)} ms) and gave back `
  + `${(metric('pantau_heap_trimmed_bytes_total') / 1048576).toFixed(1)} MiB`);
client.terminate();
await cleanup();
