// Helpers shared by bench/soak.js and bench/restart-rss.js: what a process
// holds (/proc), a camera that goes away and comes back, a light WebSocket
// client that keeps nothing it reads.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startRtsp } from '../tests/lib/rtsp.js';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const HEAP_MAX = 64n * 1024n * 1024n; // glibc's HEAP_MAX_SIZE on 64-bit
const GUARD = 4096n;

// The mappings of a process (/proc/PID/smaps) with their resident KiB.
function mappings(pid) {
  let text;
  try { text = readFileSync(`/proc/${pid}/smaps`, 'utf8'); } catch { return []; }
  const maps = [];
  let cur = null;
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (m) {
      cur = { start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3], name: m[5], anon: m[4] === '0' && !m[5], rss: 0 };
      maps.push(cur);
    } else if (cur && line.startsWith('Rss:')) {
      cur.rss = Number(/(\d+)/.exec(line)[1]);
    }
  }
  return maps;
}

// Where a process's resident memory is, in KiB: `heap` glibc's main arena
// (brk), `arenas` the heaps of its thread arenas (64 MiB-aligned mappings of
// 64 MiB), `stacks` thread stacks (behind a 4 KiB guard page), `anon` other
// anonymous memory (large blocks malloc maps on their own, ...), `files`
// mapped files (code, libraries, locale). arenaHeaps: how many arena heaps.
export function residentBreakdown(pid) {
  const maps = mappings(pid);
  const out = { heap: 0, arenas: 0, stacks: 0, anon: 0, files: 0, arenaHeaps: 0 };
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    if (m.name === '[heap]') { out.heap += m.rss; continue; }
    if (!m.anon) { out.files += m.rss; continue; }
    if (m.start % HEAP_MAX === 0n) {
      // A heap: this mapping and the adjacent ones up to 64 MiB.
      let end = m.end;
      let rss = m.rss;
      let j = i + 1;
      while (end - m.start < HEAP_MAX && j < maps.length && maps[j].start === end && maps[j].anon) {
        end = maps[j].end;
        rss += maps[j].rss;
        j++;
      }
      if (end - m.start === HEAP_MAX) {
        out.arenas += rss;
        out.arenaHeaps++;
        i = j - 1;
        continue;
      }
    }
    const prev = maps[i - 1];
    const behindGuard = prev && prev.anon && prev.end === m.start && prev.end - prev.start === GUARD && prev.perms === '---p';
    if (behindGuard && m.perms === 'rw-p') out.stacks += m.rss;
    else out.anon += m.rss;
  }
  return out;
}

// RSS (KiB), open descriptors and threads of a process, or null once gone.
export function processSample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return {
      rssKiB: field('VmRSS'),
      fds: readdirSync(`/proc/${pid}/fd`).length,
      threads: field('Threads'),
    };
  } catch {
    return null;
  }
}

// A test RTSP server that can be stopped and started again on the same port.
// Each call waits for the one before it, so a stop never misses a start.
export async function flappingRtsp(mounts) {
  let server = await startRtsp({ mounts });
  const port = server.port;
  let last = Promise.resolve();
  const queue = (fn) => { last = last.then(fn, fn); return last; };
  return {
    port,
    url: (path) => `rtsp://127.0.0.1:${port}${path}`,
    stop: () => queue(async () => { await server?.stop(); server = null; }),
    start: () => queue(async () => { server = server || await startRtsp({ port, mounts }); }),
    isUp: () => server !== null,
  };
}

// A WebSocket client that counts what it reads and keeps only the replies
// it waits for (a soak must not grow in the load generator). counter: an
// object whose `frames` counts the binary frames of every client sharing it.
export class LightClient {
  constructor(wsUrl, counter = { frames: 0 }) {
    this.ws = new WebSocket(wsUrl);
    this.counter = counter;
    this.bytes = 0;
    this.waiting = new Map(); // request id -> resolve
    this.nextId = 1;
    this.version = null; // wall 'main' version, from the snapshot and wall events
    this.onEvent = null;
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => this.take(data, isBinary));
    this.opened = new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject); });
  }

  take(data, isBinary) {
    this.bytes += data.length;
    if (isBinary) { this.counter.frames++; return; }
    const msg = JSON.parse(String(data));
    if (msg.ev === 'snapshot') this.version = msg.walls.find((w) => w.id === 'main')?.version ?? null;
    if (msg.ev === 'wall' && msg.wall.id === 'main') this.version = msg.wall.version;
    if (msg.re !== undefined && this.waiting.has(msg.re)) {
      this.waiting.get(msg.re)(msg);
      this.waiting.delete(msg.re);
    }
    if (msg.ev && this.onEvent) this.onEvent(msg);
  }

  // Sends a request; resolves with its reply, or rejects after timeoutMs.
  request(op, fields = {}, timeoutMs = 10000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(id); reject(new Error(`${op}: no reply in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiting.set(id, (msg) => { clearTimeout(timer); resolve(msg); });
      this.ws.send(JSON.stringify({ op, id, ...fields }));
    });
  }

  // Sends a request whose reply nobody waits for.
  send(op, fields = {}) { this.ws.send(JSON.stringify({ op, id: this.nextId++, ...fields })); }

  terminate() { this.ws.terminate(); }
}

// glibc's own account of a process's heap, through gdb (attaches for a
// moment): per arena (0 is the main arena) the bytes it holds from the
// system and the bytes of it that are free. trim: call malloc_trim(0) first.
export function mallocInfo(pid, { trim = false } = {}) {
  const file = join(tmpdir(), `pantau-malloc-info-${pid}.xml`);
  const commands = [
    ...(trim ? ['call (int) malloc_trim(0)'] : []),
    `call (void *) fopen("${file}", "w")`,
    'call (int) malloc_info(0, $1)',
    'call (int) fclose($1)',
  ].map((c) => (trim ? c.replace('$1', '$2') : c));
  const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-nx', '-iex', 'set auto-solib-add on',
    ...commands.flatMap((c) => ['-ex', c])], { encoding: 'utf8', timeout: 60000 });
  let xml;
  try { xml = readFileSync(file, 'utf8'); } catch { throw new Error(`gdb did not get malloc_info:\n${gdb.stderr}`); }
  rmSync(file, { force: true });
  const arenas = [];
  for (const m of xml.matchAll(/<heap nr="(\d+)">([\s\S]*?)<\/heap>/g)) {
    const body = m[2];
    const free = [...body.matchAll(/<total type="(?:fast|rest)" count="\d+" size="(\d+)"\/>/g)]
      .reduce((sum, t) => sum + Number(t[1]), 0);
    const system = Number(/<system type="current" size="(\d+)"\/>/.exec(body)[1]);
    arenas.push({ arena: Number(m[1]), systemKiB: system / 1024, freeKiB: free / 1024 });
  }
  return arenas;
}
