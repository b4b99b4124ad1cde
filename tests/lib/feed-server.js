// A local HTTP feed for the data widget tests: serves JSON that a test sets,
// or on demand garbage (not JSON), a wrong shape, HTTP 500, or a hang (no
// answer until the test moves on). Records every request's headers.
import http from 'node:http';

export async function startFeedServer() {
  const feed = {
    mode: 'good', // good | garbage | shape | 500 | hang
    body: {},
    requests: [],
    hung: new Set(),
  };
  const server = http.createServer((req, res) => {
    feed.requests.push({ url: req.url, headers: req.headers, time: Date.now() });
    switch (feed.mode) {
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html><body>Gateway says hello</body></html>');
        return;
      case 'shape':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ unexpected: true, rows: 'none' }));
        return;
      case '500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
        return;
      case 'hang':
        feed.hung.add(res);
        res.on('close', () => feed.hung.delete(res));
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(feed.body));
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: (path = '/feed') => `http://127.0.0.1:${port}${path}`,
    get requests() { return feed.requests; },
    // Serves mode from now on; body is the JSON for 'good'.
    set(mode, body) {
      feed.mode = mode;
      if (body !== undefined) feed.body = body;
      if (mode !== 'hang') for (const res of feed.hung) res.destroy();
    },
    close() {
      for (const res of feed.hung) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

// Subscribes a harness client to sources (the core's `subscribe` op). Until
// the core has it, an `unknown_op` error is accepted too. Resolves with the
// reply.
export async function subscribe(client, sources) {
  const reply = await client.request('subscribe', { sources });
  if (reply.ok) return reply;
  if (reply.error?.code === 'unknown_op') return reply;
  throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
}

// The newest data of source id a client has: from the subscribe reply's
// history, else the snapshot, else the next `data` event. A widget that
// publishes only on change may have published before the client came.
export async function latestData(client, snapshot, subscribeReply, id, timeoutMs = 5000) {
  const history = subscribeReply?.ok?.history?.[id];
  if (history?.length) return history.at(-1);
  if (snapshot.data?.[id]) return snapshot.data[id];
  return nextMessage(client, (m) => m.ev === 'data' && m.source === id, timeoutMs, 0, `data of ${id}`);
}

// Resolves with the first message at index `from` or later matching pred;
// on a timeout the error names what was awaited and the recent messages.
export async function nextMessage(client, pred, timeoutMs = 5000, from = client.messages.length, what = String(pred)) {
  const found = client.messages.slice(from).find(pred);
  if (found) return found;
  try {
    return await client.waitFor((m) => client.messages.indexOf(m) >= from && pred(m), timeoutMs);
  } catch (err) {
    const recent = client.messages.slice(from).filter((m) => !m.binary).slice(-8).map((m) => JSON.stringify(m).slice(0, 200));
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; since then:\n${recent.join('\n')}`);
  }
}
