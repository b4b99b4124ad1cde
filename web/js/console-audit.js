// The console's user badge (who is logged in, with a Log out button) and,
// for admins, the Audit panel: the newest audit lines, filtered by user,
// action, wall and time (the audit.query operation, docs/protocol.md).
// Its words follow the page's language; user names, addresses and action
// codes (preset.save, login_failed) are shown as the server records them,
// times through Intl.

import { element } from './layout-render.js';
import { formatDate, formatNumber, onLanguageChange, t } from './i18n.js';

const COLUMNS = ['time', 'user', 'role', 'address', 'action', 'wall', 'version_before', 'version_after'];

// The page's own socket is stopped first: the server closes it on logout,
// and that close would start a second navigation (to /login?next=) racing
// this one.
async function logOut(client) {
  client.stop();
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  } finally {
    location.assign('/login');
  }
}

function userBadge(me, client) {
  const badge = element('span', 'user-badge');
  badge.id = 'user-badge';
  badge.append(element('span', 'user-name', `${me.user} · ${t(`role.name.${me.role}`)}`));
  if (me.login) {
    const button = element('button', '', t('login.logout'));
    button.type = 'button';
    button.id = 'logout';
    button.addEventListener('click', () => logOut(client));
    badge.append(button);
  }
  return badge;
}

function filterInput(name, label, placeholder) {
  const wrap = element('label', '', t(label));
  wrap.dataset.i18n = label;
  const input = element('input');
  input.type = 'text';
  input.name = name;
  input.placeholder = t(placeholder);
  input.dataset.i18nPlaceholder = placeholder;
  input.autocomplete = 'off';
  wrap.append(input);
  return wrap;
}

// A datetime-local value ("2025-01-31T08:00") as ISO 8601 with the zone.
function isoTime(value) {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

// One cell's text: times and versions through Intl, roles in words.
function cellText(key, value) {
  if (value === null || value === undefined) return '';
  if (key === 'time') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value)
      : formatDate(date, { dateStyle: 'medium', timeStyle: 'medium' });
  }
  if (key === 'role') return t(`role.name.${value}`);
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

function row(entry) {
  const tr = element('tr');
  tr.dataset.ok = String(entry.ok !== false);
  for (const key of COLUMNS) tr.append(element('td', '', cellText(key, entry[key])));
  return tr;
}

class AuditPanel {
  constructor(client, messages) {
    this.client = client;
    this.messages = messages;
    this.section = element('section', 'panel audit-panel');
    this.section.id = 'audit-panel';
    this.section.setAttribute('aria-labelledby', 'audit-title');
    const title = element('h2', '', t('audit.title'));
    title.id = 'audit-title';
    title.dataset.i18n = 'audit.title';
    this.form = element('form', 'audit-filters');
    this.form.id = 'audit-filters';
    this.form.append(filterInput('user', 'audit.user', 'audit.any'),
      filterInput('action', 'audit.action', 'audit.action_example'), filterInput('wall', 'audit.wall', 'audit.any'),
      filterInput('since', 'audit.from', 'audit.since_example'), filterInput('until', 'audit.to', 'audit.until_example'));
    const refresh = element('button', '', t('audit.show'));
    refresh.dataset.i18n = 'audit.show';
    refresh.type = 'submit';
    this.form.append(refresh);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.load();
    });
    this.body = element('tbody');
    this.body.id = 'audit-rows';
    const table = element('table', 'audit-table');
    const head = element('tr');
    for (const key of COLUMNS) {
      const th = element('th', '', t(`audit.col.${key}`));
      th.dataset.i18n = `audit.col.${key}`;
      head.append(th);
    }
    table.append(element('thead'), this.body);
    table.tHead.append(head);
    const wrap = element('div', 'audit-table-wrap');
    wrap.append(table);
    this.status = element('p', 'hint');
    this.section.append(title, this.form, wrap, this.status);
    this.reply = null;
    this.offLanguage = onLanguageChange(() => this.draw());
  }

  // The rows and the count of the last reply, in the page's language.
  draw() {
    const reply = this.reply;
    if (!reply) return;
    this.body.replaceChildren(...reply.entries.map(row));
    this.status.textContent = t(reply.more ? 'audit.entries_more' : 'audit.entries', { count: formatNumber(reply.entries.length) });
  }

  filters() {
    const data = new FormData(this.form);
    const fields = { limit: 200 };
    for (const key of ['user', 'action', 'wall']) if (data.get(key)) fields[key] = String(data.get(key));
    for (const key of ['since', 'until']) if (data.get(key)) fields[key] = isoTime(String(data.get(key)));
    return fields;
  }

  async load() {
    try {
      this.reply = await this.client.request('audit.query', this.filters());
      this.draw();
    } catch (err) {
      this.messages.error(err, t('console.do.read_audit'));
    }
  }
}

// Shows who is logged in, and the Audit panel to admins, each time role
// (roles.js) learns who this connection is. Call once.
export function setupAudit(client, messages, role) {
  let panel = null;
  const showBadge = (me) => {
    document.getElementById('user-badge')?.remove();
    document.querySelector('.topbar')?.append(userBadge(me, client));
  };
  onLanguageChange(() => { if (role.me) showBadge(role.me); });
  role.on((me) => {
    showBadge(me);
    if (me.role !== 'admin') {
      panel?.offLanguage();
      panel?.section.remove();
      panel = null;
      return;
    }
    if (!panel) {
      panel = new AuditPanel(client, messages);
      document.body.append(panel.section);
      panel.load();
    }
  });
}
