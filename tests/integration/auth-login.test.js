// Login, logout, the rate limit, the viewer token of wall displays, pages
// refused to strangers, and the WebSocket handshake's Origin check
// (docs/security.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeCode,
  serverFor, authConfig, login, connectAs, httpGet, httpRequest, expectError, runPantau, diagnostics, testConfig,
} from '../lib/harness.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WALL_TOKEN = 'b3f1c0ffee5a1e7d2c4b6a8e0f9d7c5b3a1e2f4d6c8b0a9e7f5d3c1b2a4e6f8d';
const USERS = [
  { name: 'ana', role: 'admin', password: 'correct horse battery' },
  { name: 'otto', role: 'operator', password: 'otto-password-1' },
];

async function authServer(t, extra = {}) {
  return serverFor(t, { config: await authConfig({ users: USERS, tokens: [{ name: 'wall-pc', token: WALL_TOKEN }], ...extra }) });
}

test('login: a good password gets a session cookie; wrong password and unknown user get the same answer', async (t) => {
  const server = await authServer(t);
  const good = await login(server, 'ana', 'correct horse battery');
  assert.equal(good.status, 200, good.body);
  assert.deepEqual(good.json, { role: 'admin' });
  assert.match(good.setCookie, /^pantau_session=[0-9a-f]{64}; /);
  for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/']) assert.ok(good.setCookie.includes(attr), `${attr} in ${good.setCookie}`);
  assert.ok(!good.setCookie.includes('Secure'), 'no Secure without TLS');

  // Both check a hash of the same cost (a dummy one for unknown users).
  // Each is timed twice, in turn (five failures are allowed a minute), and
  // the quicker of each compared: a busy machine only makes a login slower.
  const timed = async (user, password) => {
    const t0 = performance.now();
    const res = await login(server, user, password);
    return { res, ms: performance.now() - t0 };
  };
  const wrongMs = [];
  const unknownMs = [];
  for (let i = 0; i < 2; i++) {
    const wrong = await timed('ana', 'correct horse batterY');
    const unknown = await timed('nobody', 'correct horse battery');
    for (const { res } of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, { error: 'wrong user name or password' });
      assert.equal(res.setCookie, undefined);
    }
    assert.equal(wrong.res.body, unknown.res.body, 'the same bytes whether or not the user exists');
    wrongMs.push(wrong.ms);
    unknownMs.push(unknown.ms);
  }
  const [a, b] = [Math.min(...wrongMs), Math.min(...unknownMs)];
  assert.ok(Math.max(a, b) < 4 * Math.min(a, b) + 50, `similar times: ${a.toFixed(0)} ms and ${b.toFixed(0)} ms`);
  // Nothing secret in the answers or the log.
  assert.ok(!server.output().includes('correct horse'), 'no password in the log');

  // The cookie opens a WebSocket as that user.
  const { client } = await connectAs(t, server, { cookie: good.cookie });
  const me = await client.request('auth.whoami');
  assert.deepEqual(me.ok, { user: 'ana', role: 'admin', walls: null, login: true, playback: true });

  for (const body of ['{"user": "ana"}', 'not json', '{"user": 1, "password": "x"}']) {
    const res = await httpRequest(server, 'POST', '/api/login', { body, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400, `${body}: ${res.status}`);
  }
});

test('logout ends the session: the cookie no longer opens a socket or a page', async (t) => {
  const server = await authServer(t);
  const { cookie } = await login(server, 'otto', 'otto-password-1');
  assert.equal((await httpGet(server, '/console', { cookie })).status, 200);
  // A socket opened with the session, and one opened with another login.
  const { client: open } = await connectAs(t, server, { cookie });
  const other = (await login(server, 'otto', 'otto-password-1')).cookie;
  const { client: stays } = await connectAs(t, server, { cookie: other });
  const out = await httpRequest(server, 'POST', '/api/logout', { headers: { cookie } });
  assert.equal(out.status, 200);
  assert.match(out.headers['set-cookie'][0], /^pantau_session=; Max-Age=0/);
  const page = await httpGet(server, '/console', { cookie });
  assert.equal(page.status, 302);
  await assert.rejects(connectAs(t, server, { cookie }), (err) => err.status === 403);
  // The socket of the ended session is closed (1008, "logged out"); the
  // other login's socket goes on.
  assert.equal(await closeCode(open), 1008);
  assert.ok((await stays.request('ping')).ok, 'another session is not affected');
});

test('an expired login closes its sockets ("session expired") and no longer opens one; a wall display with its token stays', async (t) => {
  const server = await serverFor(t, {
    config: await authConfig({ users: USERS, tokens: [{ name: 'wall-pc', token: WALL_TOKEN }] }),
    env: { PANTAU_TEST_SESSION_SECONDS: '2' },
  });
  const { cookie } = await login(server, 'otto', 'otto-password-1');
  const { client: console1 } = await connectAs(t, server, { cookie });
  // A wall PC that also carries the login's cookie is let in by its token: the
  // login's end must not close it.
  const { client: wall } = await connectAs(t, server, { token: WALL_TOKEN, cookie });
  assert.ok((await console1.request('ping')).ok, 'the session works before it expires');
  // Checked every 5 s: closed within 2 + 5 s and a margin.
  const closed = await Promise.race([
    console1.closed,
    new Promise((_, reject) => setTimeout(() => reject(new Error('not closed within 12 s')), 12000)),
  ]);
  assert.deepEqual(closed, { code: 1008, reason: 'session expired' });
  await assert.rejects(connectAs(t, server, { cookie }), (err) => err.status === 403);
  assert.equal((await httpGet(server, '/console', { cookie })).status, 302);
  assert.ok((await wall.request('ping')).ok, 'the token-authenticated socket goes on');
});

