// Status badge and data age shared by the services widget (a copy of
// plugins/traffic/web/widget-status.js: each plugin's web folder stands alone).
//
// The page tells components about data only (update(data)); a source's
// status changes reach the tile, not the component. Until the page calls a
// component's optional status(source), this follows the tile's own status:
// the `data-status` attribute of the enclosing `.tile-content` and the text
// of its `.tile-status` badge ("stale: reason").

const LABELS = { stale: 'STALE', error: 'ERROR', offline: 'OFFLINE', reconnecting: 'WAITING' };

export function formatAge(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}

export class StatusBadge {
  // badge: element showing "STALE · reason"; age: element showing the age
  // of the last good data; root: gets data-status.
  constructor(element, source, { badge, age, root }) {
    this.badge = badge;
    this.age = age;
    this.root = root;
    this.updatedMs = null;
    this.set(source.status || 'live', source.reason || '');
    this.tile = element.closest('.tile-content');
    if (this.tile) {
      this.observer = new MutationObserver(() => this.fromTile());
      this.observer.observe(this.tile, { attributes: true, attributeFilter: ['data-status'], childList: true, subtree: true, characterData: true });
    }
    this.timer = setInterval(() => this.drawAge(), 1000);
  }

  fromTile() {
    const status = this.tile.dataset.status || 'live';
    const text = this.tile.querySelector(':scope > .tile-status')?.textContent || '';
    const colon = text.indexOf(': ');
    this.set(status, colon >= 0 ? text.slice(colon + 2) : '');
  }

  set(status, reason) {
    if (status === this.status && reason === this.reason) return;
    this.status = status;
    this.reason = reason;
    this.root.dataset.status = status;
    const bad = status !== 'live';
    this.badge.hidden = !bad;
    this.badge.dataset.status = status;
    this.badge.textContent = bad ? [LABELS[status] || status.toUpperCase(), reason].filter(Boolean).join(' · ') : '';
    this.drawAge();
  }

  data(updatedMs) {
    this.updatedMs = typeof updatedMs === 'number' && updatedMs > 0 ? updatedMs : null;
    this.drawAge();
  }

  drawAge() {
    if (this.updatedMs === null) {
      this.age.textContent = '';
      return;
    }
    const text = `data ${formatAge(Date.now() - this.updatedMs)} old`;
    if (this.age.textContent !== text) this.age.textContent = text;
  }

  destroy() {
    this.observer?.disconnect();
    clearInterval(this.timer);
  }
}
