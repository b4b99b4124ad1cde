// The console's source list: every source with its status, each one
// draggable (HTML5 drag and drop) onto a tile of the editor.

import { element } from './layout-render.js';

export const SOURCE_DRAG_TYPE = 'application/x-pantau-source';

const STATUS_TEXT = {
  live: 'live', reconnecting: 'reconnecting', stale: 'stale', offline: 'offline', error: 'error',
};

function sourceItem(source) {
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
  const status = element('span', 'source-status', STATUS_TEXT[source.status] || source.status);
  status.dataset.status = source.status;
  meta.append(status);
  text.append(meta);
  if (source.reason) text.append(element('div', 'source-reason', source.reason));
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
  }

  // One source changed: only its item is replaced, so that a click, a
  // double-click or a drag on another item is never cut short.
  replace(source) {
    const old = this.listEl.querySelector(`.source-item[data-source-id="${CSS.escape(source.id)}"]`);
    if (!old) return this.render();
    const item = sourceItem(source);
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
    this.listEl.replaceChildren(...sources.map(sourceItem));
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
