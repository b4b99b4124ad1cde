// Helpers for the integration tests, on top of server.js: a server per test
// that is stopped and removed when the test ends, connected clients, layout
// invariants, raw HTTP, running the pantau binary, and positions in text.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { killOnExit } from './children.js';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { startServer, Client, testConfig, pantauBin } from './server.js';

export { startServer, Client, testConfig, pantauBin };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Starts a server for test context t (node:test). When the test ends, every
// server it started this way is stopped (stopServer: exit 0 expected), and
// only then are their files removed, so servers sharing a state dir (pass
// stateDir to restart on another's) are all stopped before it goes. Pass
// keep: true to leave this server's files (then call cleanup() yourself).
const serversOf = new WeakMap();
export async function serverFor(t, options = {}) {
  const { keep, ...opts } = options;
  const server = await startServer(opts);
  server.keepFiles = Boolean(keep);
  let list = serversOf.get(t);
  if (!list) {
    list = [];
    serversOf.set(t, list);
    // One hook for all of them: it stops every server even if one fails.
    t.after(async () => {
      const failures = [];
      for (const s of list) {
        try { await stopServer(s); } catch (err) { failures.push(err); }
      }
      for (const s of list) if (!s.keepFiles) s.cleanup();
      if (failures.length) throw failures[0];
    });
  }
  list.push(server);
  return server;
}

// Each thread of process pid: id, state and CPU ticks ("" when it is gone).
function threadStates(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const [state, , , , , , , , , , , utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return `${tid} ${state} ${Number(utime) + Number(stime)}`;
    }).join(', ');
  } catch {
    return '';
  }
}

// What a server that does not stop is doing: its threads' states and CPU
// ticks a second apart (busy, or stuck), and their stacks where gdb is.
async function whyNotStopped(pid) {
  const before = threadStates(pid);
  await sleep(1000);
  let stacks = '';
  try {
    stacks = execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 15'],
      { timeout: 30000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    stacks = `(no stacks: ${e.code || e.message})`;
  }
  return `threads (id state cpu-ticks): ${before}\na second later: ${threadStates(pid)}\n`
    + stacks.split('\n').filter((l) => /^(Thread|#)/.test(l)).join('\n');
}

// Stops a server with SIGTERM and asserts that it exits with status 0
// within timeoutMs (else it is killed and this fails, so a server that
// ignores SIGTERM fails the test instead of hanging the suite, with what
// its threads were doing). Stopping a stopped server again just returns
// how it ended, unless it ended by itself (a crash, anything but this
// function or a SIGKILL from the test), which fails. The default bound is
// generous: an ASan server's exit runs the leak check, which waits for the
// CPU at nice 10 beside other tests (scripts/test.sh). Resolves with
// { code, signal }.
export async function stopServer(server, timeoutMs = 15000) {
  const { proc } = server;
  if (proc.exitCode !== null || proc.signalCode !== null) {
    const result = await server.exited;
    if (!server.stoppedByTest && result.signal !== 'SIGKILL') {
      assert.fail(`pantau exited by itself (${JSON.stringify(result)}):\n${server.output().slice(-2000)}`);
    }
    return result;
  }
  server.stoppedByTest = true;
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, 'late'); });
  const result = await Promise.race([server.stop(), late]);
  clearTimeout(timer);
  if (result === 'late') {
    const why = await whyNotStopped(server.proc.pid);
    await server.kill9();
    assert.fail(`pantau did not exit within ${timeoutMs} ms of SIGTERM:\n${server.output().slice(-2000)}\n${why}`);
  }
  assert.deepEqual(result, { code: 0, signal: null }, `pantau's exit after SIGTERM:\n${server.output().slice(-2000)}`);
  return result;
}

// Resolves with the close code of a client's connection; rejects if it is
// still open after timeoutMs.
export function closeCode(client, timeoutMs = 5000) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the connection was not closed within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([client.closed, late]).then(({ code }) => { clearTimeout(timer); return code; });
}

// A config whose wall 'main' starts with the given layout.
export function configWithLayout(layout, overrides = {}) {
  const config = testConfig(overrides);
  config.walls[0].layout = layout;
  return config;
}

