// The console's user badge (who is logged in, with a Log out button) and,
// for admins, the Audit panel: the newest audit lines, filtered by user,
// action, wall and time (the audit.query operation, docs/protocol.md).

import { element } from './layout-render.js';

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
  badge.append(element('span', 'user-name', `${me.user} · ${me.role}`));
  if (me.login) {
    const button = element('button', '', 'Log out');
    button.type = 'button';
    button.id = 'logout';
    button.addEventListener('click', () => logOut(client));
    badge.append(button);
  }
  return badge;
}

function filterInput(name, label, placeholder) {
  const wrap = element('label', '', label);
  const input = element('input');
  input.type = 'text';
  input.name = name;
  input.placeholder = placeholder;
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

function row(entry) {
  const tr = element('tr');
  tr.dataset.ok = String(entry.ok !== false);
  for (const key of COLUMNS) tr.append(element('td', '', entry[key] === null || entry[key] === undefined ? '' : String(entry[key])));
  return tr;
}

class AuditPanel {
  constructor(client, messages) {
    this.client = client;
    this.messages = messages;
    this.section = element('section', 'panel audit-panel');
    this.section.id = 'audit-panel';
    this.section.setAttribute('aria-labelledby', 'audit-title');
    const title = element('h2', '', 'Audit');
    title.id = 'audit-title';
    this.form = element('form', 'audit-filters');
    this.form.id = 'audit-filters';
    this.form.append(filterInput('user', 'User', 'any'), filterInput('action', 'Action', 'e.g. login_failed'),
      filterInput('wall', 'Wall', 'any'), filterInput('since', 'From', '2025-01-31T08:00'),
      filterInput('until', 'To', '2025-01-31T18:00'));
    const refresh = element('button', '', 'Show');
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
    for (const key of COLUMNS) head.append(element('th', '', key.replace('version_', 'v. ')));
    table.append(element('thead'), this.body);
    table.tHead.append(head);
    const wrap = element('div', 'audit-table-wrap');
    wrap.append(table);
    this.status = element('p', 'hint');
    this.section.append(title, this.form, wrap, this.status);
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
      const reply = await this.client.request('audit.query', this.filters());
      this.body.replaceChildren(...reply.entries.map(row));
      this.status.textContent = `${reply.entries.length} entries, newest first${reply.more ? ' (more exist: narrow the filters)' : ''}.`;
    } catch (err) {
      this.messages.error(err, 'Reading the audit log');
    }
  }
}

// Shows who is logged in, and the Audit panel to admins, each time role
// (roles.js) learns who this connection is. Call once.
export function setupAudit(client, messages, role) {
  let panel = null;
  role.on((me) => {
    document.getElementById('user-badge')?.remove();
    document.querySelector('.topbar')?.append(userBadge(me, client));
    if (me.role !== 'admin') {
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
