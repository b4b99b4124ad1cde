// Public services widget: complaint tickets by status (new, forwarded, in
// progress, closed), the overdue count in red against its threshold, open
// tickets by agency and by channel, and the most overdue tickets listed in
// red. A header shows the age of the data; the widget kit's band says when
// the data is out of date.
import { el, loadStylesheets, StatusBadge } from '/static/js/widget-kit.js';

const STYLESHEET = new URL('services.css', import.meta.url).href;
const STATUSES = [['new', 'New'], ['forwarded', 'Forwarded'], ['in_progress', 'In progress'], ['closed', 'Closed']];
const MISSED = { forward: 'not forwarded', follow_up: 'not followed up', close: 'not closed' };

const int = (v) => (Number.isFinite(v) ? String(v) : '–');

function statusTiles(byStatus = {}) {
  return STATUSES.map(([key, label]) => {
    const tile = el('div', `svc-status svc-status-${key}`);
    tile.dataset.status = key;
    tile.append(el('b', '', int(byStatus[key])), el('span', '', label));
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
    if (g.overdue) numbers.append(el('em', '', ` ${g.overdue}`));
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
      el('span', 'svc-late-missed', `${MISSED[t.missed] || t.missed} · ${t.late_wd} wd late`),
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
  head.append(el('div', 'svc-title', source.name || 'Public services'), age);
  const body = el('div', 'svc-body widget-dims', 'waiting for data…');
  root.append(head, body);
  element.append(root);
  const status = new StatusBadge(source, { age, root });

  return {
    update(data, time) {
      if (!data || typeof data.by_status !== 'object' || !data.overdue) return;
      status.data(data.updated_ms, time);
      const overdue = data.overdue;
      const over = overdue.count > (overdue.threshold ?? Infinity);
      const late = el('div', 'svc-overdue');
      late.dataset.count = String(overdue.count);
      late.classList.toggle('over', over);
      late.append(el('b', '', int(overdue.count)), el('span', '', `overdue${over ? ` (limit ${overdue.threshold})` : ''}`));
      const d = data.deadlines || {};
      const rules = el('div', 'svc-rules',
        `deadlines in working days: forward ${d.forward_wd}, follow up ${d.follow_up_wd}, close ${d.close_wd}`);
      const top = el('div', 'svc-top');
      top.append(...statusTiles(data.by_status), late);
      const middle = el('div', 'svc-middle');
      middle.append(groupBars('Open by agency', data.by_agency), groupBars('Open by channel', data.by_channel));
      body.replaceChildren(top, middle, el('div', 'svc-section svc-late-head', 'Overdue tickets'),
        overdueList(overdue.list), rules);
      root.dataset.overdue = String(overdue.count);
    },
    // Called by the page after mount and on each status change.
    status(src) {
      status.status(src);
    },
    destroy() {
      status.destroy();
      root.remove();
    },
  };
}
