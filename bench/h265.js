// CPU of the pantau process per H.265 camera (issue 15): one camera passed
// through (main H.265 with an H.264 substream, a client that decodes H.265)
// against one transcoded (no substream: GStreamer decodes and encodes it).
// The camera is pantau-test-rtsp's test265 mount (its own CPU is not counted).
//
//   PANTAU_BIN=build/core/pantau PANTAU_PLUGIN_DIR=build/lib/pantau/plugins \
//     node bench/h265.js [seconds]
import { readFileSync } from 'node:fs';
import { startServer, stopServer, testConfig, Client } from '../tests/lib/harness.js';
import { startRtsp } from '../tests/lib/rtsp.js';

const SECONDS = Number(process.argv[2] || 20);
const GEOMETRY = '1280x720@15';
const CLK_TCK = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

async function run(label, withSub, codecs) {
  const rtsp = await startRtsp({ mounts: { '/main': `test265:${GEOMETRY}`, '/sub': 'test:640x360@15' } });
  const config = testConfig();
  config.plugins = { load: ['cctv'] };
  const settings = { url: rtsp.url('/main') };
  if (withSub) settings.sub_url = rtsp.url('/sub');
  config.sources.push({ id: 'cam', type: 'rtsp', name: 'cam', settings });
  const server = await startServer({ config });
  const client = new Client(server.wsUrl);
  await client.opened;
  await client.snapshot();
  await client.request('subscribe', { sources: [{ id: 'cam', stream: 'main' }], ...(codecs ? { codecs } : {}) });
  await sleep(5000); // warm-up: the stream starts, the encoder settles
  const frames0 = client.messages.filter((m) => m.binary).length;
  const cpu0 = cpuSeconds(server.proc.pid);
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const cpu = cpuSeconds(server.proc.pid) - cpu0;
  const wall = (Date.now() - t0) / 1000;
  const frames = client.messages.filter((m) => m.binary).length - frames0;
  const info = client.messages.filter((m) => m.ev === 'media').at(-1);
  client.ws.terminate();
  await stopServer(server);
  server.cleanup();
  await rtsp.stop();
  return { label, cpuPercent: +(100 * cpu / wall).toFixed(1), fps: +(frames / wall).toFixed(1),
    codec: info?.codec, transcoded: info?.transcoded, kind: info?.kind };
}

const results = [];
results.push(await run('passthrough (H.265 to a client that decodes it)', true, ['hvc1']));
results.push(await run('substream (client without H.265)', true, null));
results.push(await run('transcode (no substream)', false, null));
for (const r of results) console.log(JSON.stringify(r));
