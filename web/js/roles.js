// What this connection's role may do (docs/security.md, "Roles"), so that
// every page shows each role only what it may use: a control the role may
// not use is disabled, with the reason on hover (its title), instead of
// failing after it is tried (issue 13). The server still checks every
// request; this only spares the user the refusal.
//
// Controls marked data-needs="operate" | "present" | "admin" are gated by
// gateMarked(); others are gated one by one with reasonFor().

import { t } from './i18n.js';

// The rights of each role, as auth_allows() grants them by default
// (core/src/domain/auth.c). `playback` (replay and export, issue 16) can be
// given per role in the config: when auth.whoami names the login's
// `permissions`, those count instead.
const RIGHTS = {
  viewer: [],
  operator: ['operate', 'playback'],
  presenter: ['present'],
  admin: ['operate', 'present', 'admin', 'playback'],
};

// The rights of a login as auth.whoami tells them.
export function rightsOf(me) {
  if (Array.isArray(me?.permissions)) return me.permissions;
  const rights = [...(RIGHTS[me?.role] || [])];
  if (typeof me?.playback === 'boolean') {
    const without = rights.filter((r) => r !== 'playback');
    return me.playback ? [...without, 'playback'] : without;
  }
  return rights;
}

// Rights that are used on a wall, and so follow the login's `walls`.
const WALL_RIGHTS = new Set(['operate', 'playback']);

export class Role {
  // Asks the server who this connection is (auth.whoami) after every
  // snapshot, since a reconnect may be a different login.
  constructor(client) {
    this.client = client;
    this.me = null; // {user, role, walls, login} once known
    this.listeners = [];
    this.readyPromise = new Promise((resolve) => { this.resolveReady = resolve; });
    client.on('snapshot', () => this.load());
  }

  async load() {
    try {
      this.me = await this.client.request('auth.whoami');
    } catch {
      return; // disconnected again: the next snapshot asks once more
    }
    document.body.dataset.role = this.me.role;
    this.resolveReady();
    for (const fn of this.listeners) fn(this.me);
  }

  // Resolves once the role is known.
  ready() {
    return this.readyPromise;
  }

  // Calls fn(me) each time the role is learnt.
  on(fn) {
    this.listeners.push(fn);
    if (this.me) fn(this.me);
  }

  // Why this connection may not do `need` (on wall wallId, if given), in
  // the page's language; '' when it may, or while the role is not known
  // yet (the server decides then).
  reasonFor(need, wallId = null) {
    const me = this.me;
    if (!me) return '';
    const role = t(`role.name.${me.role}`);
    if (!rightsOf(me).includes(need)) return t(`role.cannot.${need}`, { role });
    if (WALL_RIGHTS.has(need) && wallId && Array.isArray(me.walls) && !me.walls.includes(wallId)) {
      return t('role.cannot.this_wall', { wall: wallId });
    }
    return '';
  }

  may(need, wallId = null) {
    return !this.reasonFor(need, wallId);
  }

  // Gates every element under root marked data-needs.
  gateMarked(root = document) {
    for (const el of root.querySelectorAll('[data-needs]')) gate(el, this.reasonFor(el.dataset.needs));
  }
}

// Disables el with the reason as its title (hides it if it cannot be
// disabled), or gives back what the gate took: its own title, and enabled
// as `enabled` says (left to the page's own logic when undefined, unless
// the gate had disabled it).
export function gate(el, reason, enabled = undefined) {
  if (!('gateTitle' in el.dataset)) el.dataset.gateTitle = el.getAttribute('title') || '';
  const wasGated = el.hasAttribute('data-gated');
  if (!('disabled' in el)) el.hidden = Boolean(reason); // a hint, a link: hidden instead
  else if (reason) el.disabled = true;
  else if (enabled !== undefined) el.disabled = !enabled;
  else if (wasGated) el.disabled = false;
  el.toggleAttribute('data-gated', Boolean(reason));
  if (reason) el.title = reason;
  else if (el.dataset.gateTitle) el.title = el.dataset.gateTitle;
  else el.removeAttribute('title');
}
