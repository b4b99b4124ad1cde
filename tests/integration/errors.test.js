// Requests the server must refuse: not JSON, not an object, unknown op,
// wrong field types, unknown wall/tile/source/preset. After each the server
// still answers and the wall is unchanged. One server for the whole file
// (nothing here may change it), fresh clients for every test (the rate limit
// of 100 requests a second is per client).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, Client, wallIn, expectError, expectUnchanged, eachCase } from '../lib/harness.js';

let server, a, b, wall;

before(async () => {
  server = await startServer();
});

after(async () => {
  const { code } = await stopServer(server);
  server.cleanup();
  assert.equal(code, 0, 'the server stops cleanly');
});

beforeEach(async () => {
  a = new Client(server.wsUrl);
  b = new Client(server.wsUrl);
  await Promise.all([a.opened, b.opened]);
  wall = wallIn(await a.snapshot());
  await b.snapshot();
});

afterEach(() => {
  a.ws.terminate();
  b.ws.terminate();
});

// Sends raw text and resolves with the next reply (a message with `re`).
// Raw ids are 900000+, far from the ids Client.request() uses.
async function sendRaw(text) {
  const seen = a.messages.length;
  a.sendRaw(text);
  return a.waitFor((m) => 're' in m && a.messages.indexOf(m) >= seen);
}

test('malformed JSON gets bad_json with re null', async () => {
  await eachCase(['not json', '{"op": "ping", "id": 1', '{"op": "ping",, "id": 1}', '{\'op\': 1}', ''], async (text) => {
    const reply = await sendRaw(text);
    await expectUnchanged(a, b, wall);
    assert.equal(reply.re, null, 're is null');
    expectError(reply, 'bad_json');
  });
});

test('JSON that is not an object gets bad_json', async () => {
  await eachCase(['[{"op": "ping", "id": 1}]', '[]', '42', '"ping"', 'null', 'true'], async (text) => {
    const reply = await sendRaw(text);
    await expectUnchanged(a, b, wall);
    assert.equal(reply.re, null, 're is null');
    expectError(reply, 'bad_json');
  });
});

test('unknown op gets unknown_op naming the field op', async () => {
  const reply = await a.request('wall.explode', { wall: 'main', version: wall.version });
  expectError(reply, 'unknown_op', 'op');
  await expectUnchanged(a, b, wall);
  expectError(await a.request('PING'), 'unknown_op', 'op');
});

test('a missing or non-string op is bad_request naming op', async () => {
  expectError(await sendRaw('{"id": 900041}'), 'bad_request', 'op');
  expectError(await sendRaw('{"id": 900042, "op": 7}'), 'bad_request', 'op');
  const nullOp = await sendRaw('{"id": 900043, "op": null}');
  assert.equal(nullOp.re, 900043);
  expectError(nullOp, 'bad_request', 'op');
  await expectUnchanged(a, b, wall);
});

test('the id is echoed, and a request without a numeric id gets re null', async () => {
  assert.deepEqual(Object.keys((await sendRaw('{"op": "ping", "id": 900077}'))), ['re', 'ok']);
  assert.equal((await sendRaw('{"op": "ping", "id": 900077.5}')).re, 900077.5);
  for (const text of ['{"op": "ping"}', '{"op": "ping", "id": "7"}', '{"op": "ping", "id": null}']) {
    const reply = await sendRaw(text);
    assert.equal(reply.re, null, `re for ${text}`);
    assert.equal(typeof reply.ok.time, 'number', `${text} is answered`);
  }
});

test('wrong types are bad_request naming the field', async () => {
  const v = wall.version;
  const cases = [
    ['tile.set_source', { wall: 1, version: v, tile: 't1', source: null }, 'wall'],
    ['tile.set_source', { wall: 'main', version: String(v), tile: 't1', source: null }, 'version'],
    ['tile.set_source', { wall: 'main', version: v + 0.5, tile: 't1', source: null }, 'version'],
    ['tile.set_source', { wall: 'main', version: v, source: null }, 'tile'],
    ['tile.set_source', { wall: 'main', version: v, tile: ['t1'], source: null }, 'tile'],
    ['tile.set_source', { wall: 'main', version: v, tile: 't1', source: 3 }, 'source'],
    ['tile.set_source', { version: v, tile: 't1', source: null }, 'wall'],
    ['tile.split', { wall: 'main', version: v, tile: 't1', columns: 2 }, 'rows'],
    ['tile.split', { wall: 'main', version: v, tile: 't1', columns: 0, rows: 1 }, 'columns'],
    ['tile.merge', { wall: 'main', version: v, tiles: 't1' }, 'tiles'],
    ['tile.merge', { wall: 'main', version: v, tiles: ['t1', 2] }, 'tiles[1]'],
    ['tile.resize', { wall: 'main', version: v, tile: 't1', x: 0, y: '0', w: 1, h: 1 }, 'y'],
    ['tile.swap', { wall: 'main', version: v, a: 't1' }, 'b'],
    ['layout.apply', { wall: 'main', version: v }, 'layout'],
    ['layout.apply', { wall: 'main', version: v, layout: [] }, 'layout'],
    ['layout.apply', { wall: 'main', version: v, layout: { columns: '2', rows: 2, tiles: [] } }, 'layout.columns'],
    ['layout.apply', { wall: 'main', version: v, layout: { columns: 2, rows: 2, tiles: [{ x: 0, y: 0, w: 1, h: 1, source: null }, { x: 1, y: 0, w: 1, h: '1', source: null }] } }, 'layout.tiles[1].h'],
    ['layout.apply', { wall: 'main', version: v, layout: { columns: 2, rows: 2, tiles: [5] } }, 'layout.tiles[0]'],
    ['preset.save', { wall: 'main' }, 'name'],
    ['preset.save', { wall: 'main', name: 12 }, 'name'],
    ['preset.save', { wall: 'main', name: 'x', overwrite: 'yes' }, 'overwrite'],
    ['preset.recall', { wall: 'main', version: v, preset: 1 }, 'preset'],
    ['preset.rename', { preset: 'p1' }, 'name'],
    ['preset.delete', {}, 'preset'],
  ];
  await eachCase(cases, async (op, fields, field) => {
    const reply = await a.request(op, fields);
    await expectUnchanged(a, b, wall);
    expectError(reply, 'bad_request', field);
  });
  const presets = await a.request('snapshot');
  assert.deepEqual(presets.ok.presets, [], 'no preset was made');
});

