// State on disk and the audit log after crashes (docs/security.md, "Audit
// log"): every wall version that reached disk has its audit line, whatever
// moment a kill -9 comes at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { serverFor, connect, wallIn, requestUnlessClosed, sleep } from '../lib/harness.js';

function auditLines(stateDir) {
  const path = join(stateDir, 'audit.jsonl');
  if (!existsSync(path)) return [];
  // A line torn by the kill is not an audit record.
  return readFileSync(path, 'utf8').split('\n').flatMap((l) => {
    try { return [JSON.parse(l)]; } catch { return []; }
  });
}

// The wall version on disk, or null before the first change.
function versionOnDisk(stateDir) {
  const path = join(stateDir, 'walls', 'main.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).version : null;
}

// Changes the wall one request after another until the connection drops.
async function changeUntilKilled(client, version) {
  const sources = ['clock-a', 'clock-b', null];
  for (let i = 0; ; i++) {
    const reply = await requestUnlessClosed(client, 'tile.set_source',
      { wall: 'main', version, tile: 't2', source: sources[i % 3] });
    if (!reply) return;
    if (reply.ok) version = reply.ok.version;
    else if (reply.error.code === 'rate_limited') await sleep(20);
    else throw new Error(JSON.stringify(reply));
  }
}

test('a kill -9 at any moment of a burst of wall changes never leaves a version on disk without its audit line', { timeout: 180000 }, async (t) => {
  const ROUNDS = 25;
  const deadline = Date.now() + 120000;
  let stateDir;
  const unaudited = [];
  let rounds = 0;
  for (; rounds < ROUNDS && Date.now() < deadline; rounds++) {
    const server = await serverFor(t, stateDir ? { stateDir } : {});
    stateDir = server.stateDir;
    const { client, snapshot } = await connect(t, server);
    const burst = changeUntilKilled(client, wallIn(snapshot).version);
    await sleep(20 + Math.floor(Math.random() * 200));
    await server.kill9();
    await burst;
    const version = versionOnDisk(stateDir);
    if (version === null) continue;
    const audited = auditLines(stateDir).some((l) => l.wall === 'main' && l.version_after === version && l.ok);
    if (!audited) unaudited.push(version);
  }
  t.diagnostic(`${rounds} kills; versions on disk without an audit line: ${JSON.stringify(unaudited)}`);
  assert.ok(rounds >= 10, `only ${rounds} rounds ran`);
  assert.deepEqual(unaudited, [], 'every version on disk has its audit line');
});
