// The media benchmark's Node.js peer (make bench-media): a plain `ws` relay,
// the way many CCTV-to-browser setups do it. It does no RTSP: a feeder
// (bench/media-floor.c in `feed` mode) sends it the access units over one
// local TCP connection per camera, each as [u32 LE length][24-byte header]
// [access unit]. The relay stamps the header's receive time (offset 16,
// microseconds since the epoch) when a unit has arrived whole, and sends the
// header and the unit as one binary message to every client subscribed to
// that camera, as pantau does (docs/protocol.md, "Video: binary frames").
//
// Clients: {"op":"subscribe","id":N,"sources":["cam1",...]} is answered with
// {"re":N,"ok":{}}; a subscriber gets a camera from its next keyframe. A
// client with over 4 MiB buffered skips that camera up to its next keyframe
// (pantau's rule).
//
//   node bench/media-node-relay.js
// Prints "ready on ws://127.0.0.1:PORT/ feed 127.0.0.1:FEEDPORT".
import { createServer } from 'node:net';
import { WebSocketServer } from 'ws';

const MAX_BUFFERED = 4 << 20;

// Epoch microseconds with microsecond resolution (Date.now() has ms only).
const nowUs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));

const clients = new Set();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws) => {
  const state = { ws, cams: new Map() }; // stream id -> waiting for a keyframe
  clients.add(state);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg;
    try { msg = JSON.parse(String(data)); } catch { return; }
    if (msg.op === 'subscribe' && Array.isArray(msg.sources)) {
      state.cams = new Map();
      for (const s of msg.sources) {
        const id = Number(/^cam(\d+)$/.exec(typeof s === 'string' ? s : s?.id)?.[1]);
        if (id) state.cams.set(id, true);
      }
      ws.send(JSON.stringify({ re: msg.id, ok: {} }));
    } else if (msg.id !== undefined) {
      ws.send(JSON.stringify({ re: msg.id, ok: {} }));
    }
  });
  ws.on('close', () => clients.delete(state));
  ws.on('error', () => clients.delete(state));
});

function relay(unit) {
  unit.writeBigInt64LE(nowUs(), 16);
  const stream = unit.readUInt32LE(4);
  const key = (unit[1] & 1) !== 0;
  for (const c of clients) {
    const waiting = c.cams.get(stream);
    if (waiting === undefined) continue;
    if (waiting && !key) continue;
    if (c.ws.bufferedAmount > MAX_BUFFERED) {
      c.cams.set(stream, true);
      continue;
    }
    if (waiting) c.cams.set(stream, false);
    c.ws.send(unit, { binary: true });
  }
}

// The feed: length-prefixed units, any number of connections.
const feed = createServer((sock) => {
  sock.setNoDelay(true);
  let chunks = [];
  let have = 0;
  sock.on('data', (d) => {
    chunks.push(d);
    have += d.length;
    while (have >= 4) {
      let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
      chunks = [buf];
      const len = buf.readUInt32LE(0);
      if (have < 4 + len) break;
      relay(buf.subarray(4, 4 + len));
      buf = buf.subarray(4 + len);
      have -= 4 + len;
      chunks = have ? [buf] : [];
    }
  });
  sock.on('error', () => {});
});

wss.on('listening', () => {
  feed.listen(0, '127.0.0.1', () => {
    console.log(`ready on ws://127.0.0.1:${wss.address().port}/ feed 127.0.0.1:${feed.address().port}`);
  });
});
process.on('SIGTERM', () => process.exit(0));