test('unknown wall, tile, source and preset are not_found naming which', async () => {
  const v = wall.version;
  const cases = [
    ['tile.set_source', { wall: 'side', version: v, tile: 't1', source: null }, 'wall'],
    ['tile.set_source', { wall: 'main', version: v, tile: 't42', source: null }, 'tile'],
    ['tile.set_source', { wall: 'main', version: v, tile: 't1', source: 'cam-nowhere' }, 'source'],
    ['tile.split', { wall: 'main', version: v, tile: 't42', columns: 2, rows: 1 }, 'tile'],
    ['tile.resize', { wall: 'main', version: v, tile: 't42', x: 0, y: 0, w: 1, h: 1 }, 'tile'],
    ['tile.swap', { wall: 'main', version: v, a: 't42', b: 't1' }, 'a'],
    ['tile.merge', { wall: 'main', version: v, tiles: ['t42', 't1'] }, 'tiles[0]'],
    ['wall.clear', { wall: 'side', version: v }, 'wall'],
    ['layout.apply', { wall: 'side', version: v, layout: { columns: 1, rows: 1, tiles: [] } }, 'wall'],
    ['preset.save', { wall: 'side', name: 'x' }, 'wall'],
    ['preset.recall', { wall: 'main', version: v, preset: 'p404' }, 'preset'],
    ['preset.rename', { preset: 'p404', name: 'x' }, 'preset'],
    ['preset.delete', { preset: 'p404' }, 'preset'],
  ];
  await eachCase(cases, async (op, fields, field) => {
    const reply = await a.request(op, fields);
    await expectUnchanged(a, b, wall);
    expectError(reply, 'not_found', field);
  });
});

test('after a run of refused requests the connection is still open and serving', async () => {
  const replies = [
    await sendRaw('{"op": "ping", "id": '),
    await sendRaw('[1, 2, 3]'),
    await a.request('no.such.op'),
    await a.request('tile.set_source', { wall: 7, version: wall.version, tile: 't1', source: null }),
    await a.request('tile.set_source', { wall: 'main', version: wall.version, tile: 't1', source: 'nope' }),
  ];
  assert.deepEqual(replies.map((r) => r.error.code), ['bad_json', 'bad_json', 'unknown_op', 'bad_request', 'not_found']);
  assert.equal(a.ws.readyState, a.ws.OPEN);
  const reply = await a.request('ping');
  assert.equal(typeof reply.ok.time, 'number');
  await expectUnchanged(a, b, wall);
  assert.equal(a.messages.filter((m) => m.ev === 'snapshot').length, 1, 'no reconnect happened');
});

test('an error message that would cut a UTF-8 character still gets a reply, valid UTF-8', async () => {
  // Issue 11 finding 8: `%.64s` and the 320-byte message buffer cut "é" in
  // half, json_pack refused the invalid UTF-8, and the reply was dropped.
  const op = 'a' + 'é'.repeat(40);
  const unknownOp = await a.request(op);
  expectError(unknownOp, 'unknown_op', 'op');
  assert.ok(!unknownOp.error.message.includes('\ufffd'), unknownOp.error.message);
  assert.ok(unknownOp.error.message.includes('aé'), unknownOp.error.message);
  const wallId = 'é'.repeat(300);
  expectError(await a.request('tile.set_source', { wall: wallId, version: 1, tile: 't1', source: null }), 'not_found', 'wall');
  expectError(await a.request('preset.recall', { wall: 'main', preset: 'é'.repeat(300), version: wall.version }), 'not_found');
  await expectUnchanged(a, b, wall);
});