// Opens a client and waits for its snapshot. Closed when the test ends.
export async function connect(t, server, options) {
  const client = new Client(server.wsUrl, options);
  await client.opened;
  const snapshot = await client.snapshot();
  t.after(() => client.ws.terminate());
  return { client, snapshot };
}

// Two clients of one server, both with their snapshot.
export async function twoClients(t, server) {
  const a = await connect(t, server);
  const b = await connect(t, server);
  return { a: a.client, b: b.client, snapA: a.snapshot, snapB: b.snapshot, wall: wallIn(a.snapshot) };
}

export function wallIn(state, id = 'main') {
  const wall = state.walls.find((w) => w.id === id);
  assert.ok(wall, `no wall '${id}' in ${JSON.stringify(state.walls)}`);
  return wall;
}

export function tileIn(layout, id) {
  const tile = layout.tiles.find((t) => t.id === id);
  assert.ok(tile, `no tile '${id}' in ${JSON.stringify(layout.tiles)}`);
  return tile;
}

// Asks the server for the state now (the snapshot operation).
export async function currentState(client) {
  const reply = await client.request('snapshot');
  assert.ok(reply.ok, `snapshot failed: ${JSON.stringify(reply)}`);
  return reply.ok;
}

export async function currentWall(client, id = 'main') {
  return wallIn(await currentState(client), id);
}

// Waits for the `wall` event that carries the given version.
export function wallEvent(client, version, id = 'main') {
  return client.waitFor((m) => m.ev === 'wall' && m.wall.id === id && m.wall.version === version);
}

// Every `wall` event this client has received so far.
export const wallEvents = (client) => client.messages.filter((m) => m.ev === 'wall');

// Asserts a successful wall change: the reply is {wall, version: before+1},
// the requester gets the reply before its own `wall` event, and the other
// client gets the same event. Resolves with the new wall.
export async function expectWallChange(reply, requester, other, before) {
  assert.deepEqual(reply.ok, { wall: before.id, version: before.version + 1 }, `reply: ${JSON.stringify(reply)}`);
  const [mine, theirs] = await Promise.all([
    wallEvent(requester, before.version + 1, before.id),
    wallEvent(other, before.version + 1, before.id),
  ]);
  assert.ok(requester.messages.indexOf(reply) < requester.messages.indexOf(mine), 'the reply comes before the event');
  assert.deepEqual(theirs.wall, mine.wall, 'both clients see the same wall');
  assert.equal(theirs.wall.version, before.version + 1);
  assert.equal(theirs.wall.name, before.name);
  assert.deepEqual(theirs.wall.displays, before.displays);
  assertLayoutValid(theirs.wall.layout);
  return theirs.wall;
}

// Asserts an error reply with the code and (if given) the field.
export function expectError(reply, code, field) {
  assert.ok(reply.error, `expected error ${code}, got ${JSON.stringify(reply)}`);
  assert.equal(reply.error.code, code, `error code; reply: ${JSON.stringify(reply)}`);
  assert.equal(typeof reply.error.message, 'string');
  assert.ok(reply.error.message.length > 0, 'the error has a message');
  if (field !== undefined) assert.equal(reply.error.field, field, `error field; reply: ${JSON.stringify(reply)}`);
  assert.ok(!('ok' in reply), 'an error reply has no ok');
}

// Asserts that a refused request changed nothing: the wall the server holds
// now equals `before`, and `observer` got no `wall` event newer than it (a
// ping round trip on the observer first, so that any event the refused
// request could have caused has arrived).
export async function expectUnchanged(requester, observer, before) {
  const ping = await observer.request('ping');
  assert.ok(ping.ok, `the server still answers ping: ${JSON.stringify(ping)}`);
  assert.deepEqual(await currentWall(requester, before.id), before, 'the wall is unchanged');
  const newer = wallEvents(observer).filter((m) => m.wall.id === before.id && m.wall.version > before.version);
  assert.deepEqual(newer, [], 'no wall event was pushed');
}

