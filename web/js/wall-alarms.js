// The wall's alarm list (docs/web.md, "Alarms on the wall"): in one place
// on the wall, a strip at the top of the display the wall's
// "alarms.display" names (default the top-right one; the whole-wall view
// shows it at the top of the window). The strip is reserved, never laid
// over the tiles: the wall's picture shrinks below it while it shows. It
// lists
//   - critical alarms until they clear (acknowledged ones in a calmer style:
//     the condition is still there, but someone is on it), and
//   - warnings until they are acknowledged,
// each as the source's name (once for all its alarms) and the reason in
// plain words, wrapped between words, with how long it has lasted. Info
// alarms never reach the wall. At most three lines, then "+N more".
// Every display marks the tiles of those sources with a frame in the
// alarm's colour (onSources).

import { element } from './layout-render.js';
import { AlarmFeed, alarmText, at, SEVERITY_RANK } from './alarms.js';
import { onLanguageChange, t } from './i18n.js';
import { sinceText, statusHeadline } from './source-state.js';

const LINES = 3;
const REDRAW_MS = 10000; // the durations move on
const CORE_CONDITIONS = new Set(['core.camera_offline', 'core.feed_stale']);

// Whether an alarm belongs on the wall.
export function onBanner(alarm) {
  if (alarm.state === 'cleared') return false;
  if (alarm.severity === 'critical') return true;
  return alarm.severity === 'warning' && alarm.state === 'active';
}

// The alarm's reason in plain words: the core's own alarms say what the
// source's state is now ("Camera offline, retrying"); a plugin's message
// loses a leading "<source name>: ", which the line shows once already.
// Returns { text, lang } (alarmText: lang 'en' for the server's message).
export function reasonText(alarm, source) {
  if (CORE_CONDITIONS.has(alarm.condition)) {
    const headline = source && statusHeadline(source);
    if (headline) return { text: headline, lang: null };
  }
  const name = source?.name;
  const { text, lang } = alarmText(alarm);
  return { text: name && text.startsWith(`${name}: `) ? text.slice(name.length + 2) : text, lang };
}

// The most severe banner alarm of each source: source id -> severity.
export function alarmedSources(alarms) {
  const worst = new Map();
  for (const alarm of alarms) {
    const now = worst.get(alarm.source);
    if (!now || SEVERITY_RANK[alarm.severity] > SEVERITY_RANK[now]) worst.set(alarm.source, alarm.severity);
  }
  return worst;
}

export class AlarmBanner {
  // shown(): whether this page shows the list; onSources(map): the sources
  // with a banner alarm and their severity, after every change.
  constructor(el, client, { shown = () => true, onSources = () => {} } = {}) {
    this.el = el;
    this.client = client;
    this.shown = shown;
    this.onSources = onSources;
    this.feed = new AlarmFeed(client);
    this.feed.on(() => this.render());
    client.on('snapshot', () => this.render());
    client.on('source', () => this.render());
    onLanguageChange(() => this.render());
    setInterval(() => this.render(), REDRAW_MS);
  }

  render() {
    const open = this.feed.open().filter(onBanner);
    this.onSources(alarmedSources(open));
    const shown = this.shown() ? open : [];
    this.el.hidden = shown.length === 0;
    this.el.dataset.count = String(shown.length);
    this.el.dataset.severity = shown.some((a) => a.severity === 'critical') ? 'critical' : 'warning';
    // Grouped by source, in the order of each source's most urgent alarm.
    const order = [...new Set(shown.map((a) => a.source))];
    const grouped = order.flatMap((id) => shown.filter((a) => a.source === id));
    const lines = grouped.slice(0, LINES).map((alarm, i) => this.line(alarm, i > 0 && grouped[i - 1].source === alarm.source));
    if (shown.length > LINES) lines.push(element('div', 'alarm-banner-more', at('more', { n: shown.length - LINES })));
    this.el.replaceChildren(...lines);
  }

  // One alarm; sameSource: the line above names its source already.
  line(alarm, sameSource) {
    const line = element('div', 'alarm-banner-item');
    line.dataset.alarmId = alarm.id;
    line.dataset.severity = alarm.severity;
    line.dataset.state = alarm.state;
    const source = this.client.state.sources.get(alarm.source);
    const name = sameSource ? '' : source?.name || alarm.source;
    const { text, lang } = reasonText(alarm, source);
    const reason = element('span', 'alarm-banner-message');
    const words = element('span', 'alarm-banner-reason', text);
    if (lang) words.lang = lang;
    reason.append(words);
    reason.append(element('span', 'alarm-banner-since', ` · ${t('tile.for', { duration: sinceText(alarm.time) })}`));
    line.append(element('span', 'alarm-banner-icon', sameSource ? '' : '⚠'),
      element('span', 'alarm-banner-source', name), reason);
    if (alarm.state === 'acknowledged') line.append(element('span', 'alarm-banner-acked', at('state.acknowledged')));
    return line;
  }
}
