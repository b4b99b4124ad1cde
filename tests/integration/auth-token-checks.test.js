// Viewer tokens given as argon2id hashes (token_hash) are checked off the
// main loop, a few at a time: junk tokens from many addresses never stall
// other clients, and a correct token still opens the page and the socket
// (docs/security.md, "Wall displays: viewer tokens").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serverFor, authConfig, hashPassword, connectAs, sleep } from '../lib/harness.js';

const FAST_TOKEN = 'f4a1'.repeat(16); // token_sha256: checked at once
const SLOW_TOKENS = ['slow-token-one-4c1d9e2f7a8b', 'slow-token-two-0b3e5d7c9a1f', 'slow-token-three-6e2a4c8d0f1b'];

// A config with one token_sha256 token and three token_hash tokens.
async function slowTokenConfig() {
  const config = await authConfig({ tokens: [{ name: 'wall-fast', token: FAST_TOKEN }] });
  const hashes = await Promise.all(SLOW_TOKENS.map((token) => hashPassword(token)));
  SLOW_TOKENS.forEach((_, i) => config.auth.viewer_tokens.push({ name: `wall-slow-${i + 1}`, token_hash: hashes[i] }));
  return config;
}

// GET path from localAddress; resolves with { status, headers, body }.
function get(server, path, { localAddress = '127.0.0.1', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, localAddress, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.setTimeout(20000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

// GET path, following the server's 307s to the same URL (a token check that
// has ended is answered from memory on the next request).
async function getPage(server, path, options) {
  let res = await get(server, path, options);
  for (let hops = 0; res.status === 307 && hops < 3; hops++) {
    assert.equal(res.headers.location, path, 'a 307 goes back to the same URL');
    res = await get(server, path, options);
  }
  return res;
}

test('junk tokens from several addresses never stall the main loop', async (t) => {
  const server = await serverFor(t, { config: await slowTokenConfig() });
  const { client } = await connectAs(t, server, { token: FAST_TOKEN });
  const waits = [];
  let flooding = true;
  const pinger = (async () => {
    while (flooding) {
      const started = performance.now();
      assert.ok((await client.request('ping')).ok);
      waits.push(performance.now() - started);
      await sleep(50);
    }
  })();
  await sleep(200);
  // Six waves of four, 400 ms apart, so that checks run for seconds.
  const junk = [];
  for (let i = 0; i < 24; i++) {
    const localAddress = `127.0.0.${2 + (i % 4)}`;
    junk.push(get(server, `/wall?wall=main&token=junk-token-${i}-${'x'.repeat(20)}`, { localAddress }));
    if (i % 4 === 3) await sleep(400);
  }
  const answers = await Promise.all(junk);
  await sleep(300);
  flooding = false;
  await pinger;
  assert.ok(waits.length >= 5, `pings ran during the flood: ${waits.length}`);
  const worst = Math.max(...waits);
  t.diagnostic(`${waits.length} pings, the worst in ${worst.toFixed(0)} ms; answers: ${answers.map((r) => r.status).join(' ')}`);
  assert.ok(worst < 250, `no ping waits 250 ms or more; the worst took ${worst.toFixed(0)} ms`);
  for (const res of answers) assert.ok([302, 307, 503].includes(res.status), `a junk token gets ${res.status}`);
  const busy = answers.filter((res) => res.status === 503);
  assert.ok(busy.length > 0, 'past the bound of checks at once: 503');
  for (const res of busy) {
    assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After: ${res.headers['retry-after']}`);
    // A wall PC has no keyboard: the busy page reloads itself.
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.body, /<meta http-equiv="refresh" content="\d+">/);
  }
});

test('a correct token_hash token opens the page (after its check) and the WebSocket', async (t) => {
  const server = await serverFor(t, { config: await slowTokenConfig() });
  // The page: checked once, then answered from memory, with the token cookie.
  const path = `/wall?wall=main&token=${SLOW_TOKENS[0]}`;
  const page = await getPage(server, path);
  assert.equal(page.status, 200);
  const cookie = page.headers['set-cookie'].find((c) => c.startsWith('pantau_token='));
  assert.ok(cookie, 'the token cookie is set');
  assert.equal((await get(server, path)).status, 200, 'known now: served at once');
  assert.equal((await get(server, '/wall?wall=main', { headers: { cookie: cookie.split(';')[0] } })).status, 200);
  const { client } = await connectAs(t, server, { token: SLOW_TOKENS[0] });
  assert.equal((await client.request('auth.whoami')).ok.user, 'wall-slow-1');

  // The socket first: the handshake cannot wait, so a reconnect gets in.
  let second = null;
  for (let i = 0; i < 50 && !second; i++) {
    second = await connectAs(t, server, { token: SLOW_TOKENS[1] }).catch((err) => {
      assert.equal(err.status, 403);
      return null;
    });
    if (!second) await sleep(100);
  }
  assert.ok(second, 'a reconnect gets in within 5 s');
  assert.equal((await second.client.request('auth.whoami')).ok.user, 'wall-slow-2');

  // Only the token cookie (a reload after a restart): checked the same way.
  const byCookie = await getPage(server, '/wall?wall=main', { headers: { cookie: `pantau_token=${SLOW_TOKENS[2]}` } });
  assert.equal(byCookie.status, 200);
});

test('a wrong token ends at /login; retrying the same one costs nothing and locks nobody out', async (t) => {
  const server = await serverFor(t, { config: await slowTokenConfig() });
  const wrong = `/wall?wall=main&token=wrong-token-${'z'.repeat(24)}`;
  for (let i = 0; i < 8; i++) {
    const res = await getPage(server, wrong, { localAddress: '127.0.0.7' });
    assert.equal(res.status, 302, `try ${i + 1}`);
    assert.match(res.headers.location, /^\/login\?next=/);
  }
  // A known-wrong token is not checked again, so it did not use up the
  // address's attempts: the right token from there still works.
  const right = await getPage(server, `/wall?wall=main&token=${SLOW_TOKENS[0]}`, { localAddress: '127.0.0.7' });
  assert.equal(right.status, 200);
});
