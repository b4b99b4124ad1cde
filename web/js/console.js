// /console[?wall=ID]: the operator's page. Sources on the left, the selected
// wall's editor in the middle, presets on the right, every wall in miniature
// below. Everything shown comes from the server's state; every change is a
// request that names the wall version it was based on (docs/protocol.md).

import { Connection } from './connection.js';
import { LayoutView, element } from './layout-render.js';
import { WallEditor } from './console-editor.js';
import { SourceList } from './console-sources.js';
import { DeliveriesPanel } from './console-deliveries.js';
import { PresetPanel, confirmingButton } from './console-presets.js';
import { MessageBar } from './console-message.js';
import { setupAudit } from './console-audit.js';
import { setupCameras } from './console-cameras.js';
import { AlarmPanel } from './console-alarms.js';
import { PtzPanel } from './console-ptz.js';
import { ReplayPanel } from './console-replay.js';
import { ClusterBanner } from './console-cluster.js';
import { Role, gate } from './roles.js';
import { formatNumber, onLanguageChange, t } from './i18n.js';

const byId = (id) => document.getElementById(id);

const client = new Connection();
const role = new Role(client);
const messages = new MessageBar(byId('message'), byId('notice'));
new ClusterBanner(byId('cluster-banner'), client);
const wallSelect = byId('wall-select');
let selectedWallId = new URLSearchParams(location.search).get('wall');
// Version each wall reached by our own last change. The reply comes before
// the `wall` event, so a quick second change must build on the reply.
const versionsFromReplies = new Map();

const editor = new WallEditor(byId('editor-frame'), client, {
  onLayoutEdit: sendLayoutEdit,
  onDropSource: (tile, source) => changeWall(t('console.do.show_source'), 'tile.set_source', { tile, source }),
  onSelectionChange: updateTools,
});
client.setPage('console');
const deliveries = new DeliveriesPanel(byId('deliveries-panel'), client, messages);
const sourceList = new SourceList(byId('sources'), client, {
  filterEl: byId('source-filter'), countEl: byId('source-count'), role,
  onDeliveries: (id) => deliveries.open(id),
});
setupAudit(client, messages, role);
setupCameras(client, messages, role);
const presets = new PresetPanel(client, messages, { recall: recallPreset, wallId: () => selectedWallId, role });
const alarms = new AlarmPanel(byId('alarms-panel'), client, {
  messages,
  role,
  wallId: () => selectedWallId,
  tileId: () => (editor.selection.length === 1 ? editor.selection[0] : null),
});

// The tile the camera control steers: the one selected tile, or the only
// tile of a wall showing one camera full-screen. {tileId, sourceId, tileEl}
// or null.
function ptzSelection() {
  const wall = selectedWall();
  if (!wall) return null;
  const tiles = wall.layout.tiles;
  const tileId = editor.selection.length === 1 ? editor.selection[0] : tiles.length === 1 ? tiles[0].id : null;
  const tile = tiles.find((x) => x.id === tileId);
  if (!tile?.source) return null;
  const tileEl = editor.items.get(tile.id)?.item.querySelector('.editor-tile') ?? null;
  return { tileId: tile.id, sourceId: tile.source, tileEl };
}
const ptz = new PtzPanel(byId('ptz-panel'), client, {
  role, messages, wallId: () => selectedWallId, selection: ptzSelection,
});
// Replay (issue 16) works on the same tile as the camera control.
const replay = new ReplayPanel(byId('replay-panel'), client, {
  role,
  messages,
  wallId: () => selectedWallId,
  selection: ptzSelection,
  onReply: (wallId, reply) => {
    if (Number.isInteger(reply?.version)) versionsFromReplies.set(wallId, Math.max(reply.version, versionsFromReplies.get(wallId) ?? 0));
  },
});

function selectedWall() {
  return client.state.walls.get(selectedWallId) || null;
}

function baseVersion(wall) {
  return Math.max(wall.version, versionsFromReplies.get(wall.id) ?? 0);
}

// Sends a change to the selected wall. On refusal shows why and puts the
// editor back to the server's state. Resolves to the reply or null.
async function changeWall(what, op, fields = {}) {
  const wall = selectedWall();
  if (!wall) return null;
  try {
    const reply = await client.request(op, { ...fields, wall: wall.id, version: baseVersion(wall) });
    versionsFromReplies.set(wall.id, reply.version);
    return reply;
  } catch (err) {
    messages.error(err, what);
    editor.resync();
    return null;
  }
}

// After a drag or resize: one tile moved alone is a tile.resize; if the grid
// pushed other tiles aside too, the whole arrangement goes as one
// layout.apply, so it is accepted or refused as a whole.
function sendLayoutEdit(tiles, changed, moved) {
  const wall = selectedWall();
  if (changed.length === 1 && changed[0] === moved) {
    const { x, y, w, h } = tiles.find((tile) => tile.id === moved);
    return changeWall(t('console.do.move_tile'), 'tile.resize', { tile: moved, x, y, w, h });
  }
  const layout = { columns: wall.layout.columns, rows: wall.layout.rows, tiles };
  return changeWall(t('console.do.rearrange'), 'layout.apply', { layout });
}

