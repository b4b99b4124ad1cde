// Helpers for source components (docs/web.md, "Widget kit"): element
// creation, stylesheet loading, the page's language and a plugin's own
// string table, numbers, dates and ages in that language, and the state
// band of a widget. Served by the core at /static/js/widget-kit.js; a
// plugin's component imports it by that absolute URL.

import { formatAge as ageText } from './alarms.js';
import { formatDate, formatNumber, language, locale, lookup, onLanguageChange, t } from './i18n.js';
import { sinceText, statusHeadline } from './source-state.js';

// language(): 'en' or 'id'; locale(): its Intl locale; t(key, values): the
// kit's own words (kit.*, tile.*); onLanguageChange(cb): cb(lang) after
// every switch, returns an unsubscribe function; formatNumber(n, options)
// and formatDate(ms, options): Intl in the page's language.
export { formatDate, formatNumber, language, locale, onLanguageChange, t };

// Registers a plugin's own words, {en: {key: text}, id: {key: text}}, and
// returns its translator: tr(key, values) is the text of key in the page's
// language (English when the language lacks it, the key when both do),
// {name} filled from values. Each plugin keeps its table in its own file.
export function registerStrings(table) {
  return (key, values = {}) => lookup(table, key, values);
}

const KIT_STYLESHEET = new URL('../css/widget-kit.css', import.meta.url).href;

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

// An age in ms in the page's language ("12 s", "5 min", "3 h 10 min";
// "12 dtk", "5 mnt"); '' when not a number.
export function formatAge(ms) {
  return isNum(ms) ? ageText(ms) : '';
}

// The one stale treatment of every widget (docs/web.md, "The states a tile
// can show"): while its source is not live, a band across the bottom of
// root says what is wrong in plain words ("Data out of date"), how old the
// last good data is, and why; root gets data-status, which gives it a
// frame in the status colour and dims its .widget-dims parts. The page
// draws it for components without status(); StatusBadge for the others.
export class StateBand {
  constructor(root) {
    loadStylesheets();
    this.root = root;
    this.source = null;
    this.updatedMs = null;
    this.band = el('div', 'widget-state');
    this.title = el('div', 'widget-state-title');
    this.age = el('div', 'widget-state-age');
    this.reason = el('div', 'widget-state-reason');
    this.reason.lang = 'en'; // the server's reason: a technical detail in English
    this.band.append(this.title, this.age, this.reason);
    this.band.hidden = true;
    root.append(this.band);
    this.timer = setInterval(() => this.draw(), 1000);
    this.offLanguage = onLanguageChange(() => this.draw());
  }

  // source: the source object (status, reason) from mount or status().
  status(source) {
    this.source = source;
    this.draw();
  }

  // When the data shown was good, in ms since the epoch (null: unknown).
  data(updatedMs) {
    this.updatedMs = isNum(updatedMs) && updatedMs > 0 ? updatedMs : null;
    this.draw();
  }

  draw() {
    const status = this.source?.status || 'live';
    const bad = status !== 'live' && status !== 'idle';
    this.root.dataset.status = status;
    this.band.hidden = !bad;
    this.band.dataset.status = status;
    if (!bad) return;
    setText(this.title, statusHeadline(this.source));
    setText(this.age, this.updatedMs === null ? t('kit.no_data')
      : t('kit.last_data', { age: sinceText(this.updatedMs) }));
    setText(this.reason, this.source?.reason || '');
  }

  destroy() {
    clearInterval(this.timer);
    this.offLanguage();
    this.band.remove();
  }
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

// A widget's state: the StateBand over root, and the age of the last good
// data ("data 12 s old") in the header element age. badge: an element
// older components pass for a header badge; it stays hidden, the band says
// it all. Follows the source's status from the page's status(source) calls.
export class StatusBadge {
  constructor(source, { badge, age, root }) {
    if (badge) badge.hidden = true;
    this.age = age;
    this.band = new StateBand(root);
    this.updatedMs = null;
    this.status(source);
    this.timer = setInterval(() => this.drawAge(), 1000);
  }

  // source: the source object (status, reason) from mount or status().
  status(source) {
    this.band.status(source);
    this.drawAge();
  }

  // updatedMs: when the data was good (ms since the epoch); time: when the
  // server published it, used when the data carries no time of its own.
  data(updatedMs, time) {
    const ms = isNum(updatedMs) && updatedMs > 0 ? updatedMs : time;
    this.updatedMs = isNum(ms) && ms > 0 ? ms : null;
    this.band.data(this.updatedMs);
    this.drawAge();
  }

  drawAge() {
    const text = this.updatedMs === null ? '' : t('kit.data_age', { age: sinceText(this.updatedMs) });
    setText(this.age, text);
  }

  destroy() {
    clearInterval(this.timer);
    this.band.destroy();
  }
}
