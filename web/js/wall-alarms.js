// The wall's alarm banner: a band across the top of the screen, readable
// from across the room, never covering the wall. It shows
//   - critical alarms until they clear (acknowledged ones in a calmer style:
//     the condition is still there, but someone is on it), and
//   - warnings until they are acknowledged.
// Info alarms never reach the wall. At most three lines, then "+N more".

import { element } from './layout-render.js';
import { AlarmFeed, at } from './alarms.js';
import { onLanguageChange } from './i18n.js';

const LINES = 3;

// Whether an alarm belongs on the wall.
export function onBanner(alarm) {
  if (alarm.state === 'cleared') return false;
  if (alarm.severity === 'critical') return true;
  return alarm.severity === 'warning' && alarm.state === 'active';
}

export class AlarmBanner {
  constructor(el, client) {
    this.el = el;
    this.client = client;
    this.feed = new AlarmFeed(client);
    this.feed.on(() => this.render());
    client.on('snapshot', () => this.render());
    client.on('source', () => this.render());
    onLanguageChange(() => this.render());
  }

  render() {
    const shown = this.feed.open().filter(onBanner);
    this.el.hidden = shown.length === 0;
    this.el.dataset.count = String(shown.length);
    this.el.dataset.severity = shown.some((a) => a.severity === 'critical') ? 'critical' : 'warning';
    const lines = shown.slice(0, LINES).map((alarm) => this.line(alarm));
    if (shown.length > LINES) lines.push(element('div', 'alarm-banner-more', at('more', { n: shown.length - LINES })));
    this.el.replaceChildren(...lines);
  }

  line(alarm) {
    const line = element('div', 'alarm-banner-item');
    line.dataset.alarmId = alarm.id;
    line.dataset.severity = alarm.severity;
    line.dataset.state = alarm.state;
    const source = this.client.state.sources.get(alarm.source)?.name || alarm.source;
    line.append(element('span', 'alarm-banner-icon', '⚠'),
      element('span', 'alarm-banner-source', source),
      element('span', 'alarm-banner-message', alarm.message));
    if (alarm.state === 'acknowledged') line.append(element('span', 'alarm-banner-acked', at('state.acknowledged')));
    return line;
  }
}
