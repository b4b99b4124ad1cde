// Benchmark: the time of one preset.save with 10 and with 500 presets saved,
// each a 256-tile layout (the largest there is). A save writes only its own
// file (presets/<id>.json), so the two figures should be about the same; a
// store that rewrites every preset on each save grows with the count.
//
//   node bench/preset-save.js [BUILD_DIR]
// Environment (optional): BENCH_SAMPLES (20 saves per point),
// BENCH_COUNTS (10,500), BENCH_NO_LIMITS (1: do not set server.max_presets,
// for a build that does not know it).
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const buildDir = resolve(here, '..', process.argv[2] || 'build');
process.env.PANTAU_BIN ||= join(buildDir, 'core', 'pantau');
process.env.PANTAU_PLUGIN_DIR ||= join(buildDir, 'lib', 'pantau', 'plugins');
const { startServer, Client, testConfig } = await import('../tests/lib/server.js');

const samples = Number(process.env.BENCH_SAMPLES || 20);
const counts = (process.env.BENCH_COUNTS || '10,500').split(',').map(Number);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const config = testConfig();
if (process.env.BENCH_NO_LIMITS !== '1') config.server.max_presets = Math.max(...counts) + samples + 10;
const server = await startServer({ config });
const client = new Client(server.wsUrl);
await client.opened;
let version = (await client.snapshot()).walls[0].version;
const tiles = Array.from({ length: 256 }, (_, i) => ({ x: i % 16, y: Math.floor(i / 16), w: 1, h: 1, source: i % 2 ? 'clock-a' : 'clock-b' }));
const applied = await client.request('layout.apply', { wall: 'main', version, layout: { columns: 16, rows: 16, tiles } });
if (!applied.ok) throw new Error(JSON.stringify(applied));

let saved = 0;
async function save() {
  const started = process.hrtime.bigint();
  const reply = await client.request('preset.save', { wall: 'main', name: `bench ${saved}` });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!reply.ok) throw new Error(JSON.stringify(reply));
  saved++;
  await sleep(11); // under the 100 requests a second of the rate limit
  return ms;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(`preset.save of a 256-tile layout, ${samples} saves per point (${process.env.PANTAU_BIN})`);
for (const count of counts) {
  while (saved < count) await save();
  const times = [];
  for (let i = 0; i < samples; i++) times.push(await save());
  times.sort((a, b) => a - b);
  const snapshot = JSON.stringify((await client.request('snapshot')).ok).length;
  console.log(`  with ${String(count).padStart(4)} presets: median ${pct(times, 0.5).toFixed(2)} ms, max ${times.at(-1).toFixed(2)} ms (snapshot ${(snapshot / 1e6).toFixed(1)} MB)`);
}
client.close();
await server.stop();
server.cleanup();
