// Who gets what of a camera, and why (issue 15, docs/cameras.md "Who gets
// what"): the console's table of media.deliveries for one camera, a row per
// client and stream: who (user, address, page), what it asked for, what it
// gets (H.265 as it is, H.264, the H.264 substream because its screen cannot
// decode H.265, the server's conversion, or nothing past the conversion
// budget) and why. Opened from a camera of the source list; refreshed every
// 2 s while open. Operators and admins (the server refuses other roles).

import { element } from './layout-render.js';
import { onLanguageChange, t } from './i18n.js';

const REFRESH_MS = 2000;

// Which page a client is, as its subscribe said ("console", "wall:main").
function pageText(page) {
  if (!page) return t('deliveries.page.unknown');
  if (page === 'console') return t('deliveries.page.console');
  if (page === 'present') return t('deliveries.page.present');
  const wall = /^wall:(.+)$/.exec(page);
  return wall ? t('deliveries.page.wall', { wall: wall[1] }) : page;
}

const streamText = (stream) => (stream ? t(`deliveries.stream.${stream}`) : '—');

function row(r) {
  const tr = element('tr', 'delivery-row');
  tr.dataset.delivered = r.delivered;
  tr.dataset.page = r.client.page ?? '';
  const who = [r.client.user, r.client.address].filter(Boolean).join(' @ ');
  const gets = r.codec ? `${t(`deliveries.delivered.${r.delivered}`)} (${r.codec})` : t(`deliveries.delivered.${r.delivered}`);
  const why = t(`deliveries.reason.${r.reason}`, { running: r.budget?.running ?? 0, max: r.budget?.max ?? 0 });
  for (const [cls, text] of [['who', who], ['page', pageText(r.client.page)], ['asked', streamText(r.asked)],
    ['gets', gets], ['why', why]]) {
    const td = element('td', `delivery-${cls}`, text);
    td.dataset.label = t(`deliveries.col.${cls}`); // the narrow panel shows a row as a card
    tr.append(td);
  }
  return tr;
}

export class DeliveriesPanel {
  // el: the (hidden) section the table goes in.
  constructor(el, client, messages) {
    this.el = el;
    this.client = client;
    this.messages = messages;
    this.source = null;
    this.timer = null;
    this.last = null; // the last reply, redrawn on a change of language
    this.title = element('h3', 'deliveries-title');
    const close = element('button', 'deliveries-close', t('deliveries.close'));
    close.type = 'button';
    close.dataset.i18n = 'deliveries.close';
    close.addEventListener('click', () => this.close());
    this.note = element('p', 'hint deliveries-note');
    this.table = element('table', 'deliveries-table');
    this.el.replaceChildren(this.title, close, this.note, this.table);
    this.el.hidden = true;
    onLanguageChange(() => this.draw());
    client.on('source.removed', ({ source }) => { if (source === this.source) this.close(); });
  }

  open(sourceId) {
    this.source = sourceId;
    this.last = null;
    this.el.hidden = false;
    this.el.dataset.source = sourceId;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.draw();
    return this.refresh();
  }

  close() {
    clearInterval(this.timer);
    this.timer = null;
    this.source = null;
    this.el.hidden = true;
  }

  async refresh() {
    const source = this.source;
    if (!source) return;
    try {
      const reply = await this.client.request('media.deliveries', { source });
      if (source !== this.source) return;
      this.last = reply;
      this.draw();
    } catch (err) {
      if (err.code === 'disconnected') return;
      this.close();
      this.messages.error(err, t('deliveries.do'));
    }
  }

  draw() {
    if (!this.source) return;
    const name = this.client.state.sources.get(this.source)?.name ?? this.source;
    this.title.textContent = t('deliveries.title', { camera: name });
    const rows = this.last?.rows ?? [];
    this.note.textContent = !this.last ? t('deliveries.loading') : rows.length ? '' : t('deliveries.none');
    const head = element('tr');
    for (const key of ['who', 'page', 'asked', 'gets', 'why']) head.append(element('th', '', t(`deliveries.col.${key}`)));
    const thead = element('thead');
    thead.append(head);
    const tbody = element('tbody');
    tbody.append(...rows.map(row));
    this.table.replaceChildren(thead, tbody);
    this.table.hidden = !rows.length;
  }
}