// Layout invariants of docs/protocol.md: grid 1-48, tiles are whole cells
// inside the grid, never overlap, ids unique and well-formed, <= 256 tiles.
export function assertLayoutValid(layout) {
  const { columns, rows, tiles } = layout;
  assert.ok(Number.isInteger(columns) && columns >= 1 && columns <= 48, `columns ${columns}`);
  assert.ok(Number.isInteger(rows) && rows >= 1 && rows <= 48, `rows ${rows}`);
  assert.ok(Array.isArray(tiles) && tiles.length <= 256, 'tiles');
  const ids = new Set();
  const owner = new Map();
  for (const t of tiles) {
    assert.match(t.id, /^[A-Za-z0-9_-]{1,32}$/, `tile id ${JSON.stringify(t.id)}`);
    assert.ok(!ids.has(t.id), `tile id ${t.id} is unique`);
    ids.add(t.id);
    for (const k of ['x', 'y', 'w', 'h']) assert.ok(Number.isInteger(t[k]), `tile ${t.id}.${k} is an integer`);
    assert.ok(t.x >= 0 && t.y >= 0 && t.w >= 1 && t.h >= 1 && t.x + t.w <= columns && t.y + t.h <= rows,
      `tile ${JSON.stringify(t)} lies inside the ${columns}x${rows} grid`);
    assert.ok(t.source === null || typeof t.source === 'string', `tile ${t.id} source`);
    for (const cell of cellsOf(t)) {
      assert.ok(!owner.has(cell), `tiles ${owner.get(cell)} and ${t.id} overlap at cell ${cell}`);
      owner.set(cell, t.id);
    }
  }
}

export function cellsOf(t) {
  const cells = [];
  for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) cells.push(`${x},${y}`);
  return cells;
}

// Tiles sorted by id, for comparisons that do not depend on order.
export const byId = (tiles) => [...tiles].sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));

// A raw HTTP GET: the path is sent exactly as given (no normalisation of
// '..' or percent escapes). Resolves to { status, headers, body }.
export function httpGet(server, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

// The arguments that tell pantau where the plugins are (as server.js does).
export const pluginDirArgs = () => (process.env.PANTAU_PLUGIN_DIR ? ['--plugin-dir', process.env.PANTAU_PLUGIN_DIR] : []);

// Runs pantau with args to its end (killed after timeoutMs: generous, as an
// ASan run that loads GStreamer waits for the CPU at nice 10 beside other
// tests; output then says so). Resolves to
// { code, signal, stdout, stderr, output }.
export function runPantau(args, { timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(pantauBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(proc);
    let stdout = '';
    let stderr = '';
    let output = '';
    proc.stdout.on('data', (d) => { stdout += d; output += d; });
    proc.stderr.on('data', (d) => { stderr += d; output += d; });
    const timer = setTimeout(() => {
      output += `\n(killed: still running after ${timeoutMs} ms)`;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('error', reject);
    proc.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, output }); });
  });
}

// 1-based line and column of the first occurrence of marker in text, plus
// `skip` characters (e.g. to point past a key at its value).
export function locate(text, marker, skip = 0) {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `marker ${JSON.stringify(marker)} not in text`);
  assert.equal(text.indexOf(marker, at + 1), -1, `marker ${JSON.stringify(marker)} is not unique`);
  const pos = at + skip;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return { line, col };
}

// Parses `FILE:LINE:COL: PATH: message` lines.
export function diagnostics(output) {
  const found = [];
  for (const text of output.split('\n')) {
    const m = /^(.+?):(\d+):(\d+): (\S+): (.+)$/.exec(text);
    if (m) found.push({ file: m[1], line: Number(m[2]), col: Number(m[3]), path: m[4], message: m[5], text });
  }
  return found;
}

// Runs fn on every case, even after one fails, then fails with every
// failure listed (so one run reports all the cases that disagree).
export async function eachCase(cases, fn) {
  const failures = [];
  for (const c of cases) {
    try {
      await fn(...(Array.isArray(c) ? c : [c]));
    } catch (err) {
      failures.push(`- ${JSON.stringify(c)}:\n    ${String(err.message).split('\n')[0]}`);
    }
  }
  if (failures.length) assert.fail(`${failures.length} of ${cases.length} cases failed:\n${failures.join('\n')}`);
}

