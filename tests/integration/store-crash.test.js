// State on disk and the audit log after crashes (docs/security.md, "Audit
// log"; docs/reliability.md, "Slow disk"): whatever moment a kill -9 comes
// at during a burst of layout and preset changes, the state that loads is
// the one of the last acknowledged change or of one sent after it, and
// every change that reached disk has its audit line, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { serverFor, connect, wallIn, tileIn, sleep } from '../lib/harness.js';

const ROUNDS = 50;
// Fewer requests per round than the rate limit's burst (100), so none is
// refused and every one sent either changed the state or is in flight.
const MAX_OPS_PER_ROUND = 60;
const IN_FLIGHT = 3;

function auditPath(stateDir) { return join(stateDir, 'audit.jsonl'); }
const auditSize = (stateDir) => (existsSync(auditPath(stateDir)) ? statSync(auditPath(stateDir)).size : 0);

// The audit lines from byte offset on. A line torn by the kill is not a record.
function auditLinesFrom(stateDir, offset) {
  if (!existsSync(auditPath(stateDir))) return [];
  return readFileSync(auditPath(stateDir)).subarray(offset).toString('utf8').split('\n').flatMap((l) => {
    try { return [JSON.parse(l)]; } catch { return []; }
  });
}

// What the state is made of, as the tests compare it: the wall's version
// and its tile t2, and the preset names (ids of presets saved in flight are
// not known).
function stateOf(snapshot) {
  const wall = wallIn(snapshot);
  return { version: wall.version, t2: tileIn(wall.layout, 't2').source ?? null, presets: snapshot.presets.map((p) => ({ id: p.id, name: p.name })) };
}
const comparable = (s) => JSON.stringify({ version: s.version, t2: s.t2, presets: s.presets.map((p) => p.name).sort() });

// The next change of a burst, chosen from the state after every change sent
// so far (expected); presets touched by a change still in flight are left
// alone, and ids are those the replies gave.
function nextChange(expected, round, i, busy) {
  const settled = expected.presets.filter((p) => p.id && !busy.has(p.id));
  const roll = Math.random();
  if (roll < 0.5 || (settled.length === 0 && roll < 0.7)) {
    const sources = ['clock-a', 'clock-b', null];
    const source = sources[(sources.indexOf(expected.t2) + 1) % 3];
    return { op: 'tile.set_source', fields: { wall: 'main', version: expected.version, tile: 't2', source },
      apply: (s) => ({ ...s, version: s.version + 1, t2: source }) };
  }
  if (settled.length === 0 || (roll < 0.7 && expected.presets.length < 30)) {
    const name = `r${round}-${i}`;
    return { op: 'preset.save', fields: { wall: 'main', name },
      apply: (s, reply) => ({ ...s, presets: [...s.presets, { id: reply?.ok.preset.id, name }] }) };
  }
  const target = settled[Math.floor(Math.random() * settled.length)];
  if (roll < 0.85) {
    const name = `r${round}-${i}`;
    return { op: 'preset.rename', fields: { preset: target.id, name }, target: target.id,
      apply: (s) => ({ ...s, presets: s.presets.map((p) => (p.id === target.id ? { ...p, name } : p)) }) };
  }
  return { op: 'preset.delete', fields: { preset: target.id }, target: target.id,
    apply: (s) => ({ ...s, presets: s.presets.filter((p) => p.id !== target.id) }) };
}