// Recalls a preset onto the selected wall and says so, naming the preset
// and the wall, so that a recall by key or by button is never silent.
async function recallPreset(preset) {
  const reply = await changeWall(t('console.do.recall', { preset: preset.name }), 'preset.recall', { preset: preset.id });
  if (reply) messages.notice(t('console.preset.recalled', { preset: preset.name, wall: selectedWall()?.name ?? '' }));
  return reply;
}

// ---- what this role may do ----

// Why the selected wall may not be changed by this connection, or ''.
function editReason() {
  return role.reasonFor('operate', selectedWallId);
}

// After the role is learnt or another wall is selected: every control
// that changes the wall is enabled only if this role may use it.
function applyRole() {
  const reason = editReason();
  const note = byId('role-note');
  note.textContent = reason ? t('role.read_only', { reason }) : '';
  note.hidden = !reason;
  role.gateMarked();
  gate(byId('clear-wall'), reason);
  editor.setEditable(!reason);
  sourceList.render();
  presets.render();
  alarms.render();
  updateTools();
}

// ---- tile tools ----

const tools = {
  split21: byId('split-2x1'),
  split12: byId('split-1x2'),
  split22: byId('split-2x2'),
  merge: byId('merge'),
  swap: byId('swap'),
  clearTile: byId('clear-tile'),
};

function updateTools(selection = editor.selection) {
  const one = selection.length === 1;
  const reason = editReason();
  for (const button of [tools.split21, tools.split12, tools.split22]) gate(button, reason, one);
  gate(tools.merge, reason, selection.length >= 2);
  gate(tools.swap, reason, selection.length === 2);
  gate(tools.clearTile, reason, selection.length > 0);
  byId('selection-info').textContent = selection.length
    ? t('console.selected', { tiles: selection.join(', ') })
    : t('console.select_hint');
  ptz.render();
  replay.render();
}

function split(columns, rows) {
  const [tile] = editor.selection;
  return changeWall(t('console.do.split', { tile }), 'tile.split', { tile, columns, rows });
}

async function merge() {
  const tiles = [...editor.selection];
  if (await changeWall(t('console.do.merge'), 'tile.merge', { tiles })) editor.setSelection([tiles[0]]);
}

function swap() {
  const [a, b] = editor.selection;
  return changeWall(t('console.do.swap'), 'tile.swap', { a, b });
}

// One request per tile, each building on the version the last one made.
async function clearSelectedTiles() {
  for (const tile of editor.selection) {
    if (!(await changeWall(t('console.do.clear_tile', { tile }), 'tile.set_source', { tile, source: null }))) return;
  }
}

function setupTools() {
  tools.split21.addEventListener('click', () => split(2, 1));
  tools.split12.addEventListener('click', () => split(1, 2));
  tools.split22.addEventListener('click', () => split(2, 2));
  tools.merge.addEventListener('click', merge);
  tools.swap.addEventListener('click', swap);
  tools.clearTile.addEventListener('click', clearSelectedTiles);
  const clearWall = confirmingButton(() => t('console.clear_wall'), () => t('console.clear_wall.confirm'), 'danger', () =>
    changeWall(t('console.do.clear_wall'), 'wall.clear'));
  clearWall.id = 'clear-wall';
  byId('clear-wall-slot').replaceWith(clearWall);
  updateTools([]);
}

// ---- walls: selector, editor, miniatures ----

const miniatures = new Map(); // wall id -> { card, view }

function showWallInfo(wall) {
  const info = byId('wall-info');
  const { displays, layout } = wall;
  info.textContent = t('console.wall_info', {
    screens: `${displays.columns}×${displays.rows}`, grid: `${layout.columns}×${layout.rows}`, version: formatNumber(wall.version),
  });
  info.dataset.version = String(wall.version);
  byId('open-wall').href = `/wall?wall=${encodeURIComponent(wall.id)}`;
}

function selectWall(id) {
  const wall = client.state.walls.get(id) || client.state.walls.values().next().value;
  if (!wall) return;
  selectedWallId = wall.id;
  wallSelect.value = wall.id;
  history.replaceState(null, '', `/console?wall=${encodeURIComponent(wall.id)}`);
  for (const [wallId, { card }] of miniatures) card.classList.toggle('is-selected', wallId === wall.id);
  showWallInfo(wall);
  editor.show(wall);
  if (role.me) applyRole();
}

function renderWallSelect() {
  const options = [...client.state.walls.values()].map((wall) => {
    const option = element('option', '', wall.name);
    option.value = wall.id;
    return option;
  });
  wallSelect.replaceChildren(...options);
}