// Sends a request; resolves with its reply, or with null if the connection
// closes first (e.g. the server was killed). Leaves no timer behind.
export function requestUnlessClosed(client, op, fields = {}) {
  const id = client.nextId++;
  return new Promise((resolve) => {
    const onMessage = (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(String(data));
      if (m.re === id) { done(); resolve(m); }
    };
    const onClose = () => { done(); resolve(null); };
    const done = () => { client.ws.off('message', onMessage); client.ws.off('close', onClose); };
    client.ws.on('message', onMessage);
    client.ws.on('close', onClose);
    client.ws.send(JSON.stringify({ op, id, ...fields }));
  });
}

// ---- authentication (docs/security.md) ----

// The argon2id hash pantau --hash-password makes of password.
export function hashPassword(password) {
  return new Promise((resolve, reject) => {
    const proc = spawn(pantauBin, ['--hash-password'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`--hash-password: ${code} ${err}`))));
    proc.stdin.end(`${password}\n`);
  });
}

// A raw HTTP request with a body (string or object sent as JSON).
// Resolves to { status, headers, body, json }.
export function httpRequest(server, method, path, { body, headers = {} } = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const allHeaders = { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers };
  if (method !== 'GET') allHeaders['content-length'] = Buffer.byteLength(text);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers: allHeaders, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(raw); } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, body: raw, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

// POST /api/login; resolves to the response plus `cookie` ("pantau_session=..."
// ready for a Cookie header, or null).
export async function login(server, user, password, headers = {}) {
  const res = await httpRequest(server, 'POST', '/api/login', { body: { user, password }, headers });
  const setCookie = (res.headers['set-cookie'] || []).find((c) => c.startsWith('pantau_session='));
  return { ...res, setCookie, cookie: setCookie ? setCookie.split(';')[0] : null };
}

// A test config with login: users [{name, role, password, walls?}] (the
// passwords are hashed here) and viewer tokens [{name, token, walls?}]
// (stored as SHA-256). A second wall 'other' is added.
export async function authConfig({ users = [], tokens = [], auth = {}, overrides = {} } = {}) {
  const { createHash } = await import('node:crypto');
  const config = testConfig(overrides);
  config.walls.push({ id: 'other', name: 'Other wall',
    displays: { columns: 1, rows: 1, width: 1920, height: 1080 },
    layout: { columns: 1, rows: 1, tiles: [{ id: 'o1', x: 0, y: 0, w: 1, h: 1, source: null }] } });
  const hashes = await Promise.all(users.map((u) => hashPassword(u.password)));
  config.auth = {
    users: users.map((u, i) => ({ name: u.name, role: u.role, password_hash: hashes[i], ...(u.walls ? { walls: u.walls } : {}) })),
    viewer_tokens: tokens.map((t) => ({ name: t.name, token_sha256: createHash('sha256').update(t.token).digest('hex'),
      ...(t.walls ? { walls: t.walls } : {}) })),
    ...auth,
  };
  return config;
}

// Connects a WebSocket client with a Cookie header and/or an Origin;
// resolves with { client, snapshot }, or rejects when the handshake is
// refused (err.status holds the HTTP status).
export async function connectAs(t, server, { cookie, origin, token } = {}) {
  const url = token ? `${server.wsUrl}?token=${encodeURIComponent(token)}` : server.wsUrl;
  const headers = cookie ? { cookie } : {};
  const client = new Client(url, { headers, ...(origin ? { origin } : {}) });
  const refused = new Promise((_, reject) => client.ws.once('unexpected-response', (req, res) => {
    res.resume();
    req.destroy();
    const err = new Error(`handshake refused: ${res.statusCode}`);
    err.status = res.statusCode;
    reject(err);
  }));
  refused.catch(() => {});
  await Promise.race([client.opened, refused]);
  t.after(() => client.ws.terminate());
  return { client, snapshot: await client.snapshot() };
}
