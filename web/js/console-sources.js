// The console's source list: every source with its status, problems first
// (error, offline, reconnecting, stale; then the rest by name), narrowed by
// a filter box, each one draggable (HTML5 drag and drop) onto a tile of the
// editor by a role that may change the wall, with its full name on hover.
// Cameras also show the server's statistics (the `stats` event, once a
// second).

import { element, kindText } from './layout-render.js';
import { language, locale, onLanguageChange, t } from './i18n.js';

export const SOURCE_DRAG_TYPE = 'application/x-pantau-source';

// A status as the list shows it. Idle (a camera nobody has opened yet, so
// nothing is known of it) says so in the page's language.
function statusText(status) {
  if (status === 'idle') return t('console.status.idle');
  return ['live', 'reconnecting', 'stale', 'offline', 'error'].includes(status) ? t(`source.status.${status}`) : status;
}

// One line of a camera's figures, or '' for a source without statistics.
export function cameraStatsText(stats) {
  if (!stats) return '';
  if (!stats.viewers && !stats.fps) return t('console.stats.idle');
  const parts = [t('console.stats.fps', { fps: stats.fps.toFixed(1) })];
  parts.push(stats.kbps >= 1000
    ? t('console.stats.mbps', { mbps: (stats.kbps / 1000).toFixed(1) })
    : t('console.stats.kbps', { kbps: Math.round(stats.kbps) }));
  if (stats.width && stats.height) parts.push(`${stats.width}×${stats.height}`);
  if (stats.transcoded) parts.push(t('console.stats.transcoded'));
  // Who gets an H.265 camera's own stream and who its substream (issue 15).
  if (stats.h265) parts.push(t('console.stats.h265', stats.h265));
  if (stats.reconnects) parts.push(t('console.stats.reconnects', { count: stats.reconnects }));
  return parts.join(' · ');
}

// Where a status sorts: problems first, the worst on top (issue 13). Idle
// (nobody has opened the camera yet) is not a problem.
const PROBLEM_RANK = { error: 0, offline: 1, reconnecting: 2, stale: 3 };
const rank = (source) => PROBLEM_RANK[source.status] ?? 4;

export function sortSources(sources) {
  return [...sources].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, language()));
}

