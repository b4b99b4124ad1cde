// The start page: links to the console and to every wall (whole, and each
// of its displays for one-browser-per-screen setups), from the snapshot.

import { Connection } from './connection.js';
import { element } from './layout-render.js';
import { onLanguageChange, t } from './i18n.js';

function link(href, text, className) {
  const a = element('a', className, text);
  a.href = href;
  return a;
}

function wallItem(wall) {
  const base = `/wall?wall=${encodeURIComponent(wall.id)}`;
  const { columns, rows } = wall.displays;
  const item = element('li', 'index-wall');
  item.dataset.wall = wall.id;
  const head = element('div', 'index-wall-head');
  head.append(link(base, wall.name, 'index-wall-name'),
    element('span', 'index-wall-meta', `${wall.id} · ${t('index.screens', { screens: `${columns}×${rows}` })}`));
  const displays = element('div', 'index-displays');
  displays.append(element('span', 'index-displays-label', t('index.one_screen')));
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      displays.append(link(`${base}&display=${column},${row}`, `${column},${row}`, 'index-display'));
    }
  }
  item.append(head, displays);
  return item;
}

const client = new Connection();
function showWalls(state) {
  const walls = [...state.walls.values()];
  const list = document.getElementById('walls');
  if (!walls.length) list.replaceChildren(element('li', 'empty-note', t('index.no_walls')));
  else list.replaceChildren(...walls.map(wallItem));
}

client.on('snapshot', showWalls);
onLanguageChange(() => { if (client.connected) showWalls(client.state); });
client.on('status', (connected) => { document.body.dataset.connected = String(connected); });
client.start();
