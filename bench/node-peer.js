// The comparison peer: a plain Node.js server on the `ws` package that speaks
// just enough of pantau's protocol for the benchmark. On `layout.apply` it
// checks the version, takes the layout, replies to the operator, then
// broadcasts a `wall` event to every client: the same bytes pantau sends (same
// key order, same size). Like pantau it sends a snapshot on connect and one
// `data` event per clock source a second to every client. Unlike pantau it
// does not validate the layout or write the state to disk.
//
//   node bench/node-peer.js [PORT]     (0 or absent: any free port)
// Prints "node-peer: ready on ws://127.0.0.1:PORT/ws" once listening.
import { WebSocketServer } from 'ws';
import { SOURCES, WALL, layoutFor } from './workload.js';

const port = Number(process.argv[2] || 0);

// Key order as pantau's wall_to_json() / layout_to_json().
const wall = {
  id: WALL.id,
  name: WALL.name,
  version: 1,
  displays: WALL.displays,
  layout: layoutFor(0),
};

function normaliseLayout(layout) {
  let fresh = 1;
  const used = new Set(layout.tiles.map((t) => t.id).filter(Boolean));
  return {
    columns: layout.columns,
    rows: layout.rows,
    tiles: layout.tiles.map((t) => {
      let id = t.id;
      if (!id) {
        while (used.has(`t${fresh}`)) fresh++;
        id = `t${fresh}`;
        used.add(id);
      }
      return { id, x: t.x, y: t.y, w: t.w, h: t.h, source: t.source ?? null };
    }),
  };
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', perMessageDeflate: false });

function broadcast(text) {
  const buf = Buffer.from(text); // serialised once, like pantau's shared out_msg
  for (const client of wss.clients) client.send(buf, { binary: false });
}

function snapshot() {
  return {
    ev: 'snapshot',
    server: { name: 'node-peer', version: '0' },
    sources: SOURCES.map((s) => ({ id: s.id, name: `Clock ${s.label}`, type: 'clock', kind: 'widget', plugin: 'clock', status: 'live', reason: null })),
    walls: [wall],
    presets: [],
    data: {},
  };
}

function reply(ws, id, body) {
  ws.send(JSON.stringify({ re: typeof id === 'number' ? id : null, ...body }));
}

function handle(ws, text) {
  let req;
  try {
    req = JSON.parse(text);
  } catch {
    return reply(ws, null, { error: { code: 'bad_json', message: 'not JSON' } });
  }
  if (req.op === 'ping') return reply(ws, req.id, { ok: { time: Date.now() } });
  if (req.op !== 'layout.apply') return reply(ws, req.id, { error: { code: 'unknown_op', field: 'op', message: 'unknown op' } });
  if (req.wall !== wall.id) return reply(ws, req.id, { error: { code: 'not_found', field: 'wall', message: 'no such wall' } });
  if (req.version !== wall.version) {
    return reply(ws, req.id, {
      error: { code: 'conflict', field: 'version', message: `wall '${wall.id}' is at version ${wall.version}, the request was based on ${req.version}`, current: wall.version },
    });
  }
  wall.layout = normaliseLayout(req.layout);
  wall.version++;
  reply(ws, req.id, { ok: { wall: wall.id, version: wall.version } });
  broadcast(JSON.stringify({ ev: 'wall', wall }));
}

wss.on('connection', (ws) => {
  ws.send(JSON.stringify(snapshot()));
  ws.on('message', (data) => handle(ws, String(data)));
  ws.on('error', () => {});
});

// One `data` event per clock a second, shaped as the clock plugin's.
for (const s of SOURCES) {
  setInterval(() => {
    const now = Date.now();
    broadcast(JSON.stringify({
      ev: 'data',
      source: s.id,
      data: { time_ms: now, timezone: s.timezone, label: s.label, utc_offset_minutes: 0, show_seconds: false },
      time: now,
    }));
  }, 1000);
}

wss.on('listening', () => {
  console.log(`node-peer: ready on ws://127.0.0.1:${wss.address().port}/ws`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
