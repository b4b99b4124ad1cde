// Optional HTTPS/WSS: with auth.tls the same server speaks TLS on its port,
// login cookies get Secure, and the WebSocket works over wss://.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { serverFor, authConfig } from '../lib/harness.js';

function selfSigned(t) {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: 'pipe' });
  return { cert, key };
}

function httpsRequest(port, method, path, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test('with auth.tls: HTTPS pages, a Secure session cookie, and a working wss:// socket', async (t) => {
  const tls = selfSigned(t);
  const config = await authConfig({ users: [{ name: 'ana', role: 'admin', password: 'tls-test-password' }], auth: { tls } });
  const server = await serverFor(t, { config });
  assert.match(server.output(), /ready on https:\/\//);
  const page = await httpsRequest(server.port, 'GET', '/login');
  assert.equal(page.status, 200);
  assert.match(page.body, /login-form/);
  const body = JSON.stringify({ user: 'ana', password: 'tls-test-password' });
  const login = await httpsRequest(server.port, 'POST', '/api/login', {
    body, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  assert.equal(login.status, 200, login.body);
  const cookie = login.headers['set-cookie'][0];
  assert.match(cookie, /; Secure/);
  const ws = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, 'pantau.v1', {
    rejectUnauthorized: false, headers: { cookie: cookie.split(';')[0] },
  });
  t.after(() => ws.terminate());
  const first = await new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.once('error', reject);
  });
  assert.equal(first.ev, 'snapshot');
  // Plain HTTP on the TLS port gets no page.
  const plain = await fetch(`http://127.0.0.1:${server.port}/login`).then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200);
});

test('with auth.tls the server offers only HTTP/1.1 over ALPN, so browsers never speak HTTP/2 to it', async (t) => {
  const { connect } = await import('node:tls');
  const tls = selfSigned(t);
  const config = await authConfig({ users: [{ name: 'ana', role: 'admin', password: 'tls-test-password' }], auth: { tls } });
  const server = await serverFor(t, { config });
  const alpn = await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false },
      () => { resolve(socket.alpnProtocol); socket.destroy(); });
    socket.on('error', reject);
  });
  assert.equal(alpn, 'http/1.1');
  // A browser's login POST carries its Origin: accepted over TLS.
  const body = JSON.stringify({ user: 'ana', password: 'tls-test-password' });
  const login = await httpsRequest(server.port, 'POST', '/api/login', {
    body, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: `https://127.0.0.1:${server.port}` },
  });
  assert.equal(login.status, 200, login.body);
});

test('with auth.tls the viewer-token cookie set by /wall?token= is Secure', async (t) => {
  const tls = selfSigned(t);
  const token = 'b1f0c3d2e5a4978685746352413f2e1d0c9b8a79';
  const config = await authConfig({ tokens: [{ name: 'wall-pc', token }], auth: { tls } });
  const server = await serverFor(t, { config });
  const page = await httpsRequest(server.port, 'GET', `/wall?wall=main&token=${token}`);
  assert.equal(page.status, 200, page.body);
  const cookie = (page.headers['set-cookie'] || []).find((c) => c.startsWith('pantau_token='));
  assert.ok(cookie, 'the token cookie is set');
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; Secure/);
});
