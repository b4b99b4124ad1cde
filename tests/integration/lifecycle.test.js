// Starting and stopping: the ready line, SIGTERM and SIGINT stop the server
// cleanly with status 0, also with clients connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeCode } from '../lib/harness.js';

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} with clients connected: exit 0, the clients are closed`, async (t) => {
    const server = await startServer();
    t.after(() => { server.kill9(); server.cleanup(); });
    assert.match(server.output(), new RegExp(`pantau: ready on http://127\\.0\\.0\\.1:${server.port}/`));
    const { client } = await connect(t, server);
    assert.equal(typeof (await client.request('ping')).ok.time, 'number');
    server.proc.kill(signal);
    let timer;
    const result = await Promise.race([server.exited, new Promise((r) => { timer = setTimeout(r, 5000, 'late'); })]);
    clearTimeout(timer);
    assert.deepEqual(result, { code: 0, signal: null }, `exit after ${signal}:\n${server.output().slice(-2000)}`);
    assert.ok([1000, 1001, 1006].includes(await closeCode(client)), 'the client connection ends');
  });
}

test('a SIGTERM sent the moment the server says ready stops it cleanly', async () => {
  for (let i = 0; i < 5; i++) {
    const server = await startServer();
    server.proc.kill('SIGTERM');
    const { code, signal } = await server.exited;
    server.cleanup();
    assert.equal(signal, null, `run ${i}: killed by ${signal} instead of stopping`);
    assert.equal(code, 0, `run ${i}`);
  }
});
