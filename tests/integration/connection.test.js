// The connection: the optional `pantau.v1` subprotocol, a fresh snapshot on
// every (re)connect, and secret settings never leaving the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, connect, twoClients, Client, testConfig, wallIn, expectWallChange } from '../lib/harness.js';

test('the subprotocol pantau.v1 is accepted; another one is refused', async (t) => {
  const server = await serverFor(t);
  const { client, snapshot } = await connect(t, server, 'pantau.v1');
  assert.equal(client.ws.protocol, 'pantau.v1');
  assert.equal(snapshot.ev, 'snapshot');
  const other = new Client(server.wsUrl, 'chat.v2');
  t.after(() => other.ws.terminate());
  await assert.rejects(other.opened, 'a connection asking only for another subprotocol is refused');
  const plain = await connect(t, server);
  assert.equal(plain.client.ws.protocol, '', 'no subprotocol is fine too');
});

test('a client that reconnects gets a snapshot with the current state', async (t) => {
  const server = await serverFor(t);
  const { a, b, wall } = await twoClients(t, server);
  const w = await expectWallChange(await a.request('tile.swap', { wall: 'main', version: wall.version, a: 't1', b: 't2' }), a, b, wall);
  const { preset } = (await a.request('preset.save', { wall: 'main', name: 'After swap' })).ok;
  await b.close();
  const { client, snapshot } = await connect(t, server);
  assert.equal(client.messages[0], snapshot, 'the snapshot comes first');
  assert.deepEqual(wallIn(snapshot), w);
  assert.deepEqual(snapshot.presets, [preset]);
});

test('secret settings never leave the server', async (t) => {
  const config = testConfig();
  config.sources[1].settings = {
    timezone: 'UTC', label: 'UTC',
    api_password: 'hunter2-pw', AccessToken: 'tok-77e1', client_secret: 'shh-secret', credentials: 'cr3d', apikey: 'k3y-9',
    url: 'rtsp://admin:pa55word@10.0.0.1:554/Streaming/Channels/101',
  };
  const server = await serverFor(t, { config });
  const { client, snapshot } = await connect(t, server);
  const again = await client.request('snapshot');
  const texts = [JSON.stringify(snapshot), JSON.stringify(again)];
  for (const text of texts) {
    for (const secret of ['hunter2-pw', 'tok-77e1', 'shh-secret', 'cr3d', 'k3y-9', 'pa55word']) {
      assert.ok(!text.includes(secret), `${secret} is not sent`);
    }
  }
  const source = snapshot.sources.find((s) => s.id === 'clock-b');
  assert.equal(source.settings.timezone, 'UTC', 'ordinary settings are sent');
  assert.match(source.settings.url, /^rtsp:\/\/.*10\.0\.0\.1:554\/Streaming\/Channels\/101$/, 'the URL, without its password');
});
