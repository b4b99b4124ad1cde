// /console: editing a wall, refusals, presets, other operators' changes.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.js';
import { launchBrowser, openPage, assertNoProblems, waitConnected, closeContexts } from './browser.js';

let chromium;
before(async () => { chromium = await launchBrowser(); });
// What a test opened closes when it ends, passed or failed.
afterEach(() => closeContexts(chromium?.browser));
after(async () => { await chromium?.close(); });

const VIEWPORT = { width: 1440, height: 900 };

// Runs body(server, page, client) with a fresh server, the console open and
// connected, and a second operator's WebSocket client.
async function withConsole(body, pageOptions = {}) {
  const server = await startServer();
  const client = new Client(server.wsUrl);
  try {
    await client.snapshot();
    const page = await openPage(chromium.browser, `${server.url}/console`, { viewport: VIEWPORT, ...pageOptions });
    await waitConnected(page);
    await page.waitForSelector('#editor [data-tile="t3"]');
    await body(server, page, client);
    assertNoProblems(page);
  } finally {
    await client.close();
    await server.stop();
    server.cleanup();
  }
}

// The newest wall the second operator's client has seen.
function latestWall(client) {
  const walls = client.messages.filter((m) => m.ev === 'wall' || m.ev === 'snapshot')
    .map((m) => (m.ev === 'wall' ? m.wall : m.walls[0]));
  return walls[walls.length - 1];
}

function waitWall(client, pred) {
  return client.waitFor((m) => m.ev === 'wall' && pred(m.wall));
}

function tile(wall, id) {
  return wall.layout.tiles.find((t) => t.id === id);
}

test('an impossible merge is refused with a visible alert and nothing changes', () => withConsole(async (server, page) => {
  assert.equal(await page.isVisible('#message'), false);
  // t1 (0,0) and t3 (0,1, 2 wide): their bounding box also holds t2.
  await page.click('#editor [data-tile="t1"]');
  await page.click('#editor [data-tile="t3"]', { modifiers: ['Control'] });
  assert.equal(await page.isEnabled('#merge'), true, 'merge enabled with two tiles selected');
  await page.click('#merge');

  const alert = page.locator('#message[role="alert"]');
  await alert.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await alert.textContent(), /invalid_layout/);
  assert.equal(await page.locator('#editor .grid-stack-item').count(), 3, 'still three tiles');
  assert.equal(await page.getAttribute('#wall-info', 'data-version'), '1');
}));

// Routes the console's socket through a proxy that drops `wall` events
// while hold.on is true, so the console keeps a stale version while another
// operator changes the wall.
function wallEventHold() {
  const hold = { on: false };
  hold.route = (page) => page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (hold.on && String(message).startsWith('{"ev":"wall"')) return;
      ws.send(message);
    });
  });
  return hold;
}

// Two tiles in the top row, the bottom row free.
async function applyTopRowLayout(page, client) {
  const apply = await client.request('layout.apply', {
    wall: 'main', version: latestWall(client).version, layout: { columns: 2, rows: 2, tiles: [
      { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' },
      { id: 't2', x: 1, y: 0, w: 1, h: 1, source: null }] },
  });
  assert.ok(apply.ok, JSON.stringify(apply));
  await page.waitForFunction(() => document.querySelectorAll('#editor .grid-stack-item').length === 2);
}

// Drags a tile of the editor down by one cell with the mouse.
async function dragTileDown(page, tileId) {
  const from = await page.locator(`#editor [data-tile="${tileId}"]`).boundingBox();
  const start = { x: from.x + from.width / 2, y: from.y + from.height / 3 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x, start.y + from.height, { steps: 12 });
  await page.mouse.up();
}

test('a change based on a stale version shows the conflict', async () => {
  const hold = wallEventHold();
  await withConsole(async (server, page, client) => {
    hold.on = true;
    const reply = await client.request('tile.set_source', { wall: 'main', version: 1, tile: 't3', source: 'clock-a' });
    assert.ok(reply.ok, JSON.stringify(reply));

    await page.dragAndDrop('#sources [data-source-id="clock-b"]', '#editor [data-tile="t2"]');
    const alert = page.locator('#message[role="alert"]');
    await alert.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await alert.textContent(), /conflict/);
    assert.equal(await page.getAttribute('#editor [data-tile="t2"]', 'data-source'), '', 'the refused drop is not shown');
  }, { beforeGoto: hold.route });
});

