// Real NATS servers for the cluster tests (Debian's nats-server): N servers
// with JetStream as one cluster (routes between them on 127.0.0.1), each
// with its store in a temporary folder, each stoppable and restartable on
// the same ports and store. Without JetStream (jetstream: false) for the
// refusal test.
import { spawn } from 'node:child_process';
import { killOnExit } from './children.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { freePort } from './nut.js';
import { startServer, stopServer, Client } from './harness.js';

const BIN = process.env.NATS_SERVER_BIN || 'nats-server';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function getJson(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => { try { resolve({ status: res.statusCode, json: JSON.parse(body) }); } catch { resolve(null); } });
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => { req.destroy(); resolve(null); });
  });
}

// One server: start() (again after stop()), stop(), url, output().
class NatsServer {
  constructor(args, monitorPort, name) {
    this.args = args;
    this.monitorPort = monitorPort;
    this.name = name;
    this.out = '';
    this.proc = null;
  }

  start() {
    this.proc = spawn(BIN, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(this.proc);
    this.proc.stdout.on('data', (d) => { this.out += d; });
    this.proc.stderr.on('data', (d) => { this.out += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  // Resolves once the monitoring port answers (and, with JetStream, once
  // JetStream says it is healthy).
  async ready(jetstream, timeoutMs = 15000) {
    const until = Date.now() + timeoutMs;
    const path = jetstream ? '/healthz?js-enabled-only=true' : '/varz';
    while (Date.now() < until) {
      if (this.proc.exitCode !== null) throw new Error(`${this.name} exited:\n${this.out}`);
      const r = await getJson(this.monitorPort, path);
      if (r && r.status === 200) return;
      await sleep(100);
    }
    throw new Error(`${this.name} not ready in ${timeoutMs} ms:\n${this.out.slice(-2000)}`);
  }

  output() { return this.out; }
}

// Starts n servers. Options: jetstream (default true). Resolves to
// { servers, urls, metaLeader(), stopAll(), cleanup() }; with n > 1 and
// JetStream it waits until the cluster has elected its JetStream leader.
export async function startNatsCluster(n, options = {}) {
  // A free port may be taken by another process before a server binds it
  // (files run two at a time): then again with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsClusterOnce(n, options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err.message))) throw err;
    }
  }
}

async function startNatsClusterOnce(n, { jetstream = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-nats-'));
  const ports = [];
  for (let i = 0; i < n; i++) ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  const servers = ports.map((p, i) => {
    const args = ['-a', '127.0.0.1', '-p', String(p.client), '-m', String(p.monitor), '-n', `n${i}`];
    if (jetstream) args.push('-js', '-sd', join(dir, `n${i}`));
    if (n > 1) args.push('--cluster_name', 'pantau-test', '--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes);
    const s = new NatsServer(args, p.monitor, `nats-server n${i}`);
    s.url = `nats://127.0.0.1:${p.client}`;
    return s;
  });
  for (const s of servers) s.start();
  const cluster = {
    servers,
    urls: servers.map((s) => s.url),
    async stopAll() { for (const s of servers) await s.stop(); },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
    // Resolves once the running servers agree on a JetStream meta leader.
    async metaLeader(timeoutMs = 20000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const r = await getJson(servers[0].monitorPort, '/jsz');
        const leader = r && r.json.meta_cluster && r.json.meta_cluster.leader;
        if (leader) return leader;
        await sleep(100);
      }
      throw new Error(`no JetStream meta leader in ${timeoutMs} ms`);
    },
  };
  try {
    await Promise.all(servers.map((s) => s.ready(jetstream)));
    if (jetstream && n > 1) await cluster.metaLeader();
  } catch (err) {
    await cluster.stopAll();
    cluster.cleanup();
    throw err;
  }
  return cluster;
}

// The pantau nodes (and their clients) of a cluster test over NATS:
// start(config) starts a node, connect(server) opens a client once its
// snapshot came, stop() closes the clients, stops the nodes, then NATS.
export function clusterNodes(nats) {
  const clients = [];
  const servers = [];
  return {
    async start(config) {
      const server = await startServer({ config });
      servers.push(server);
      return server;
    },
    async connect(server) {
      const c = new Client(server.wsUrl);
      clients.push(c);
      await c.opened;
      await c.snapshot();
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await stopNodesAndNats(servers, nats);
    },
  };
}

// Stops pantau servers (the undefined skipped), then nats (may be
// undefined). Every process is stopped even when a stop fails (a server
// late to exit is killed): one left running would keep the test file's
// process alive for ever. Then the first failure is thrown.
export async function stopNodesAndNats(servers, nats) {
  const failures = [];
  for (const server of servers.filter(Boolean)) {
    try { await stopServer(server); } catch (err) { failures.push(err); } finally { server.cleanup(); }
  }
  try { await nats?.stopAll(); } catch (err) { failures.push(err); }
  nats?.cleanup();
  if (failures.length) throw failures[0];
}