// Sends changes, IN_FLIGHT at a time, until the connection drops or
// MAX_OPS_PER_ROUND were sent. Fills sent (in order) and acked (how many of
// them were answered, all in order: replies keep request order).
async function burst(client, start, round, sent, progress) {
  let expected = start;
  const busy = new Set();
  const waiting = new Map();
  let closed = false;
  client.ws.on('close', () => { closed = true; for (const w of waiting.values()) w(null); });
  client.ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(String(data));
    if (waiting.has(m.re)) { waiting.get(m.re)(m); waiting.delete(m.re); }
  });
  const inFlight = [];
  for (let i = 0; i < MAX_OPS_PER_ROUND && !closed; i++) {
    const change = nextChange(expected, round, i, busy);
    const id = 1000 + i;
    if (change.target) busy.add(change.target);
    sent.push(change);
    expected = change.apply(expected);
    const replied = new Promise((resolve) => waiting.set(id, resolve)).then((reply) => {
      if (!reply) return;
      assert.ok(reply.ok, `${change.op} ${JSON.stringify(change.fields)}: ${JSON.stringify(reply)}`);
      change.reply = reply;
      if (change.target) busy.delete(change.target);
      progress.acked++;
      // A save's id is known from its reply on: fill it into the expectation.
      const saved = change.op === 'preset.save' && expected.presets.find((p) => p.name === change.fields.name && !p.id);
      if (saved) saved.id = reply.ok.preset.id;
    });
    client.ws.send(JSON.stringify({ op: change.op, id, ...change.fields }));
    inFlight.push(replied);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

test('50 kill -9 at random moments of bursts of layout and preset changes: the state that loads is acknowledged or in flight, and every change on disk has its audit line', { timeout: 240000 }, async (t) => {
  const deadline = Date.now() + 150000;
  let stateDir;
  let start = null; // the state the next round starts from (checked)
  let rounds = 0;
  const counts = { acked: 0, inFlightKept: 0 };
  for (; rounds < ROUNDS && Date.now() < deadline; rounds++) {
    const auditFrom = stateDir ? auditSize(stateDir) : 0;
    const server = await serverFor(t, stateDir ? { stateDir } : {});
    stateDir = server.stateDir;
    const { client, snapshot } = await connect(t, server);
    const loaded = stateOf(snapshot);
    if (start) {
      // The state that loaded is one of those the last round allowed.
      assert.ok(start.allowed.some((s) => comparable(s) === comparable(loaded)),
        `round ${rounds}: loaded ${comparable(loaded)}, allowed ${start.allowed.map(comparable).join(' | ')}`);
      // Which one: the changes up to it reached disk, each with its line first, in order.
      const idx = start.allowed.findIndex((s) => comparable(s) === comparable(loaded));
      const onDisk = start.sent.slice(0, start.acked + idx);
      const lines = auditLinesFrom(stateDir, start.auditFrom);
      assert.ok(lines.length >= onDisk.length, `round ${rounds}: ${onDisk.length} changes on disk, ${lines.length} audit lines`);
      assert.ok(lines.length <= start.sent.length, `round ${rounds}: more audit lines than changes sent`);
      onDisk.forEach((change, i) => {
        assert.equal(lines[i].action, change.op, `round ${rounds}: audit line ${i}`);
        assert.equal(lines[i].ok, true);
        if (change.op === 'tile.set_source') assert.equal(lines[i].version_after, change.fields.version + 1, `round ${rounds}: line ${i}'s version`);
      });
      counts.inFlightKept += idx;
    }
    const sent = [];
    const progress = { acked: 0 };
    const changes = burst(client, loaded, rounds, sent, progress);
    await sleep(20 + Math.floor(Math.random() * 250));
    await server.kill9();
    await changes;
    // Allowed after the restart: the state after the acknowledged changes,
    // or after any further of those sent (the writer writes in order).
    let state = loaded;
    const allowed = [];
    sent.forEach((change, i) => {
      state = change.apply(state, change.reply);
      if (i + 1 >= progress.acked) allowed.push(state);
    });
    if (progress.acked === 0) allowed.unshift(loaded);
    start = { allowed, sent, acked: progress.acked, auditFrom };
    counts.acked += progress.acked;
  }
  t.diagnostic(`${rounds} kills; ${counts.acked} changes acknowledged; ${counts.inFlightKept} changes in flight found on disk after a restart`);
  assert.ok(rounds >= 30, `only ${rounds} rounds ran in time`);
  // The last round's state is checked by one more start.
  const server = await serverFor(t, { stateDir });
  const { snapshot } = await connect(t, server);
  assert.ok(start.allowed.some((s) => comparable(s) === comparable(stateOf(snapshot))), 'the last state loads');
});
