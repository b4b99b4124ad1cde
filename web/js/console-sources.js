// The console's source list: every source with its status, each one
// draggable (HTML5 drag and drop) onto a tile of the editor. Cameras also
// show the server's statistics (the `stats` event, once a second).

import { element } from './layout-render.js';
import { onLanguageChange, t } from './i18n.js';

export const SOURCE_DRAG_TYPE = 'application/x-pantau-source';

const STATUS_TEXT = {
  live: 'live', reconnecting: 'reconnecting', stale: 'stale', offline: 'offline', error: 'error',
};

// A status as the list shows it. Idle (a camera nobody has opened yet, so
// nothing is known of it) says so in the page's language.
function statusText(status) {
  if (status === 'idle') return t('console.status.idle');
  return STATUS_TEXT[status] || status;
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
  if (stats.reconnects) parts.push(t('console.stats.reconnects', { count: stats.reconnects }));
  return parts.join(' · ');
}

function sourceItem(source, stats) {
  const item = element('li', 'source-item');
  item.draggable = true;
  item.dataset.sourceId = source.id;
  item.dataset.status = source.status;
  item.title = `Drag '${source.name}' onto a tile`;
  const dot = element('span', 'status-dot');
  const text = element('div', 'source-text');
  text.append(element('div', 'source-name', source.name));
  const meta = element('div', 'source-meta');
  meta.append(element('span', 'source-type', `${source.type} · ${source.kind}`));
  const status = element('span', 'source-status', statusText(source.status));
  status.dataset.status = source.status;
  meta.append(status);
  text.append(meta);
  if (source.reason) text.append(element('div', 'source-reason', source.reason));
  const figures = cameraStatsText(stats);
  if (figures) text.append(element('div', 'source-stats', figures));
  item.append(dot, text);
  return item;
}

export class SourceList {
  constructor(listEl, client) {
    this.listEl = listEl;
    this.client = client;
    listEl.addEventListener('dragstart', (event) => this.dragStarted(event));
    listEl.addEventListener('dragend', (event) => event.target.classList?.remove('dragging'));
    client.on('snapshot', () => this.render());
    client.on('source', (source) => this.replace(source));
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
    if (!old) return this.render();
    const item = sourceItem(source, this.statsOf(source.id));
    if (old.classList.contains('dragging')) item.classList.add('dragging');
    // Keep the same element when nothing shown changed (a double-click on
    // it stays one double-click).
    if (old.outerHTML === item.outerHTML) return undefined;
    old.replaceWith(item);
    return undefined;
  }

  render() {
    const sources = [...this.client.state.sources.values()];
    sources.sort((a, b) => a.name.localeCompare(b.name));
    if (!sources.length) {
      this.listEl.replaceChildren(element('li', 'empty-note', 'No sources configured.'));
      return;
    }
    this.listEl.replaceChildren(...sources.map((source) => sourceItem(source, this.statsOf(source.id))));
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
