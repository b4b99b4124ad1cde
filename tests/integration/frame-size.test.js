// A text message over 65536 bytes (after reassembling fragments) closes the
// connection with 1009; exactly 65536 bytes is fine; other clients are not
// affected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, connect, wallIn, closeCode } from '../lib/harness.js';

const LIMIT = 65536;

// A ping request of exactly `bytes` bytes of UTF-8, padded with a string
// field made of `pad` (one- or two-byte characters).
function paddedPing(id, bytes, pad = 'x') {
  const bare = Buffer.byteLength(JSON.stringify({ op: 'ping', id, pad: '' }));
  const per = Buffer.byteLength(pad);
  const room = bytes - bare;
  const text = JSON.stringify({ op: 'ping', id, pad: pad.repeat(Math.floor(room / per)) + 'x'.repeat(room % per) });
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

async function twoConnected(t) {
  const server = await serverFor(t);
  const a = await connect(t, server);
  const b = await connect(t, server);
  return { server, a: a.client, b: b.client, wall: wallIn(b.snapshot) };
}

// Asserts that the bystander is still served and still gets wall events.
async function bystanderFine(b, wall) {
  assert.equal(b.ws.readyState, b.ws.OPEN, 'the other client is still connected');
  assert.equal(typeof (await b.request('ping')).ok.time, 'number');
  const reply = await b.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't2', source: 'clock-b' });
  assert.deepEqual(reply.ok, { wall: 'main', version: wall.version + 1 });
  await b.waitFor((m) => m.ev === 'wall' && m.wall.version === wall.version + 1);
}

test('a message of exactly 65536 bytes is answered', async (t) => {
  const { a } = await twoConnected(t);
  a.sendRaw(paddedPing(900001, LIMIT));
  const reply = await a.waitFor((m) => m.re === 900001);
  assert.equal(typeof reply.ok.time, 'number');
  assert.equal(a.ws.readyState, a.ws.OPEN);
  assert.equal(typeof (await a.request('ping')).ok.time, 'number', 'the connection stays usable');
});

test('a message of 65537 bytes closes the connection with 1009', async (t) => {
  const { a, b, wall } = await twoConnected(t);
  a.sendRaw(paddedPing(900002, LIMIT + 1));
  assert.equal(await closeCode(a), 1009);
  assert.equal(a.messages.filter((m) => m.re === 900002).length, 0, 'the oversized request is not answered');
  await bystanderFine(b, wall);
});

test('the limit counts bytes, not characters', async (t) => {
  const { a, b, wall } = await twoConnected(t);
  // 65537 bytes but only about 32800 characters.
  const text = paddedPing(900003, LIMIT + 1, 'é');
  assert.ok(text.length < 33000);
  a.sendRaw(text);
  assert.equal(await closeCode(a), 1009);
  await bystanderFine(b, wall);
});

test('the limit applies to the message reassembled from fragments', async (t) => {
  const { a, b, wall } = await twoConnected(t);
  // Two fragments of 40000 bytes: each is small, the message is not.
  const text = paddedPing(900004, 80000);
  a.ws.send(text.slice(0, 40000), { fin: false });
  a.ws.send(text.slice(40000), { fin: true });
  assert.equal(await closeCode(a), 1009);
  await bystanderFine(b, wall);
});

test('a fragmented message of exactly 65536 bytes is answered', async (t) => {
  const { a } = await twoConnected(t);
  const text = paddedPing(900005, LIMIT);
  a.ws.send(text.slice(0, 30000), { fin: false });
  a.ws.send(text.slice(30000, 60000), { fin: false });
  a.ws.send(text.slice(60000), { fin: true });
  const reply = await a.waitFor((m) => m.re === 900005);
  assert.equal(typeof reply.ok.time, 'number');
  assert.equal(a.ws.readyState, a.ws.OPEN);
});