function miniatureCard(wall) {
  const card = element('article', 'wall-mini');
  card.dataset.wall = wall.id;
  const head = element('header', 'wall-mini-head');
  const link = element('a', 'wall-mini-open', t('console.open_mini'));
  link.dataset.i18n = 'console.open_mini';
  link.href = `/wall?wall=${encodeURIComponent(wall.id)}`;
  link.target = '_blank';
  head.append(element('span', 'wall-mini-name', wall.name), link);
  const viewEl = element('div', 'wall-mini-view');
  card.append(head, viewEl);
  card.addEventListener('click', (event) => {
    if (!event.target.closest('a')) selectWall(wall.id);
  });
  return { card, view: new LayoutView(viewEl, client, { small: true }) };
}

function renderMiniatures() {
  for (const { view } of miniatures.values()) view.destroy();
  miniatures.clear();
  const strip = byId('wall-minis');
  strip.replaceChildren();
  for (const wall of client.state.walls.values()) {
    const mini = miniatureCard(wall);
    miniatures.set(wall.id, mini);
    strip.append(mini.card);
    mini.view.render(wall);
  }
}

function onSnapshot() {
  versionsFromReplies.clear();
  renderWallSelect();
  renderMiniatures();
  selectWall(selectedWallId);
}

function onWall(wall) {
  miniatures.get(wall.id)?.view.render(wall);
  if (wall.id !== selectedWallId) return;
  showWallInfo(wall);
  editor.show(wall);
  ptz.render();
  replay.render();
}

// ---- double-click a camera: full-screen on the selected wall ----

// What the wall showed before, to go back with Escape: wall id -> {layout,
// version (the one our full-screen change made), pending (the change has no
// reply yet), escaped (Escape came while it was pending)}.
const beforeFullScreen = new Map();

function sourceIdAt(target) {
  const el = target.closest?.('[data-source-id], [data-source]');
  return el ? (el.dataset.sourceId || el.dataset.source || null) : null;
}

async function showFullScreen(event) {
  const id = sourceIdAt(event.target);
  const source = id && client.state.sources.get(id);
  const wall = selectedWall();
  if (!source || source.kind !== 'camera' || !wall) return;
  event.preventDefault();
  if (editReason()) {
    messages.notice(editReason());
    return;
  }
  const layout = { columns: 1, rows: 1, tiles: [{ id: 'full', x: 0, y: 0, w: 1, h: 1, source: id }] };
  // Full-screen from full-screen still goes back to the layout before the first.
  const saved = beforeFullScreen.get(wall.id) || { layout: wall.layout };
  saved.pending = true;
  saved.escaped = false;
  beforeFullScreen.set(wall.id, saved);
  const reply = await changeWall(t('console.do.full_screen', { source: source.name }), 'layout.apply', { layout });
  saved.pending = false;
  if (!reply) {
    if (saved.version === undefined) beforeFullScreen.delete(wall.id);
    return;
  }
  saved.version = reply.version;
  // An operator who pressed Escape before the reply came means it now.
  if (saved.escaped) {
    leaveFullScreen();
    return;
  }
  messages.notice(t('console.full_screen', { source: source.name, wall: wall.name }));
}

// Escape: the wall goes back to what it showed, unless it changed since.
function leaveFullScreen() {
  const wall = selectedWall();
  const saved = wall && beforeFullScreen.get(wall.id);
  if (!saved) return false;
  if (saved.pending) {
    saved.escaped = true;
    return true;
  }
  beforeFullScreen.delete(wall.id);
  if (baseVersion(wall) !== saved.version) return false;
  changeWall(t('console.do.go_back'), 'layout.apply', { layout: saved.layout });
  return true;
}

// ---- keyboard: 1-9 recall the first nine presets ----

function isTyping(target) {
  return target.closest?.('input, textarea, select, [contenteditable="true"]');
}

function onKey(event) {
  if (event.repeat || event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target)) return;
  if (event.key === 'Escape' && leaveFullScreen()) {
    event.preventDefault();
    return;
  }
  if (!/^[1-9]$/.test(event.key)) return;
  const preset = client.state.presets[Number(event.key) - 1];
  if (!preset) {
    messages.notice(t('console.no_preset', { key: event.key }));
    return;
  }
  event.preventDefault();
  if (editReason()) messages.notice(editReason());
  else recallPreset(preset);
}

function onConnectionStatus(connected) {
  document.body.dataset.connected = String(connected);
  const pill = byId('connection');
  pill.textContent = t(connected ? 'connection.connected' : 'connection.reconnecting');
  pill.dataset.state = connected ? 'up' : 'down';
}

setupTools();
role.on(applyRole);
// A switch of language redraws the page's own words.
onLanguageChange(() => {
  byId('clear-wall').relabel();
  const wall = selectedWall();
  if (wall) showWallInfo(wall);
  onConnectionStatus(client.connected);
  if (role.me) applyRole();
  else updateTools();
});
wallSelect.addEventListener('change', () => selectWall(wallSelect.value));
document.addEventListener('keydown', onKey);
document.addEventListener('dblclick', showFullScreen);
client.on('snapshot', onSnapshot);
client.on('wall', onWall);
client.on('status', onConnectionStatus);
client.start();
