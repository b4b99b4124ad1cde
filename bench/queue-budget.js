// Memory pinned by clients that stop reading (issue 11, finding 14): CLIENTS
// WebSocket clients subscribe to one simulated camera (noise, 10 Mbit/s) and
// stop reading. Every 5 s for DURATION_S seconds it prints the clients still connected,
// the client queues (/metrics, pantau_client_queue_bytes: bytes queued per
// client, summed; a frame queued for many clients is stored once), the
// kernel's send queues of the server's sockets (/proc/net/tcp, tcp6) and
// pantau's resident memory.
//   PANTAU_BIN=build/core/pantau PANTAU_PLUGIN_DIR=build/lib/pantau/plugins \
//     node bench/queue-budget.js            # CLIENTS=40 DURATION_S=30 BUDGET_MIB=
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startServer, Client, testConfig } from '../tests/lib/server.js';

const CLIENTS = Number(process.env.CLIENTS || 40);
const DURATION_S = Number(process.env.DURATION_S || 30);
const MiB = 1024 * 1024;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const get = (url) => new Promise((resolve, reject) => {
  http.get(url, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => resolve(body));
  }).on('error', reject);
});

// Bytes in the kernel's send queues of sockets whose local port is `port`.
function kernelSendQueues(port) {
  let bytes = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , , queues] = line.trim().split(/\s+/);
      if (local && parseInt(local.split(':')[1], 16) === port) bytes += parseInt(queues.split(':')[0], 16);
    }
  }
  return bytes;
}

const config = testConfig();
config.plugins = { load: ['clock', 'cctv'] };
config.sources.push({
  id: 'cam', type: 'test', name: 'Noise',
  settings: { pattern: 'snow', width: 640, height: 360, fps: 25, bitrate_kbps: 10000 },
});
if (process.env.BUDGET_MIB) config.server.client_queue_budget_mib = Number(process.env.BUDGET_MIB);
const server = await startServer({ config });
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))[1]) / 1024;

const clients = [];
for (let i = 0; i < CLIENTS; i++) {
  const client = new Client(server.wsUrl);
  await client.opened;
  await client.snapshot();
  await client.request('subscribe', { sources: ['cam'] });
  client.ws._socket.pause();
  clients.push(client);
}
console.log(`${CLIENTS} clients that stopped reading, ${process.env.BUDGET_MIB || 'default'} budget`);
console.log('   s  clients  client queues  kernel send queues  pantau RSS');
for (let s = 5; s <= DURATION_S; s += 5) {
  await sleep(5000);
  const metrics = await get(`${server.url}/metrics`);
  const queued = /^pantau_client_queue_bytes (\d+)/m.exec(metrics)?.[1];
  const connected = /^pantau_clients (\d+)/m.exec(metrics)[1];
  console.log(`${String(s).padStart(4)}  ${connected.padStart(7)}  ${(queued ? `${(queued / MiB).toFixed(1)} MiB` : 'n/a').padStart(13)}`
    + `  ${`${(kernelSendQueues(server.port) / MiB).toFixed(0)} MiB`.padStart(18)}  ${`${rssMiB().toFixed(0)} MiB`.padStart(10)}`);
}
for (const client of clients) client.ws.terminate();
await server.stop();
server.cleanup();
