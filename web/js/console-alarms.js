// The console's alarm panel: every alarm not yet cleared, most urgent first
// (severity colour, source, message, age, state), each with Acknowledge
// (alarm.ack) and "Show on wall" (alarm.show on the selected wall, on the
// selected tile when exactly one is selected); the recently cleared ones on
// demand. Live: it follows the snapshot and the `alarm` events.

import { element } from './layout-render.js';
import { AlarmFeed, alarmText, at, formatAge } from './alarms.js';
import { onLanguageChange } from './i18n.js';
import { gate } from './roles.js';

const AGE_EVERY_MS = 5000;
const RECENT_SHOWN = 20;

export class AlarmPanel {
  // container: an empty element; options: messages (MessageBar), role
  // (roles.js: Acknowledge and Show on wall only for a role that may),
  // wallId() and tileId() (the selected wall and tile, or null).
  constructor(container, client, { messages, role, wallId, tileId = () => null }) {
    this.client = client;
    this.messages = messages;
    this.role = role;
    this.wallId = wallId;
    this.tileId = tileId;
    this.feed = new AlarmFeed(client);
    this.clockOffset = 0; // server time minus local time, ms
    this.showRecent = false;
    this.build(container);
    this.feed.on(() => this.render());
    client.on('snapshot', () => {
      this.render(); // the source names came with the snapshot
      this.syncClock();
    });
    client.on('source', () => this.render());
    onLanguageChange(() => this.render());
    setInterval(() => this.updateAges(), AGE_EVERY_MS);
  }

  build(container) {
    const head = element('div', 'alarms-head');
    this.title = element('h2', '', at('title'));
    const title = this.title;
    title.id = 'alarms-title';
    this.summary = element('span', 'alarms-summary');
    this.summary.id = 'alarms-summary';
    this.recentButton = element('button', 'alarms-recent', at('recent'));
    this.recentButton.type = 'button';
    this.recentButton.id = 'alarms-recent';
    this.recentButton.setAttribute('aria-pressed', 'false');
    this.recentButton.addEventListener('click', () => this.toggleRecent());
    head.append(title, this.summary, this.recentButton);
    this.list = element('ul', 'alarm-list');
    this.list.id = 'alarm-list';
    this.list.addEventListener('click', (event) => this.clicked(event));
    container.replaceChildren(head, this.list);
  }

  // Ages use the server's clock, so a console PC with a wrong clock still
  // shows how long ago an alarm came.
  async syncClock() {
    try {
      const { time } = await this.client.request('ping');
      this.clockOffset = time - Date.now();
      this.updateAges();
    } catch {
      // disconnected again: the next snapshot tries once more
    }
  }

  toggleRecent() {
    this.showRecent = !this.showRecent;
    this.recentButton.setAttribute('aria-pressed', String(this.showRecent));
    this.render();
  }

  sourceName(id) {
    return this.client.state.sources.get(id)?.name || id;
  }

  render() {
    const open = this.feed.open();
    const unacked = open.filter((a) => a.state === 'active').length;
    this.title.textContent = at('title');
    this.recentButton.textContent = at('recent');
    this.summary.textContent = open.length ? at('summary', { unacked, open: open.length }) : at('none_open');
    this.summary.dataset.count = String(unacked);
    const items = open.map((alarm) => this.item(alarm));
    if (this.showRecent) items.push(...this.feed.recent(RECENT_SHOWN).map((alarm) => this.item(alarm)));
    if (!items.length) items.push(element('li', 'empty-note', at('empty')));
    this.list.replaceChildren(...items);
  }

  item(alarm) {
    const li = element('li', 'alarm-item');
    li.dataset.alarmId = alarm.id;
    li.dataset.severity = alarm.severity;
    li.dataset.state = alarm.state;
    const { text, lang } = alarmText(alarm);
    const message = element('span', 'alarm-message', text);
    if (lang) message.lang = lang;
    message.title = text;
    li.append(element('span', 'alarm-severity', at(`severity.${alarm.severity}`)),
      element('span', 'alarm-source', this.sourceName(alarm.source)), message, this.meta(alarm),
      this.actions(alarm));
    return li;
  }

  meta(alarm) {
    const meta = element('span', 'alarm-meta');
    const age = element('span', 'alarm-age');
    age.dataset.time = String(alarm.time);
    age.textContent = this.age(alarm.time);
    const parts = [age, element('span', 'alarm-state', at(`state.${alarm.state}`))];
    if (alarm.count > 1) parts.push(element('span', 'alarm-count', `×${alarm.count}`));
    if (alarm.acked_by) parts.push(element('span', 'alarm-acked-by', at('by', { user: alarm.acked_by })));
    if (alarm.shown_on?.length) parts.push(element('span', 'alarm-shown', at('on', { walls: alarm.shown_on.join(', ') })));
    meta.append(...parts);
    return meta;
  }

  actions(alarm) {
    const box = element('span', 'alarm-actions');
    if (alarm.state === 'active') {
      const ack = button('alarm-ack', at('ack'), alarm.id);
      gate(ack, this.role.reasonFor('operate'));
      box.append(ack);
    }
    if (alarm.state !== 'cleared') {
      const show = button('alarm-show', at('show'), alarm.id);
      gate(show, this.role.reasonFor('operate', this.wallId()));
      box.append(show);
    }
    return box;
  }

  age(time) {
    return formatAge(Date.now() + this.clockOffset - time);
  }

  updateAges() {
    for (const el of this.list.querySelectorAll('.alarm-age')) el.textContent = this.age(Number(el.dataset.time));
  }

  clicked(event) {
    const target = event.target.closest?.('button[data-alarm]');
    if (!target) return;
    if (target.classList.contains('alarm-ack')) this.acknowledge(target.dataset.alarm);
    else if (target.classList.contains('alarm-show')) this.show(target.dataset.alarm);
  }

  async acknowledge(id) {
    try {
      await this.client.request('alarm.ack', { alarm: id });
      this.messages.notice(at('acked_notice'));
    } catch (err) {
      this.messages.error(err, at('ack_what'));
    }
  }

  async show(id) {
    const wall = this.wallId();
    if (!wall) return;
    const tile = this.tileId();
    try {
      await this.client.request('alarm.show', { alarm: id, wall, ...(tile ? { tile } : {}) });
      const alarm = this.feed.alarms.get(id);
      this.messages.notice(at('shown_notice', { source: this.sourceName(alarm?.source) }));
    } catch (err) {
      this.messages.error(err, at('show_what'));
    }
  }
}

function button(className, text, alarmId) {
  const b = element('button', className, text);
  b.type = 'button';
  b.dataset.alarm = alarmId;
  return b;
}
