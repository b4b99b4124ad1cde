// The console's live editor of one wall, on GridStack (loaded as a classic
// script that defines window.GridStack).
//
// The server's wall is the truth. The grid only proposes changes: after a
// drag or resize it reports which tiles moved, and the console sends them.
// Whatever the server says next (a `wall` event, or a refusal) is written
// back into the grid, with `applying` set so that our own writes are never
// mistaken for the user's.

import { ContentRegistry, element } from './layout-render.js';
import { canvasSize, displayRect } from './wall-geometry.js';
import { SOURCE_DRAG_TYPE } from './console-sources.js';
import { t } from './i18n.js';

const GRID_MARGIN = 3;

function samePosition(node, tile) {
  return node.x === tile.x && node.y === tile.y && node.w === tile.w && node.h === tile.h;
}

// Lines where the physical screens meet, drawn under the tiles.
function displayLines(displays) {
  const canvas = canvasSize(displays);
  const layer = element('div', 'display-lines');
  for (let column = 0; column < displays.columns; column++) {
    for (let row = 0; row < displays.rows; row++) {
      const rect = displayRect(displays, column, row);
      const box = element('div', 'display-box', `${column},${row}`);
      box.style.left = `${(rect.x / canvas.width) * 100}%`;
      box.style.top = `${(rect.y / canvas.height) * 100}%`;
      box.style.width = `${(rect.width / canvas.width) * 100}%`;
      box.style.height = `${(rect.height / canvas.height) * 100}%`;
      layer.append(box);
    }
  }
  return layer;
}

export class WallEditor {
  // handlers: onLayoutEdit(changedTiles, movedTileId), onDropSource(tileId,
  // sourceId), onSelectionChange(tileIds).
  constructor(frame, client, handlers) {
    this.frame = frame;
    this.client = client;
    this.handlers = handlers;
    this.registry = new ContentRegistry(client);
    this.items = new Map(); // tile id -> { item, name, content }
    this.selection = [];
    this.grid = null;
    this.gridEl = null;
    this.wall = null;
    this.shape = ''; // wall id, layout grid and displays the grid was built for
    this.applying = false; // true while server state is written into the grid
    this.gesture = false; // a drag or resize is under way
    this.deferredWall = null;
    this.editable = true; // false for a role that may not change the wall
    new ResizeObserver(() => this.fit()).observe(frame);
  }

  // Shows `wall` (the newest state of the selected wall).
  show(wall) {
    if (this.gesture) {
      this.deferredWall = wall; // never yank a tile from under the pointer
      return;
    }
    const shape = `${wall.id} ${wall.layout.columns} ${wall.layout.rows} ${JSON.stringify(wall.displays)}`;
    if (shape !== this.shape) this.build(wall, shape);
    this.wall = wall;
    this.applying = true;
    try {
      this.syncTiles(wall.layout.tiles);
    } finally {
      this.applying = false;
    }
    this.setSelection(this.selection.filter((id) => this.items.has(id)));
  }

  // Puts the grid back to the server's state (after a refusal).
  resync() {
    const wall = this.wall && this.client.state.walls.get(this.wall.id);
    if (wall) this.show(wall);
  }

  build(wall, shape) {
    this.teardown();
    this.shape = shape;
    const stage = element('div', 'editor-stage');
    this.gridEl = element('div', 'grid-stack');
    this.gridEl.id = 'editor';
    this.gridEl.dataset.wall = wall.id;
    stage.append(displayLines(wall.displays), this.gridEl);
    this.frame.replaceChildren(stage);
    this.stage = stage;
    this.aspect = canvasSize(wall.displays);
    this.rows = wall.layout.rows;
    this.grid = window.GridStack.init({
      column: wall.layout.columns,
      row: wall.layout.rows,
      cellHeight: 40,
      margin: GRID_MARGIN,
      mode: 'float',
      animate: false,
      resizable: { handles: 'e,se,s' },
    }, this.gridEl);
    // Only the end of a user's gesture proposes a change; GridStack's
    // `change` event would also fire for our own writes.
    this.grid.on('dragstart resizestart', () => { this.gesture = !this.applying; });
    this.grid.on('dragstop resizestop', (event, el) => {
      if (!this.applying) setTimeout(() => this.gestureEnded(el));
    });
    this.gridEl.addEventListener('click', (event) => this.clicked(event));
    this.setEditable(this.editable);
    this.fit();
  }

  // Lets the tiles be dragged, resized and dropped on, or not (a role that
  // may not change the wall; selecting still works, to look).
  setEditable(editable) {
    this.editable = editable;
    this.frame.dataset.editable = String(editable);
    if (!this.grid) return;
    this.grid.enableMove(editable);
    this.grid.enableResize(editable);
  }

  teardown() {
    for (const { content } of this.items.values()) this.registry.release(content);
    this.items.clear();
    this.grid?.destroy(true);
    this.grid = null;
    this.shape = '';
  }

