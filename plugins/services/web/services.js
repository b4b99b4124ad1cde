// Public services widget: complaint tickets by status (new, forwarded, in
// progress, closed), the overdue count in red against its threshold, open
// tickets by agency and by channel, and the most overdue tickets listed in
// red. A header shows the age of the data; the widget kit's band says when
// the data is out of date. Its words follow the page's language (the table
// below); the server sends statuses and missed deadlines as codes, ticket
// titles, agencies and channels as the feed names them.
import {
  el, formatNumber, loadStylesheets, onLanguageChange, registerStrings, StatusBadge,
} from '/static/js/widget-kit.js';

const STYLESHEET = new URL('services.css', import.meta.url).href;
const STATUSES = ['new', 'forwarded', 'in_progress', 'closed'];

const tr = registerStrings({
  en: {
    'status.new': 'New', 'status.forwarded': 'Forwarded', 'status.in_progress': 'In progress', 'status.closed': 'Closed',
    'missed.forward': 'not forwarded', 'missed.follow_up': 'not followed up', 'missed.close': 'not closed',
    'late': '{missed} · {days} wd late', 'overdue': 'overdue', 'overdue_over': 'overdue (limit {limit})',
    'deadlines': 'deadlines in working days: forward {forward}, follow up {follow_up}, close {close}',
    'by_agency': 'Open by agency', 'by_channel': 'Open by channel', 'overdue_tickets': 'Overdue tickets',
    'title': 'Public services', 'waiting': 'waiting for data…',
  },
  id: {
    'status.new': 'Baru', 'status.forwarded': 'Diteruskan', 'status.in_progress': 'Diproses', 'status.closed': 'Selesai',
    'missed.forward': 'belum diteruskan', 'missed.follow_up': 'belum ditindaklanjuti', 'missed.close': 'belum selesai',
    'late': '{missed} · terlambat {days} hk', 'overdue': 'terlambat', 'overdue_over': 'terlambat (batas {limit})',
    'deadlines': 'tenggat dalam hari kerja: teruskan {forward}, tindak lanjut {follow_up}, selesai {close}',
    'by_agency': 'Terbuka per instansi', 'by_channel': 'Terbuka per kanal', 'overdue_tickets': 'Tiket terlambat',
    'title': 'Layanan publik', 'waiting': 'menunggu data…',
  },
});

const int = (v) => formatNumber(v, { maximumFractionDigits: 0 });

function statusTiles(byStatus = {}) {
  return STATUSES.map((key) => {
    const tile = el('div', `svc-status svc-status-${key}`);
    tile.dataset.status = key;
    tile.append(el('b', '', int(byStatus[key])), el('span', '', tr(`status.${key}`)));
    return tile;
  });
}

// Horizontal bars of open tickets per group, the overdue part in red.
function groupBars(title, groups = [], limit = 6) {
  const box = el('div', 'svc-groups');
  box.append(el('div', 'svc-section', title));
  const max = Math.max(1, ...groups.map((g) => g.open || 0));
  for (const g of groups.slice(0, limit)) {
    const row = el('div', 'svc-group');
    const bar = el('div', 'svc-bar');
    const open = el('div', 'svc-bar-open');
    open.style.width = `${((g.open || 0) / max) * 100}%`;
    const late = el('div', 'svc-bar-late');
    late.style.width = `${((g.overdue || 0) / max) * 100}%`;
    bar.append(open, late);
    const numbers = el('span', 'svc-group-num', int(g.open));
    if (g.overdue) numbers.append(el('em', '', ` ${int(g.overdue)}`));
    row.append(el('span', 'svc-group-name', g.name), bar, numbers);
    box.append(row);
  }
  return box;
}

function overdueList(list = []) {
  const box = el('div', 'svc-late-list');
  for (const t of list) {
    const row = el('div', 'svc-late');
    row.dataset.ticket = t.id;
    row.append(
      el('span', 'svc-late-id', t.id),
      el('span', 'svc-late-title', t.title || ''),
      el('span', 'svc-late-agency', t.agency || ''),
      el('span', 'svc-late-missed', tr('late', { missed: tr(`missed.${t.missed}`), days: int(t.late_wd) })),
    );
    box.append(row);
  }
  return box;
}

export function mount(element, source) {
  loadStylesheets(STYLESHEET);
  const root = el('div', 'widget-root pantau-services');
  const head = el('div', 'svc-head');
  const age = el('div', 'widget-age');
  const title = el('div', 'svc-title', source.name || tr('title'));
  head.append(title, age);
  const body = el('div', 'svc-body widget-dims', tr('waiting'));
  root.append(head, body);
  element.append(root);
  const status = new StatusBadge(source, { age, root });
  let last = null; // the latest update's arguments, redrawn in a new language
  const offLanguage = onLanguageChange(() => {
    if (!source.name) title.textContent = tr('title');
    if (last) widget.update(...last);
    else body.textContent = tr('waiting');
  });

  const widget = {
    update(data, time) {
      if (!data || typeof data.by_status !== 'object' || !data.overdue) return;
      last = [data, time];
      status.data(data.updated_ms, time);
      const overdue = data.overdue;
      const over = overdue.count > (overdue.threshold ?? Infinity);
      const late = el('div', 'svc-overdue');
      late.dataset.count = String(overdue.count);
      late.classList.toggle('over', over);
      late.append(el('b', '', int(overdue.count)),
        el('span', '', over ? tr('overdue_over', { limit: int(overdue.threshold) }) : tr('overdue')));
      const d = data.deadlines || {};
      const rules = el('div', 'svc-rules',
        tr('deadlines', { forward: int(d.forward_wd), follow_up: int(d.follow_up_wd), close: int(d.close_wd) }));
      const top = el('div', 'svc-top');
      top.append(...statusTiles(data.by_status), late);
      const middle = el('div', 'svc-middle');
      middle.append(groupBars(tr('by_agency'), data.by_agency), groupBars(tr('by_channel'), data.by_channel));
      body.replaceChildren(top, middle, el('div', 'svc-section svc-late-head', tr('overdue_tickets')),
        overdueList(overdue.list), rules);
      root.dataset.overdue = String(overdue.count);
    },
    // Called by the page after mount and on each status change.
    status(src) {
      status.status(src);
    },
    destroy() {
      offLanguage();
      status.destroy();
      root.remove();
    },
  };
  return widget;
}
