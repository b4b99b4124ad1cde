// Helpers for source components (docs/web.md, "Widget kit"): element
// creation, stylesheet loading, data age, and the status badge of a widget.
// Served by the core at /static/js/widget-kit.js; a plugin's component
// imports it by that absolute URL.

const KIT_STYLESHEET = new URL('../css/widget-kit.css', import.meta.url).href;
const LABELS = { stale: 'STALE', error: 'ERROR', offline: 'OFFLINE', reconnecting: 'WAITING' };

// A new element with an optional class and text.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// Adds a <link rel="stylesheet"> for each URL (and the kit's own sheet)
// that the page does not have yet.
export function loadStylesheets(...hrefs) {
  for (const href of [KIT_STYLESHEET, ...hrefs]) {
    if (document.querySelector(`link[href="${href}"]`)) continue;
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.append(link);
  }
}

// An age in ms as "12 s", "5 min" or "3 h"; '' when not a number.
export function formatAge(ms) {
  if (!isNum(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}

// The status badge ("STALE · reason", hidden while live) and the age of the
// last good data ("data 12 s old") of a widget. Follows the source's status
// from the page's status(source) calls; root gets data-status.
export class StatusBadge {
  constructor(source, { badge, age, root }) {
    this.badge = badge;
    this.age = age;
    this.root = root;
    this.updatedMs = null;
    this.status(source);
    this.timer = setInterval(() => this.drawAge(), 1000);
  }

  // source: the source object (status, reason) from mount or status().
  status(source) {
    const status = source?.status || 'live';
    const reason = source?.reason || '';
    if (status === this.current && reason === this.reason) return;
    this.current = status;
    this.reason = reason;
    this.root.dataset.status = status;
    const bad = status !== 'live';
    this.badge.hidden = !bad;
    this.badge.dataset.status = status;
    this.badge.textContent = bad ? [LABELS[status] || status.toUpperCase(), reason].filter(Boolean).join(' · ') : '';
    this.drawAge();
  }

  // updatedMs: when the data was good (ms since the epoch); time: when the
  // server published it, used when the data carries no time of its own.
  data(updatedMs, time) {
    const ms = isNum(updatedMs) && updatedMs > 0 ? updatedMs : time;
    this.updatedMs = isNum(ms) && ms > 0 ? ms : null;
    this.drawAge();
  }

  drawAge() {
    const text = this.updatedMs === null ? '' : `data ${formatAge(Date.now() - this.updatedMs)} old`;
    if (this.age.textContent !== text) this.age.textContent = text;
  }

  destroy() {
    clearInterval(this.timer);
  }
}
