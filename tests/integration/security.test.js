// Hardening found in review: Origin headers too long to read, DNS
// rebinding without logins, pipelined POST bodies, content behind login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { serverFor, authConfig, httpGet, sleep } from '../lib/harness.js';

// Sends raw bytes on one connection; resolves with everything read until
// the server closes or `ms` pass.
function raw(port, text, ms = 1500) {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let got = '';
    const done = () => { socket.destroy(); resolve(got); };
    const timer = setTimeout(done, ms);
    socket.on('data', (d) => { got += d; });
    socket.on('close', () => { clearTimeout(timer); resolve(got); });
    socket.on('error', () => {});
    socket.write(text);
  });
}

function upgrade(port, { host, origin }) {
  return raw(port, [
    'GET /ws HTTP/1.1', `Host: ${host}`, 'Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Protocol: pantau.v1', `Origin: ${origin}`, '', '',
  ].join('\r\n'), 800);
}

const statusOf = (text) => Number(/^HTTP\/1\.[01] (\d+)/.exec(text)?.[1] || 0);

test('the WebSocket handshake: our origin passes; a foreign, an unreadably long, or a rebound one is refused', async (t) => {
  const server = await serverFor(t);
  const host = `127.0.0.1:${server.port}`;
  assert.equal(statusOf(await upgrade(server.port, { host, origin: `http://${host}` })), 101);
  assert.equal(statusOf(await upgrade(server.port, { host, origin: 'https://evil.example' })), 403);
  const long = `https://${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}.evil.example`;
  assert.ok(long.length >= 256);
  assert.equal(statusOf(await upgrade(server.port, { host, origin: long })), 403, 'too long to read is refused');
  // DNS rebinding: a foreign name pointing at this machine, Origin = Host.
  const rebound = `attacker.example:${server.port}`;
  assert.equal(statusOf(await upgrade(server.port, { host: rebound, origin: `http://${rebound}` })), 403);
  assert.equal(statusOf(await upgrade(server.port, { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` })), 101);
});

test('a POST body pipelined behind another request does not stall the server', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: [{ name: 'ana', role: 'admin', password: 'pipelined-pass' }] }) });
  const body = '{"user":"ana","password":"wrong-one"}';
  await raw(server.port, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nPOST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 1000);
  await sleep(200);
  const after = await httpGet(server, '/metrics');
  assert.equal(after.status, 200, 'the server still answers');
});

test('with logins on, slides need a login like the pages', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: [{ name: 'ana', role: 'admin', password: 'slides-pass-1' }] }) });
  const res = await httpGet(server, '/slides/s1.json');
  assert.ok([302, 403].includes(res.status), `status ${res.status}`);
});

test('a protected page with a long query string is redirected to /login with all of it', async (t) => {
  // Issue 11 finding 15: the Location did not fit the 1 KiB header buffer
  // and the connection was dropped without an answer.
  const server = await serverFor(t, { config: await authConfig({ users: [{ name: 'ana', role: 'admin', password: 'long-query-pass' }] }) });
  const args = Array.from({ length: 8 }, (_, i) => `a${i}=${String(i).repeat(200)}`);
  const res = await httpGet(server, `/console?${args.join('&')}`);
  assert.equal(res.status, 302);
  const next = decodeURIComponent(new URL(res.headers.location, server.url).searchParams.get('next'));
  assert.equal(next, `/console?${args.join('&')}`);
  // One too long for any header is refused with a status, not dropped.
  const huge = Array.from({ length: 40 }, (_, i) => `b${i}=${'x'.repeat(250)}`).join('&');
  const refused = await httpGet(server, `/console?${huge}`);
  assert.ok([414, 431].includes(refused.status), `status ${refused.status}`);
});
