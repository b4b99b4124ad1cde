// Renders a wall's layout into a container, and shows sources in tiles.
//
// A source is shown through its web component (docs/web.md): the ES module
// at the source's `web_module` URL exports `mount(element, source)`, which
// returns `{ update(data, time), destroy() }` and optionally
// `history(entries)` (the widget's recent data, oldest first, when a page
// opens) and `status(source)` (then the component draws its own state,
// normally with the widget kit's StatusBadge; without it the tile draws the
// kit's StateBand over the component). Cameras are drawn by camera-view.js,
// which shows their state itself; a source without a component shows its
// name. An empty tile says so, in a look no failed tile has (docs/web.md,
// "The states a tile can show").

import { mountCamera } from './camera-view.js';
import { replayKey } from './connection.js';
import { canvasSize, intersects, tileRect, viewportRect } from './wall-geometry.js';
import { StateBand } from './widget-kit.js';
import { t } from './i18n.js';

const modules = new Map(); // web_module URL -> Promise of the module

function loadModule(url) {
  if (!modules.has(url)) modules.set(url, import(url));
  return modules.get(url);
}

export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

// A source's kind (camera, widget, slide) in the page's language.
export function kindText(kind) {
  return ['camera', 'widget', 'slide', 'unknown', 'source'].includes(kind) ? t(`source.kind.${kind}`) : kind;
}

// A labelled card shown when a source has no component of its own.
function placeholder(kind, title, detail) {
  const card = element('div', `source-placeholder source-placeholder-${kind}`);
  const kindEl = element('div', 'placeholder-kind', kindText(kind));
  if (kindText(kind) !== kind) kindEl.dataset.i18n = `source.kind.${kind}`;
  card.append(kindEl, element('div', 'placeholder-title', title));
  if (detail) card.append(element('div', 'placeholder-detail', detail));
  return card;
}

// What an empty tile shows: the word, in the page's language.
function emptyLabel() {
  const label = element('div', 'tile-empty-label', t('tile.empty'));
  label.dataset.i18n = 'tile.empty';
  return label;
}

// What one tile shows: nothing, a source's component, or a placeholder.
// Keeps its component mounted while the tile keeps showing the same source,
// so moving or resizing a tile never restarts what is in it.
export class TileContent {
  constructor(client) {
    this.client = client;
    this.el = element('div', 'tile-content');
    this.sourceId = undefined; // undefined: nothing shown yet; null: empty tile
    this.component = null;
    this.band = null; // the tile's StateBand, for sources that draw no state of their own
    this.mountToken = 0;
    this.replay = null; // the tile's replay (issue 16), for a camera
  }

  // The tile's `replay` from the layout (or none): a camera shows it.
  setReplay(replay) {
    this.replay = replay || null;
    if (this.replay) this.el.dataset.replay = this.replay.id;
    else delete this.el.dataset.replay;
    this.component?.replay?.(this.replay);
  }

  show(sourceId) {
    sourceId = sourceId ?? null;
    if (sourceId === this.sourceId) return this.refreshStatus();
    this.clear();
    this.sourceId = sourceId;
    this.el.dataset.source = sourceId ?? '';
    if (sourceId === null) {
      this.el.classList.add('tile-empty');
      this.el.append(emptyLabel());
      return undefined;
    }
    this.el.classList.remove('tile-empty');
    this.refreshStatus();
    return this.mountSource(this.client.state.sources.get(sourceId), sourceId);
  }

  // Mounts the source again: it was removed, or added after the tile
  // named it (issue 15).
  remount() {
    const id = this.sourceId;
    this.clear();
    this.sourceId = undefined;
    return this.show(id);
  }

  // Re-reads the source (its status may have changed).
  refreshStatus() {
    const source = this.client.state.sources.get(this.sourceId);
    const status = this.sourceId === null ? '' : source ? source.status : 'error';
    this.el.dataset.status = status;
    this.band?.status(source || { status: 'error', reason: t('tile.no_such_source') });
  }

  // Sources whose component draws no state of its own get the kit's band.
  addBand() {
    this.band = new StateBand(this.el);
    const latest = this.client.state.data.get(this.sourceId);
    if (latest) this.band.data(latest.time);
    this.refreshStatus();
  }

  // Tells the component about a status change, if it wants to know.
  notifyStatus() {
    this.refreshStatus();
    try {
      this.component?.status?.(this.client.state.sources.get(this.sourceId));
    } catch (err) {
      console.error(`pantau: component of '${this.sourceId}' failed on a status change`, err);
    }
  }

