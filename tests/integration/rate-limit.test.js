// At most 100 requests a second per client (a bucket of 100 refilled at 100
// a second). Over the limit: `rate_limited`, nothing changes, every request
// still gets exactly one reply, other clients are not affected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, connect, sleep, expectError } from '../lib/harness.js';

const BUCKET = 100;
const RATE = 100; // per second

// Sends n requests at once (ids from firstId) and resolves, once all n have
// been answered, with the replies in id order and the time it took.
async function flood(client, n, makeRequest, firstId = 1000) {
  const ids = Array.from({ length: n }, (_, i) => firstId + i);
  const started = Date.now();
  for (const id of ids) client.sendRaw(JSON.stringify({ ...makeRequest(id), id }));
  const replies = await Promise.all(ids.map((id) => client.waitFor((m) => m.re === id, 10000)));
  return { replies, elapsedMs: Date.now() - started, ids };
}

const replyCount = (client, id) => client.messages.filter((m) => m.re === id).length;

test('a flood of 300 requests: some rate_limited, one reply each, the server keeps serving', async (t) => {
  const server = await serverFor(t);
  const { client: a } = await connect(t, server);
  const { client: other } = await connect(t, server);
  const { replies, elapsedMs, ids } = await flood(a, 300, () => ({ op: 'ping' }));
  const ok = replies.filter((r) => r.ok);
  const limited = replies.filter((r) => r.error);
  for (const r of limited) expectError(r, 'rate_limited');
  for (const r of ok) assert.equal(typeof r.ok.time, 'number');
  assert.ok(limited.length > 0, 'some requests are rate_limited');
  assert.ok(ok.length >= BUCKET, `a full bucket (${BUCKET}) is served first; ok: ${ok.length}`);
  const allowed = BUCKET + Math.ceil((RATE * elapsedMs) / 1000) + 1;
  assert.ok(ok.length <= allowed, `at most ${allowed} ok in ${elapsedMs} ms, got ${ok.length}`);
  // The first BUCKET requests are within the bucket.
  assert.ok(replies.slice(0, BUCKET).every((r) => r.ok), 'the first 100 requests are served');
  // Another client is not limited by this one.
  const otherPing = await other.request('ping');
  assert.equal(typeof otherPing.ok.time, 'number', `other client: ${JSON.stringify(otherPing)}`);
  // After a second the bucket is full again: 100 requests in a burst succeed.
  await sleep(1100);
  const again = await flood(a, BUCKET, () => ({ op: 'ping' }), 5000);
  assert.deepEqual(again.replies.filter((r) => !r.ok), [], 'after 1.1 s a full bucket of requests succeeds');
  // Exactly one reply per request, counted after everything has settled.
  for (const id of [...ids, ...again.ids]) assert.equal(replyCount(a, id), 1, `replies to request ${id}`);
  assert.equal(a.ws.readyState, a.ws.OPEN, 'the flooding client is not disconnected');
});

test('a rate_limited request changes nothing', async (t) => {
  const server = await serverFor(t);
  const { client: a } = await connect(t, server);
  const { client: b } = await connect(t, server);
  // 100 pings empty the bucket at once; then 60 saves with distinct names,
  // each followed by 9 pings, so the bucket stays empty however long a save
  // takes (fsync of the state and of the audit log).
  const names = (id) => `flood-${id}`;
  const isSave = (id) => id >= 1100 && (id - 1100) % 10 === 0;
  const { replies, ids } = await flood(a, 700, (id) => (isSave(id) ? { op: 'preset.save', wall: 'main', name: names(id) } : { op: 'ping' }));
  const saves = ids.filter(isSave);
  const saved = saves.filter((id) => replies[ids.indexOf(id)].ok);
  const limited = saves.filter((id) => replies[ids.indexOf(id)].error);
  for (const id of limited) expectError(replies[ids.indexOf(id)], 'rate_limited');
  assert.ok(limited.length > 0, 'some saves are rate_limited');
  for (const id of saved) assert.equal(replies[ids.indexOf(id)].ok.preset.name, names(id));
  // The presets are exactly the acknowledged ones, in order.
  const { ok } = await b.request('snapshot');
  assert.deepEqual(ok.presets.map((p) => p.name), saved.map(names));
});

test('the bucket refills at 100 a second: after 0.5 s, 40 requests are served', async (t) => {
  const server = await serverFor(t);
  const { client: a } = await connect(t, server);
  await flood(a, BUCKET, () => ({ op: 'ping' })); // empty the bucket
  await sleep(500); // refills about 50
  const { replies } = await flood(a, 40, () => ({ op: 'ping' }), 3000);
  assert.deepEqual(replies.filter((r) => !r.ok), [], 'requests within the refill are served');
});
