// /wall?wall=ID[&display=C,R]: a read-only, full-screen view of one wall,
// or of one display of it. Never needs a mouse and recovers by itself.

import { Connection } from './connection.js';
import { LayoutView } from './layout-render.js';
import { displayExists, parseDisplayParam, wallTextSize } from './wall-geometry.js';
import { AlarmBanner } from './wall-alarms.js';
import { WallCaption } from './present-caption.js';
import { language, setLanguage, t } from './i18n.js';

const params = new URLSearchParams(location.search);
const wantedWall = params.get('wall');
const display = parseDisplayParam(params.get('display'));

// Camera names and widget text read from the operators' seats: the page
// root's --wall-text follows the screen's real height and the wall's
// viewing distance (docs/web.md); only this page sets it.
function sizeText({ wall, view, height }) {
  if (height > 0) document.documentElement.style.setProperty('--wall-text', `${wallTextSize(wall, view, height).toFixed(1)}px`);
}

const client = new Connection();
const view = new LayoutView(document.getElementById('wall'), client, { display, onResize: sizeText });
const banner = new AlarmBanner(document.getElementById('alarm-banner'), client, {
  shown: () => !display || isAlarmDisplay(),
  onSources: (alarmed) => view.markAlarms(alarmed),
});
// The caption goes on the bottom-left display (and only the page that shows it).
new WallCaption(document.getElementById('wall-caption'), client, {
  wallId: () => wallId,
  container: document.getElementById('wall'),
  display,
});
const notice = document.getElementById('wall-notice');
const indicator = document.getElementById('connection');
let wallId = null;
let serverVersion = null;

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

// The wall this page shows: the one named in the URL, else the first.
function pickWall(state) {
  if (wantedWall) return state.walls.get(wantedWall) || null;
  return state.walls.values().next().value || null;
}

// A wall runs for months: when the server comes back as a new version,
// load the page again so the wall runs the web code that goes with it.
function reloadIfServerUpgraded(state) {
  const version = state.server?.version ?? null;
  if (serverVersion !== null && version !== serverVersion) location.reload();
  serverVersion = version;
}

// Which node (in a cluster) and which version of the wall the page shows,
// for a look from outside (docs/cluster.md).
function markShown(wall) {
  document.body.dataset.node = client.node ?? '';
  document.body.dataset.wallVersion = String(wall.version);
}

function showSnapshot(state) {
  reloadIfServerUpgraded(state);
  const wall = pickWall(state);
  wallId = wall ? wall.id : null;
  client.setPage(wallId ? `wall:${wallId}` : null);
  if (!wall) return showNotice(t('wall.no_wall', { wall: wantedWall }));
  if (display && !displayExists(wall.displays, display)) {
    return showNotice(t('wall.no_display', { wall: wall.id, display: `${display.column},${display.row}` }));
  }
  showNotice('');
  document.title = `${wall.name} — Pantau`;
  markShown(wall);
  view.render(wall);
  return banner.render();
}

// With one browser per display, the alarm list goes on the wall's
// "alarms.display" (the top-right display unless configured).
function isAlarmDisplay() {
  const wall = client.state.walls.get(wallId);
  if (!wall) return false;
  const at = wall.alarms?.display || { column: wall.displays.columns - 1, row: 0 };
  return display.column === at.column && display.row === at.row;
}

function showWall(wall) {
  if (wall.id !== wallId || notice.textContent) return;
  markShown(wall);
  view.render(wall);
  banner.render();
}

function showConnected(connected) {
  document.body.dataset.connected = String(connected);
  indicator.hidden = connected;
}

client.on('snapshot', showSnapshot);
client.on('wall', showWall);
client.on('status', showConnected);
client.on('cluster', (cluster) => { document.body.dataset.nodes = cluster.nodes.map((node) => node.name).join(' '); });
// A wall has no mouse: L switches the language (?lang=en|id sets it too).
document.addEventListener('keydown', (event) => {
  if (event.key === 'l' || event.key === 'L') setLanguage(language() === 'en' ? 'id' : 'en');
});
client.start();