  async mountSource(source, sourceId) {
    const body = this.el.appendChild(element('div', 'tile-body'));
    this.missing = !source;
    if (!source) {
      body.append(placeholder('unknown', sourceId, t('tile.no_such_source')));
      return;
    }
    if (source.kind === 'camera') {
      this.component = mountCamera(body, source, this.client);
      this.component.replay(this.replay);
      return;
    }
    if (!source.web_module) {
      body.append(placeholder(source.kind || 'source', source.name));
      this.addBand();
      return;
    }
    const token = ++this.mountToken;
    try {
      const module = await loadModule(source.web_module);
      if (token !== this.mountToken) return; // the tile moved on meanwhile
      this.component = module.mount(body, source);
      if (!this.component?.status) this.addBand();
      this.history(this.client.state.history.get(source.id));
      const latest = this.client.state.data.get(source.id);
      if (latest) this.update(latest.data, latest.time);
      this.notifyStatus();
    } catch (err) {
      console.error(`pantau: component ${source.web_module} of '${source.id}' failed`, err);
      body.replaceChildren(placeholder(source.kind || 'source', source.name, t('tile.component_failed')));
    }
  }

  history(entries) {
    if (!entries || !this.component?.history) return;
    try {
      this.component.history(entries);
    } catch (err) {
      console.error(`pantau: component of '${this.sourceId}' failed to take its history`, err);
    }
  }

  // data: the widget's snapshot; time: when the server got it (ms).
  update(data, time) {
    this.band?.data(time);
    try {
      this.component?.update(data, time);
    } catch (err) {
      console.error(`pantau: component of '${this.sourceId}' failed to update`, err);
    }
  }

  clear() {
    this.mountToken++;
    try {
      this.component?.destroy();
    } catch (err) {
      console.error(`pantau: component of '${this.sourceId}' failed to destroy`, err);
    }
    this.component = null;
    this.band?.destroy();
    this.band = null;
    this.el.replaceChildren();
  }

  destroy() {
    this.clear();
    this.el.remove();
  }
}

// Feeds data and status events to every TileContent of a page.
export class ContentRegistry {
  constructor(client) {
    this.client = client;
    this.contents = new Set();
    this.unsubscribe = [
      client.on('data', ({ source, data, time }) => this.forSource(source, (c) => c.update(data, time))),
      client.on('source', (source) => this.forSource(source.id, (c) => (c.missing ? c.remount() : c.notifyStatus()))),
      client.on('source.removed', (id) => this.forSource(id, (c) => c.remount())),
      client.on('history', (history) => {
        for (const content of this.contents) content.history(history.get(content.sourceId));
      }),
      client.on('snapshot', () => this.resync()),
    ];
  }

  create() {
    const content = new TileContent(this.client);
    this.contents.add(content);
    return content;
  }

  release(content) {
    this.contents.delete(content);
    content.destroy();
  }

  forSource(sourceId, action) {
    for (const content of this.contents) if (content.sourceId === sourceId) action(content);
  }

  // After a reconnect: statuses and the latest data come from the snapshot.
  resync() {
    for (const content of this.contents) {
      content.notifyStatus();
      const latest = this.client.state.data.get(content.sourceId);
      if (latest) content.update(latest.data, latest.time);
    }
  }

  destroy() {
    for (const off of this.unsubscribe) off();
    for (const content of this.contents) content.destroy();
    this.contents.clear();
  }
}

// A camera tile takes the main stream when it is wider on the screen, in
// device pixels, than the substream with some margin, and the substream
// below that. The margins differ, so a tile resized near the line does not
// flap between the two: up above 1.25x the substream's width, down below 1x.
export const MAIN_ABOVE = 1.25;
export const SUB_BELOW = 1.0;
// The substream's width until the server has seen it (a D1-ish substream,
// as IP cameras ship them).
export const DEFAULT_SUB_WIDTH = 640;

// Chooses 'main' or 'sub' for a tile `devicePx` wide whose camera's
// substream is `subWidth` wide; `previous` is the tile's last choice.
export function chooseStream(devicePx, subWidth, previous) {
  const width = subWidth > 0 ? subWidth : DEFAULT_SUB_WIDTH;
  if (previous === 'main') return devicePx >= width * SUB_BELOW ? 'main' : 'sub';
  return devicePx > width * MAIN_ABOVE ? 'main' : 'sub';
}

// The substream's width as far as this page knows: from the stream itself
// when this page watches it, else from the server's statistics; 0 unknown.
export function substreamWidth(client, sourceId) {
  for (const info of client.streams.values()) {
    if (info.source === sourceId && info.kind === 'sub' && info.width > 0) return info.width;
  }
  return client.state.stats?.[sourceId]?.sub_width || 0;
}

function markAlarm(el, alarmed) {
  const severity = alarmed.get(el.dataset.source);
  if (severity) el.dataset.alarm = severity;
  else delete el.dataset.alarm;
}

function percent(value, total) {
  return `${(value / total) * 100}%`;
}