test('login is rate-limited per address: the sixth failure within a minute gets 429 with Retry-After', async (t) => {
  const server = await authServer(t);
  for (let i = 0; i < 5; i++) assert.equal((await login(server, 'ana', `guess-${i}`)).status, 401);
  const limited = await login(server, 'ana', 'correct horse battery');
  assert.equal(limited.status, 429, 'even the right password waits');
  assert.ok(Number(limited.headers['retry-after']) >= 1, `Retry-After: ${limited.headers['retry-after']}`);
  assert.match(limited.json.error, /too many/);
});

test('without login, pages redirect to /login and sockets are refused; /login and its files are served', async (t) => {
  const server = await authServer(t);
  for (const path of ['/', '/console', '/wall?wall=main']) {
    const res = await httpGet(server, path);
    assert.equal(res.status, 302, path);
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent(path)}`);
  }
  for (const path of ['/login', '/static/js/login.js', '/static/css/auth.css']) {
    assert.equal((await httpGet(server, path)).status, 200, path);
  }
  const login = await httpGet(server, '/login');
  assert.match(login.headers['content-security-policy'], /script-src 'self'/);
  assert.ok(!/<script>/.test(login.body), 'no inline script');
  await assert.rejects(connectAs(t, server, {}), (err) => err.status === 403);
  await assert.rejects(connectAs(t, server, { cookie: `pantau_session=${'0'.repeat(64)}` }), (err) => err.status === 403);
  assert.equal((await httpGet(server, '/api/sources/clock-a/snapshot.jpg')).status, 403);
});

test('a wall display with its viewer token: the page, the socket, and nothing more than viewing', async (t) => {
  const server = await authServer(t);
  const page = await httpGet(server, `/wall?wall=main&token=${WALL_TOKEN}`);
  assert.equal(page.status, 200);
  const cookie = page.headers['set-cookie'].find((c) => c.startsWith('pantau_token='));
  assert.ok(cookie && cookie.includes('HttpOnly'), 'the token is kept as an HttpOnly cookie');
  // The cookie alone opens the page again (a reload without the token).
  assert.equal((await httpGet(server, '/wall?wall=main', { cookie: cookie.split(';')[0] })).status, 200);
  assert.equal((await httpGet(server, `/wall?wall=main&token=${'f'.repeat(64)}`)).status, 302);

  const { client, snapshot } = await connectAs(t, server, { token: WALL_TOKEN });
  assert.ok(snapshot.walls.some((w) => w.id === 'main'));
  assert.deepEqual((await client.request('auth.whoami')).ok, { user: 'wall-pc', role: 'viewer', walls: null, login: true, playback: false });
  const wall = snapshot.walls.find((w) => w.id === 'main');
  expectError(await client.request('wall.clear', { wall: 'main', version: wall.version }), 'forbidden');
  await assert.rejects(connectAs(t, server, { token: 'x'.repeat(64) }), (err) => err.status === 403);
});

test('the WebSocket handshake refuses another origin, with or without login', async (t) => {
  const server = await authServer(t, { auth: { allowed_origins: ['https://ops.example.go.id'] } });
  const { cookie } = await login(server, 'ana', 'correct horse battery');
  await assert.rejects(connectAs(t, server, { cookie, origin: 'http://evil.example' }), (err) => err.status === 403);
  await assert.rejects(connectAs(t, server, { cookie, origin: `http://127.0.0.1:${server.port + 1}` }), (err) => err.status === 403);
  await connectAs(t, server, { cookie, origin: `http://127.0.0.1:${server.port}` });
  await connectAs(t, server, { cookie, origin: 'https://ops.example.go.id' });
  // A cross-origin login is refused too.
  const res = await login(server, 'ana', 'correct horse battery', { origin: 'http://evil.example' });
  assert.equal(res.status, 403);

  // Without an "auth" section: no login, but still no other origin.
  const open = await serverFor(t);
  await assert.rejects(connectAs(t, open, { origin: 'http://evil.example' }), (err) => err.status === 403);
  const { client } = await connectAs(t, open, {});
  assert.deepEqual((await client.request('auth.whoami')).ok, { user: 'local', role: 'admin', walls: null, login: false, playback: true });
  assert.equal((await httpRequest(open, 'POST', '/api/login', { body: { user: 'a', password: 'b' } })).status, 404);
});

test('auth config errors name the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-auth-'));
  try {
    const config = testConfig({ auth: { users: [{ name: 'ana', role: 'admin', password_hash: 'plain-text' }, { name: 'b', role: 'root', password_hash: 'x' }], session_hours: 0 } });
    const path = join(dir, 'site.json');
    writeFileSync(path, JSON.stringify(config, null, 2));
    const { code, output } = await runPantau(['--check-config', path]);
    assert.equal(code, 2, output);
    const paths = diagnostics(output).map((d) => d.path);
    for (const p of ['auth.users[0].password_hash', 'auth.users[1].role', 'auth.session_hours']) assert.ok(paths.includes(p), `${p} in\n${output}`);
    assert.ok(!output.includes('plain-text'), 'the hash value is not echoed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
