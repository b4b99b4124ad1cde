// A failed login by an unknown user name is audited without the name: a
// password typed into the user field must not end up where admins read
// (docs/security.md, "Audit log").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { serverFor, authConfig, login, connectAs } from '../lib/harness.js';

const USERS = [{ name: 'ana', role: 'admin', password: 'ana-audit-password' }];
const UNKNOWN = /^\(unknown user [0-9a-f]{8}\)$/;

function auditLines(server) {
  const path = join(server.stateDir, 'audit.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

test('an unknown user name is audited as "unknown user" and a tag, never as typed', async (t) => {
  const server = await serverFor(t, { config: await authConfig({ users: USERS }) });
  const typedPassword = 'Tr0ub4dor&3-in-the-name-field';
  assert.equal((await login(server, typedPassword, '')).status, 401);
  assert.equal((await login(server, typedPassword, 'x')).status, 401);
  assert.equal((await login(server, 'bob', 'bob-guess-1')).status, 401);
  assert.equal((await login(server, 'ana', 'not-the-password')).status, 401);
  const ok = await login(server, 'ana', 'ana-audit-password');
  assert.equal(ok.status, 200);

  const text = readFileSync(join(server.stateDir, 'audit.jsonl'), 'utf8');
  assert.ok(!text.includes('Tr0ub4dor'), 'the typed name is not in the audit log');
  assert.ok(!text.includes('"bob"'), 'no unknown name is in the audit log');
  assert.ok(!server.output().includes('Tr0ub4dor'), 'nor in the server log');
  assert.ok(!server.output().includes('bob'), 'no unknown name in the server log');

  const lines = auditLines(server);
  assert.deepEqual(lines.map((l) => [l.action, l.ok]),
    [['login_failed', false], ['login_failed', false], ['login_failed', false], ['login_failed', false], ['login', true]]);
  const [first, again, bob, ana] = lines.map((l) => l.user);
  for (const tag of [first, again, bob]) assert.match(tag, UNKNOWN);
  assert.equal(first, again, 'the same unknown name gets the same tag (attempts can be counted)');
  assert.notEqual(first, bob, 'another unknown name gets another tag');
  assert.equal(ana, 'ana', 'a configured user is audited by name');

  const admin = (await connectAs(t, server, { cookie: ok.cookie })).client;
  const found = await admin.request('audit.query', { user: first });
  assert.deepEqual(found.ok.entries.map((e) => e.user), [first, first], 'audit.query finds the tag');
});
