// Login sessions are capped per user (auth.sessions_per_user, default 10):
// a login past the cap ends that user's oldest session, its sockets
// included, and is audited; and an admin can log in even when the session
// table is full (docs/security.md, "Login sessions").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  serverFor, authConfig, login, connectAs, closeCode, httpGet, runPantau, diagnostics,
} from '../lib/harness.js';

function auditLines(server) {
  const path = join(server.stateDir, 'audit.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

async function logIn(server, user, password) {
  const res = await login(server, user, password);
  assert.equal(res.status, 200, `login ${user}: ${res.status} ${res.body}`);
  return res.cookie;
}

const opens = async (server, cookie) => (await httpGet(server, '/console', { cookie })).status === 200;

test('a login past the per-user cap (default 10) ends the oldest session and its socket; repeats are rate-limited', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: [{ name: 'vera', role: 'viewer', password: 'vera-password-1' }] }) });
  const cookies = [];
  for (let i = 0; i < 10; i++) cookies.push(await logIn(server, 'vera', 'vera-password-1'));
  const { client: oldest } = await connectAs(t, server, { cookie: cookies[0] });
  const { client: second } = await connectAs(t, server, { cookie: cookies[1] });
  for (const c of cookies) assert.ok(await opens(server, c), 'ten sessions are within the cap');

  cookies.push(await logIn(server, 'vera', 'vera-password-1'));
  assert.deepEqual(await closeCode(oldest).then((code) => [code]), [1008], 'the oldest session\'s socket is closed');
  assert.equal((await httpGet(server, '/console', { cookie: cookies[0] })).status, 302, 'the oldest cookie no longer opens a page');
  await assert.rejects(connectAs(t, server, { cookie: cookies[0] }), (err) => err.status === 403);
  for (const c of cookies.slice(1)) assert.ok(await opens(server, c), 'the ten newest sessions work');
  assert.ok((await second.request('ping')).ok, 'the second session\'s socket goes on');

  const evicted = auditLines(server).filter((l) => l.action === 'session_evicted');
  assert.deepEqual(evicted.map((l) => [l.user, l.role, l.address, l.ok]), [['vera', 'viewer', '127.0.0.1', true]]);

  // A login that ends one's own older session keeps its rate-limit attempt:
  // logging in again and again is limited like failed logins (5 a minute).
  for (let i = 0; i < 4; i++) await logIn(server, 'vera', 'vera-password-1');
  const limited = await login(server, 'vera', 'vera-password-1');
  assert.equal(limited.status, 429, `the sixth replacing login within a minute: ${limited.body}`);
  assert.equal(auditLines(server).filter((l) => l.action === 'session_evicted').length, 5);
});

test('with the session table full, an admin still logs in (ending the oldest non-admin session); others wait', async (t) => {
  const users = [
    { name: 'vera', role: 'viewer', password: 'vera-password-1' },
    { name: 'otto', role: 'operator', password: 'otto-password-1' },
    { name: 'pia', role: 'presenter', password: 'pia-password-1' },
    { name: 'ana', role: 'admin', password: 'ana-password-1' },
  ];
  const server = await serverFor(t, {
    config: await authConfig({ users, auth: { sessions_per_user: 2 } }),
    env: { PANTAU_TEST_SESSIONS_MAX: '4' },
  });
  const vera1 = await logIn(server, 'vera', 'vera-password-1');
  const vera2 = await logIn(server, 'vera', 'vera-password-1');
  const otto1 = await logIn(server, 'otto', 'otto-password-1');
  const otto2 = await logIn(server, 'otto', 'otto-password-1');
  const { client: vera2Socket } = await connectAs(t, server, { cookie: vera2 });

  // Full: a user below the cap gets 503 and ends nobody's session.
  const pia = await login(server, 'pia', 'pia-password-1');
  assert.equal(pia.status, 503, pia.body);
  assert.match(pia.json.error, /too many login sessions/);
  assert.ok(Number(pia.headers['retry-after']) >= 1);
  for (const c of [vera1, vera2, otto1, otto2]) assert.ok(await opens(server, c), 'a refused login ends nothing');

  // A user at the cap replaces its own oldest session, full or not.
  const vera3 = await logIn(server, 'vera', 'vera-password-1');
  assert.ok(!(await opens(server, vera1)), 'vera\'s oldest session ended');

  // The admin gets in: the oldest session of a non-admin (vera2) ends.
  const ana1 = await logIn(server, 'ana', 'ana-password-1');
  assert.equal(await closeCode(vera2Socket), 1008);
  assert.ok(!(await opens(server, vera2)), 'the oldest non-admin session ended');
  for (const c of [otto1, otto2, vera3, ana1]) assert.ok(await opens(server, c));
  const ana2 = await logIn(server, 'ana', 'ana-password-1');
  assert.ok(!(await opens(server, otto1)), 'then the next oldest');
  for (const c of [otto2, vera3, ana1, ana2]) assert.ok(await opens(server, c));

  assert.deepEqual(auditLines(server).filter((l) => l.action === 'session_evicted').map((l) => l.user), ['vera', 'vera', 'otto']);
});

test('auth.sessions_per_user must be 1 to 1000', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-auth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const bad of [0, 1001, 'ten', 2.5]) {
    const config = await authConfig({ users: [{ name: 'ana', role: 'admin', password: 'ana-password-1' }], auth: { sessions_per_user: bad } });
    const path = join(dir, 'site.json');
    writeFileSync(path, JSON.stringify(config, null, 2));
    const { code, output } = await runPantau(['--check-config', path]);
    assert.equal(code, 2, output);
    const found = diagnostics(output).find((d) => d.path === 'auth.sessions_per_user');
    assert.match(found?.message ?? output, /must be 1 to 1000/, `sessions_per_user ${JSON.stringify(bad)}`);
  }
});