test('a refused move puts the tile back where the server has it', async () => {
  const hold = wallEventHold();
  await withConsole(async (server, page, client) => {
    await applyTopRowLayout(page, client);
    hold.on = true;
    const reply = await client.request('tile.set_source', { wall: 'main', version: 2, tile: 't2', source: 'clock-b' });
    assert.ok(reply.ok, JSON.stringify(reply));

    await dragTileDown(page, 't2');
    const alert = page.locator('#message[role="alert"]');
    await alert.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await alert.textContent(), /conflict/);
    await page.waitForSelector('#editor [data-tile="t2"][gs-y="0"]', { timeout: 2000 });
    assert.equal(await page.getAttribute('#editor [data-tile="t2"]', 'gs-x'), '1');
  }, { beforeGoto: hold.route });
});

test('dropping a source, splitting and clearing go to the server and show up', () => withConsole(async (server, page, client) => {
  await page.dragAndDrop('#sources [data-source-id="clock-b"]', '#editor [data-tile="t2"]');
  await waitWall(client, (wall) => tile(wall, 't2').source === 'clock-b');

  await page.click('#editor [data-tile="t3"]');
  await page.click('#split-2x1');
  const split = await waitWall(client, (wall) => wall.layout.tiles.length === 4);
  assert.deepEqual({ ...tile(split.wall, 't3'), source: undefined }, { id: 't3', x: 0, y: 1, w: 1, h: 1, source: undefined });
  await page.waitForFunction(() => document.querySelectorAll('#editor .grid-stack-item').length === 4);

  await page.click('#editor [data-tile="t2"]');
  await page.click('#clear-tile');
  await waitWall(client, (wall) => tile(wall, 't2').source === null);

  await page.click('#clear-wall');
  assert.match(await page.textContent('#clear-wall'), /\?/, 'clear wall asks for a second press');
  await page.click('#clear-wall');
  await waitWall(client, (wall) => wall.layout.tiles.every((t) => t.source === null));
}));

test('dragging a tile in the editor moves it on the server', () => withConsole(async (server, page, client) => {
  await applyTopRowLayout(page, client);
  await dragTileDown(page, 't2');

  const moved = await waitWall(client, (wall) => tile(wall, 't2').y === 1);
  assert.deepEqual(tile(moved.wall, 't2'), { id: 't2', x: 1, y: 1, w: 1, h: 1, source: null });
  assert.deepEqual(tile(moved.wall, 't1'), { id: 't1', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' });
}));

test('another operator\'s change appears live in the editor and the miniature', () => withConsole(async (server, page, client) => {
  const reply = await client.request('tile.swap', { wall: 'main', version: 1, a: 't1', b: 't3' });
  assert.ok(reply.ok, JSON.stringify(reply));
  await page.waitForSelector('#editor [data-tile="t3"][data-source="clock-a"]', { timeout: 5000 });
  await page.waitForSelector('#wall-minis [data-wall="main"] [data-tile="t3"][data-source="clock-a"]', { timeout: 5000 });
  assert.equal(await page.getAttribute('#editor [data-tile="t1"]', 'data-source'), '');
  assert.equal(await page.getAttribute('#wall-info', 'data-version'), '2');
}));

test('presets: save, overwrite on a taken name, recall with a number key', () => withConsole(async (server, page, client) => {
  await page.fill('#preset-name', 'Morning');
  await page.press('#preset-name', 'Enter');
  await page.waitForSelector('#presets [data-preset-id] >> text=Morning');

  // The same name again is offered as an overwrite.
  await page.fill('#preset-name', 'Morning');
  await page.click('#preset-save button[type="submit"]');
  await page.locator('#preset-exists').waitFor({ state: 'visible' });
  await page.click('#preset-overwrite');
  // The notice of the first save may still be up: wait for the new text.
  await page.locator('#notice', { hasText: 'overwritten' }).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#presets [data-preset-id]').count(), 1);

  const cleared = await client.request('wall.clear', { wall: 'main', version: latestWall(client).version });
  assert.ok(cleared.ok, JSON.stringify(cleared));
  await page.waitForSelector('#editor [data-tile="t1"][data-source=""]');

  // Number keys do nothing while typing, and recall when not.
  await page.focus('#preset-name');
  await page.keyboard.press('1');
  await page.click('#sources-title');
  await page.keyboard.press('1');
  await waitWall(client, (wall) => tile(wall, 't1').source === 'clock-a');
  await page.waitForSelector('#editor [data-tile="t1"][data-source="clock-a"]');
  assert.equal(await page.inputValue('#preset-name'), '1', 'the key typed into the input');
  const recalls = client.messages.filter((m) => m.ev === 'wall').length;
  assert.equal(recalls, 2, 'one clear and exactly one recall');
}));