// Shows one wall (or one display of it) inside a container, letterboxed to
// the wall's proportions. Tiles are positioned in percent of the stage, so
// the view follows any container size without script.
export class LayoutView {
  // options.display: {column, row} to show only that display; default the
  // whole wall. options.small: the view is a miniature, so cameras always
  // take their substream. options.onResize(view): called with the stage's
  // size and the wall when either changes (the wall page sizes its text).
  constructor(container, client, { display = null, small = false, onResize = null } = {}) {
    this.container = container;
    this.client = client;
    this.display = display;
    this.small = small;
    this.onResize = onResize;
    this.registry = new ContentRegistry(client);
    this.tiles = new Map(); // tile id -> { el, content }
    this.streams = new Map(); // tile id -> the stream chosen last ('main' | 'sub')
    this.visible = [];
    this.wall = null;
    this.alarmed = new Map(); // source id -> severity of its open alarm
    this.stage = element('div', 'wall-stage');
    container.classList.add('layout-view');
    container.append(this.stage);
    this.resizer = new ResizeObserver(() => this.resized());
    this.resizer.observe(this.stage);
    this.offStats = small ? () => {} : client.on('stats', () => this.updateInterest());
  }

  render(wall) {
    const canvas = canvasSize(wall.displays);
    const view = viewportRect(wall.displays, this.display);
    this.wall = wall;
    this.view = view;
    this.stage.style.setProperty('--aspect', `${view.width} / ${view.height}`);
    this.stage.style.setProperty('--ratio', String(view.width / view.height));
    this.stage.dataset.wall = wall.id;
    this.visible = wall.layout.tiles
      .map((tile) => ({ tile, rect: tileRect(wall.layout, canvas, tile) }))
      .filter(({ rect }) => intersects(rect, view));
    this.removeTilesNotIn(new Set(this.visible.map(({ tile }) => tile.id)));
    for (const { tile, rect } of this.visible) this.placeTile(tile, rect, view);
    this.resized();
  }

  // The stage changed size (a window resize, a new wall): choose the
  // streams again and tell the page.
  resized() {
    if (!this.wall) return;
    this.updateInterest();
    this.onResize?.({ wall: this.wall, view: this.view, height: this.stage.clientHeight });
  }

  updateInterest() {
    if (this.wall) this.client.setInterest(this, this.interest());
  }

  // The sources this view shows, with the camera stream each tile needs.
  interest() {
    const sources = new Map();
    const chosen = new Map();
    for (const { tile, rect } of this.visible) {
      if (!tile.source) continue;
      if (tile.replay?.id) {
        // A tile in replay shows the replay stream only (issue 16).
        sources.set(replayKey(tile.replay.id), 'replay');
        continue;
      }
      const stream = this.streamFor(tile, rect);
      chosen.set(tile.id, stream);
      if (sources.get(tile.source) !== 'main') sources.set(tile.source, stream);
    }
    this.streams = chosen;
    return sources;
  }

  // A tile's stream: the one it names, the substream in a miniature, else
  // by its width on the screen in device pixels.
  streamFor(tile, rect) {
    if (tile.stream === 'main' || tile.stream === 'sub') return tile.stream;
    if (this.small) return 'sub';
    const source = this.client.state.sources.get(tile.source);
    if (source && source.kind !== 'camera') return 'main';
    const cssWidth = (rect.width / this.view.width) * this.stage.clientWidth;
    const devicePx = cssWidth * (globalThis.devicePixelRatio || 1);
    const stream = chooseStream(devicePx, substreamWidth(this.client, tile.source), this.streams.get(tile.id));
    this.tiles.get(tile.id)?.el.setAttribute('data-stream', stream);
    return stream;
  }

  removeTilesNotIn(keep) {
    for (const [id, { el, content }] of this.tiles) {
      if (keep.has(id)) continue;
      this.registry.release(content);
      el.remove();
      this.tiles.delete(id);
    }
  }

  placeTile(tile, rect, view) {
    let entry = this.tiles.get(tile.id);
    if (!entry) {
      const el = element('div', 'tile');
      el.dataset.tile = tile.id;
      const content = this.registry.create();
      el.append(content.el);
      this.stage.append(el);
      entry = { el, content };
      this.tiles.set(tile.id, entry);
    }
    const { style, dataset } = entry.el;
    style.left = percent(rect.x - view.x, view.width);
    style.top = percent(rect.y - view.y, view.height);
    style.width = percent(rect.width, view.width);
    style.height = percent(rect.height, view.height);
    dataset.source = tile.source ?? '';
    markAlarm(entry.el, this.alarmed);
    entry.content.show(tile.source);
    entry.content.setReplay(tile.replay);
  }

  // Frames the tiles whose source has an open alarm in the alarm's colour.
  // alarmed: source id -> severity.
  markAlarms(alarmed) {
    this.alarmed = alarmed;
    for (const { el } of this.tiles.values()) markAlarm(el, alarmed);
  }

  destroy() {
    this.resizer.disconnect();
    this.offStats();
    this.client.setInterest(this, null);
    this.registry.destroy();
    this.tiles.clear();
    this.stage.remove();
  }
}