// Lower case without accents, so "sudirman" finds "Sudirman" and "dago"
// finds "Dagō".
const folded = (text) => String(text ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function matches(source, words) {
  const text = folded(`${source.name} ${source.id} ${source.type} ${source.kind} ${kindText(source.kind)} ${statusText(source.status)}`);
  return words.every((word) => text.includes(word));
}

function sourceItem(source, stats, draggable, deliveries) {
  const item = element('li', 'source-item');
  item.draggable = draggable;
  item.dataset.sourceId = source.id;
  item.dataset.status = source.status;
  item.title = source.reason ? `${source.name}\n${source.reason}` : source.name;
  const dot = element('span', 'status-dot');
  const text = element('div', 'source-text');
  text.append(element('div', 'source-name', source.name));
  const meta = element('div', 'source-meta');
  const type = element('span', 'source-type', kindText(source.kind));
  type.dataset.type = source.type;
  meta.append(type);
  const status = element('span', 'source-status', statusText(source.status));
  status.dataset.status = source.status;
  meta.append(status);
  text.append(meta);
  if (source.reason) text.append(element('div', 'source-reason', source.reason));
  const figures = cameraStatsText(stats);
  if (figures) text.append(element('div', 'source-stats', figures));
  item.append(dot, text);
  // Who gets what of a camera, and why (console-deliveries.js, issue 15).
  if (deliveries && source.kind === 'camera') {
    const open = element('button', 'source-deliveries', 'i');
    open.type = 'button';
    open.title = t('deliveries.open');
    open.setAttribute('aria-label', t('deliveries.open'));
    open.draggable = false;
    item.append(open);
  }
  return item;
}

export class SourceList {
  // options: filterEl (the filter box), countEl (says how many are shown),
  // role (roles.js: may this connection drag sources onto the wall),
  // onDeliveries(id) (optional: a camera's "who gets what" was asked for).
  constructor(listEl, client, { filterEl, countEl, role, onDeliveries }) {
    this.listEl = listEl;
    this.client = client;
    this.filterEl = filterEl;
    this.countEl = countEl;
    this.role = role;
    this.onDeliveries = onDeliveries;
    listEl.addEventListener('click', (event) => {
      const button = event.target.closest?.('.source-deliveries');
      if (button) this.onDeliveries?.(button.closest('.source-item').dataset.sourceId);
    });
    filterEl.addEventListener('input', () => this.filter());
    filterEl.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !filterEl.value) return;
      filterEl.value = '';
      this.filter();
      event.stopPropagation();
    });
    listEl.addEventListener('dragstart', (event) => this.dragStarted(event));
    listEl.addEventListener('dragend', (event) => event.target.classList?.remove('dragging'));
    client.on('snapshot', () => this.render());
    client.on('source', (source) => this.replace(source));
    client.on('source.removed', () => this.render());
    client.on('stats', (stats) => this.showStats(stats));
    onLanguageChange(() => this.render());
  }

  statsOf(id) {
    return this.client.state.stats?.[id];
  }

  // Only the figures' text changes, in place, so that the once-a-second
  // update never replaces an item under the operator's pointer.
  showStats(stats) {
    for (const item of this.listEl.querySelectorAll('.source-item')) {
      const figures = cameraStatsText(stats[item.dataset.sourceId]);
      let line = item.querySelector('.source-stats');
      if (!figures) {
        line?.remove();
        continue;
      }
      if (!line) {
        line = element('div', 'source-stats');
        item.querySelector('.source-text').append(line);
      }
      if (line.textContent !== figures) line.textContent = figures;
    }
  }

  // One source changed: only its item is replaced, so that a click, a
  // double-click or a drag on another item is never cut short.
  replace(source) {
    const old = this.listEl.querySelector(`.source-item[data-source-id="${CSS.escape(source.id)}"]`);
    // A source that became (or stopped being) a problem moves.
    if (!old || rank(source) !== rank({ status: old.dataset.status })) return this.render();
    const item = sourceItem(source, this.statsOf(source.id), this.draggable(), this.showsDeliveries());
    item.hidden = old.hidden;
    if (old.classList.contains('dragging')) item.classList.add('dragging');
    // Keep the same element when nothing shown changed (a double-click on
    // it stays one double-click).
    if (old.outerHTML === item.outerHTML) return undefined;
    old.replaceWith(item);
    return undefined;
  }

  // Whether sources may be dragged onto the selected wall.
  draggable() {
    return this.role.may('operate');
  }

  // Whether cameras offer "who gets what" (operators and admins).
  showsDeliveries() {
    return Boolean(this.onDeliveries) && this.role.may('operate');
  }

  render() {
    const sources = sortSources(this.client.state.sources.values());
    if (!sources.length) {
      this.listEl.replaceChildren(element('li', 'empty-note', t('console.sources.none')));
      this.countEl.textContent = '';
      return;
    }
    const draggable = this.draggable();
    const deliveries = this.showsDeliveries();
    this.listEl.replaceChildren(...sources.map((source) => sourceItem(source, this.statsOf(source.id), draggable, deliveries)));
    this.filter();
  }

  // Hides the sources the filter box does not match, and says how many
  // are shown.
  filter() {
    const words = folded(this.filterEl.value).split(/\s+/).filter(Boolean);
    const items = [...this.listEl.querySelectorAll('.source-item')];
    let shown = 0;
    for (const item of items) {
      const source = this.client.state.sources.get(item.dataset.sourceId);
      item.hidden = Boolean(source && words.length && !matches(source, words));
      if (!item.hidden) shown += 1;
    }
    const number = new Intl.NumberFormat(locale());
    this.countEl.textContent = !words.length ? ''
      : shown ? t('console.sources.shown', { shown: number.format(shown), total: number.format(items.length) })
        : t('console.sources.no_match', { filter: this.filterEl.value.trim() });
  }

  dragStarted(event) {
    const item = event.target.closest?.('.source-item');
    if (!item) return;
    event.dataTransfer.setData(SOURCE_DRAG_TYPE, item.dataset.sourceId);
    event.dataTransfer.setData('text/plain', item.dataset.sourceId);
    event.dataTransfer.effectAllowed = 'copy';
    item.classList.add('dragging');
  }
}
