// The benchmark's workload, shared by the driver, the load generator and the
// Node.js peer: the server config, the wall, and the layouts the operator
// applies. Both servers get exactly this, so their `wall` events are the same
// bytes.

// Clock widgets (the only plugin that needs no hardware); tiles must show
// existing sources. Each clock publishes a `data` event once a second to every
// client, and the Node.js peer sends the same background traffic, so both
// servers carry the same load. BENCH_SOURCES sets how many (default 1: the
// least background traffic pantau allows; every data burst that overlaps a
// change delays it, see bench/README.md). Ids all have the same length so the
// wall event's size does not depend on which source a tile shows.
const ZONES = [['Asia/Jakarta', 'WIB'], ['Asia/Makassar', 'WITA'], ['Asia/Jayapura', 'WIT'], ['UTC', 'UTC']];
const nSources = Math.max(1, Math.min(24, Number(process.env.BENCH_SOURCES || 1)));
export const SOURCES = Array.from({ length: nSources }, (_, i) => ({
  id: `clock-wall-widget-${String(i + 1).padStart(2, '0')}`,
  timezone: ZONES[i % ZONES.length][0],
  label: ZONES[i % ZONES.length][1],
}));

export const WALL = {
  id: 'main',
  name: 'Command Centre wall',
  displays: { columns: 3, rows: 2, width: 1920, height: 1080, bezel: { x: 12, y: 12 } },
};

// A 6 x 4 grid of 24 one-cell tiles, every tile showing a source. Layout k
// moves every tile (its id and source) k cells on, so consecutive layouts
// differ in every cell while the serialised size stays the same. The
// resulting `wall` event is about 2 KB.
export const GRID = { columns: 6, rows: 4 };

export function layoutFor(k) {
  const tiles = [];
  const n = GRID.columns * GRID.rows;
  for (let i = 0; i < n; i++) {
    tiles.push({
      id: `tile-${String(((i + k) % n) + 1).padStart(2, '0')}`,
      x: i % GRID.columns,
      y: Math.floor(i / GRID.columns),
      w: 1,
      h: 1,
      source: SOURCES[(i + k) % SOURCES.length].id,
    });
  }
  return { columns: GRID.columns, rows: GRID.rows, tiles };
}

// The pantau configuration for the run.
export function pantauConfig() {
  return {
    server: { listen: '127.0.0.1', port: 0 },
    plugins: { load: ['clock'] },
    sources: SOURCES.map((s) => ({
      id: s.id,
      type: 'clock',
      name: `Clock ${s.label}`,
      settings: { timezone: s.timezone, label: s.label },
    })),
    walls: [{ ...WALL, layout: layoutFor(0) }],
  };
}
