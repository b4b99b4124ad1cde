// The Cookie header is read whole, whatever else the browser keeps for the
// host, and a logout that finds no session says so instead of claiming it
// logged out (docs/security.md, "Login sessions").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  serverFor, authConfig, login, connectAs, closeCode, httpGet, httpRequest,
} from '../lib/harness.js';

const USERS = [{ name: 'ana', role: 'admin', password: 'ana-cookie-password' }];

function auditLines(server) {
  const path = join(server.stateDir, 'audit.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

// Other cookies of the same host, about `bytes` long in all.
function otherCookies(bytes) {
  const parts = [];
  for (let i = 0; parts.join('; ').length < bytes; i++) parts.push(`pref${i}=${'v'.repeat(90)}`);
  return parts.join('; ');
}

// Sends raw request text; resolves with the first line of the answer ('' when
// the server closed without one).
function rawStatusLine(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (d) => {
      out += d;
      if (out.includes('\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(out.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

test('a session cookie among other cookies of up to 12 KB opens pages and sockets', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const { cookie } = await login(server, 'ana', 'ana-cookie-password');
  for (const bytes of [1100, 3000, 8000, 12000]) {
    for (const header of [`${otherCookies(bytes)}; ${cookie}`, `${cookie}; ${otherCookies(bytes)}`]) {
      const label = `${header.length} bytes, session cookie ${header.startsWith('pantau_session') ? 'first' : 'last'}`;
      const page = await httpGet(server, '/console', { cookie: header });
      assert.equal(page.status, 200, `${label}: ${page.status} ${page.headers.location || ''}`);
      const { client } = await connectAs(t, server, { cookie: header });
      assert.equal((await client.request('auth.whoami')).ok.user, 'ana', label);
      client.ws.terminate();
    }
  }
});

test('a Cookie header sent as two lines is read as one', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const { cookie } = await login(server, 'ana', 'ana-cookie-password');
  const request = (first, second) => `GET /console HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`
    + `Cookie: ${first}\r\nCookie: ${second}\r\nConnection: close\r\n\r\n`;
  assert.match(await rawStatusLine(server.port, request('theme=dark', cookie)), /^HTTP\/1\.1 200/);
  assert.match(await rawStatusLine(server.port, request(cookie, 'theme=dark')), /^HTTP\/1\.1 200/);
});

test('headers too big to read are refused, never taken for no cookie', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const { cookie } = await login(server, 'ana', 'ana-cookie-password');
  const text = `GET /console HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${otherCookies(40000)}; ${cookie}\r\n\r\n`;
  const answer = await rawStatusLine(server.port, text);
  assert.ok(!/ 302 /.test(answer), `not sent to /login as a stranger: ${answer}`);
  assert.ok(!/ 200 /.test(answer), `not served either: ${answer}`);
});

test('logout with a long Cookie header ends the session, its sockets, and is audited', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const { cookie } = await login(server, 'ana', 'ana-cookie-password');
  const header = `${otherCookies(3000)}; ${cookie}`;
  const { client } = await connectAs(t, server, { cookie });
  const out = await httpRequest(server, 'POST', '/api/logout', { headers: { cookie: header } });
  assert.equal(out.status, 200, out.body);
  assert.deepEqual(out.json, { ok: true });
  assert.match(out.headers['set-cookie'][0], /^pantau_session=; Max-Age=0/);
  assert.equal(await closeCode(client), 1008, 'the socket of the session is closed');
  assert.equal((await httpGet(server, '/console', { cookie })).status, 302, 'the cookie no longer opens a page');
  assert.deepEqual(auditLines(server).map((l) => [l.action, l.user]), [['login', 'ana'], ['logout', 'ana']]);
});

test('a logout that finds no session says why, clears nothing and audits nothing', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const { cookie } = await login(server, 'ana', 'ana-cookie-password');
  const { client } = await connectAs(t, server, { cookie });

  const none = await httpRequest(server, 'POST', '/api/logout', { headers: { cookie: 'theme=dark' } });
  assert.equal(none.status, 400, none.body);
  assert.match(none.json?.error ?? '', /no login session cookie/);
  assert.equal(none.headers['set-cookie'], undefined, 'nothing to clear');

  for (const stale of [`pantau_session=${'0'.repeat(64)}`, 'pantau_session=not-hex']) {
    const res = await httpRequest(server, 'POST', '/api/logout', { headers: { cookie: stale } });
    assert.equal(res.status, 401, `${stale}: ${res.body}`);
    assert.match(res.json?.error ?? '', /no such login session/);
    assert.equal(res.headers['set-cookie'], undefined, `${stale}: the browser keeps its cookie`);
  }

  assert.ok((await client.request('ping')).ok, 'the real session is untouched');
  assert.equal((await httpGet(server, '/console', { cookie })).status, 200);
  assert.deepEqual(auditLines(server).map((l) => l.action), ['login'], 'no logout audited');
  assert.ok(!server.output().includes(cookie.split('=')[1]), 'no session id in the log');
});