  // Sizes the grid to the wall's proportions inside the frame.
  fit() {
    if (!this.grid) return;
    const { width: cw, height: ch } = this.aspect;
    const availableWidth = this.frame.clientWidth;
    const availableHeight = this.frame.clientHeight;
    const width = Math.floor(Math.min(availableWidth, (availableHeight * cw) / ch));
    if (width <= 0) return; // hidden for now; the observer calls again
    const height = (width * ch) / cw;
    this.stage.style.width = `${width}px`;
    this.stage.style.height = `${height}px`;
    this.grid.cellHeight(height / this.rows);
  }

  syncTiles(tiles) {
    const positionsMatch = tiles.length === this.items.size && tiles.every((tile) => {
      const node = this.items.get(tile.id)?.item.gridstackNode;
      return node && samePosition(node, tile);
    });
    if (!positionsMatch) this.placeAll(tiles);
    for (const tile of tiles) this.showSource(tile);
  }

  // Re-places every tile. Moving tiles one by one could make them collide
  // on the way (a swap of places), which GridStack would resolve by pushing
  // tiles around; taking them all out first cannot.
  placeAll(tiles) {
    const keep = new Set(tiles.map((tile) => tile.id));
    this.grid.batchUpdate();
    this.grid.removeAll(false, false);
    for (const [id, entry] of this.items) {
      if (keep.has(id)) continue;
      this.registry.release(entry.content);
      entry.item.remove();
      this.items.delete(id);
    }
    for (const tile of tiles) {
      const entry = this.items.get(tile.id) || this.createItem(tile.id);
      this.grid.makeWidget(entry.item, { x: tile.x, y: tile.y, w: tile.w, h: tile.h, id: tile.id });
    }
    this.grid.batchUpdate(false);
  }

  createItem(tileId) {
    const item = element('div', 'grid-stack-item');
    item.dataset.tile = tileId;
    const body = element('div', 'grid-stack-item-content editor-tile');
    const label = element('div', 'editor-tile-label');
    const name = element('span', 'editor-tile-name');
    label.append(element('span', 'editor-tile-id', tileId), name);
    const content = this.registry.create();
    body.append(content.el, label);
    item.append(body);
    this.acceptDrops(item, tileId);
    this.gridEl.append(item);
    const entry = { item, name, content };
    this.items.set(tileId, entry);
    return entry;
  }

  showSource(tile) {
    const { item, name, content } = this.items.get(tile.id);
    const source = tile.source ? this.client.state.sources.get(tile.source) : null;
    item.dataset.source = tile.source ?? '';
    name.textContent = tile.source ? (source?.name ?? tile.source) : t('console.tile_empty');
    if (tile.source) delete name.dataset.i18n; // a name: not translated
    else name.dataset.i18n = 'console.tile_empty'; // follows a switch of language
    content.show(tile.source);
    content.setReplay(tile.replay);
  }

  // HTML5 drop of a source (dragged from the source list) onto a tile.
  acceptDrops(item, tileId) {
    const carriesSource = (event) => this.editable && event.dataTransfer.types.includes(SOURCE_DRAG_TYPE);
    item.addEventListener('dragover', (event) => {
      if (!carriesSource(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      item.classList.add('drop-target');
    });
    item.addEventListener('dragleave', (event) => {
      if (!item.contains(event.relatedTarget)) item.classList.remove('drop-target');
    });
    item.addEventListener('drop', (event) => {
      item.classList.remove('drop-target');
      if (!carriesSource(event)) return;
      event.preventDefault();
      this.handlers.onDropSource(tileId, event.dataTransfer.getData(SOURCE_DRAG_TYPE));
    });
  }

  gestureEnded(el) {
    this.gesture = false;
    const moved = el?.dataset.tile;
    const changed = this.changedTiles();
    const deferred = this.deferredWall;
    this.deferredWall = null;
    if (changed.length) this.handlers.onLayoutEdit(this.gridTiles(), changed, moved);
    else if (deferred) this.show(deferred);
  }

  // The layout as the grid shows it now, with the server's sources.
  gridTiles() {
    const sources = new Map(this.wall.layout.tiles.map((tile) => [tile.id, tile.source]));
    return [...this.items].map(([id, { item }]) => {
      const { x, y, w, h } = item.gridstackNode;
      return { id, x, y, w, h, source: sources.get(id) ?? null };
    });
  }

  // Tiles whose place in the grid differs from the server's layout.
  changedTiles() {
    return this.wall.layout.tiles
      .filter((tile) => {
        const node = this.items.get(tile.id)?.item.gridstackNode;
        return node && !samePosition(node, tile);
      })
      .map((tile) => tile.id);
  }

  clicked(event) {
    const item = event.target.closest('.grid-stack-item');
    const tileId = item?.dataset.tile;
    const additive = event.shiftKey || event.ctrlKey || event.metaKey;
    if (!tileId) return this.setSelection(additive ? this.selection : []);
    if (!additive) return this.setSelection([tileId]);
    const without = this.selection.filter((id) => id !== tileId);
    return this.setSelection(without.length === this.selection.length ? [...this.selection, tileId] : without);
  }

  setSelection(ids) {
    const changed = ids.length !== this.selection.length || ids.some((id, i) => id !== this.selection[i]);
    this.selection = ids;
    for (const [id, { item }] of this.items) item.classList.toggle('is-selected', ids.includes(id));
    if (changed) this.handlers.onSelectionChange(ids);
  }
}
