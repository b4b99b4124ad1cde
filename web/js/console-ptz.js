// The console's camera control (issue 15, docs/cameras.md "Steering cameras
// (PTZ)"): for the selected tile (or the full-screen camera, which is the
// wall's one tile) when its camera has PTZ (the source's data
// {ptz: {available, relative, zoom, ...}}, published by the cctv plugin).
//
// Press and hold an arrow (on screen or on the keyboard) to pan and tilt,
// + and − to zoom; the speed setting scales them, a gamepad's left stick
// gives its own speed by how far it is pushed (right stick up/down zooms).
// Every change of direction sends one camera.ptz ptz.move; a held move is
// renewed every 2 s (the camera stops by itself 10 s after the last one);
// release, window blur and a hidden page send ptz.stop. With relative moves,
// a click on the picture centres the camera there and a dragged box zooms
// into it.

import { element } from './layout-render.js';
import { gate } from './roles.js';
import { t } from './i18n.js';

const RENEW_MS = 2000;
const GAMEPAD_DEAD_ZONE = 0.15;
// A stick is read at most this often: each change is a request, and a
// client may send 100 a second (docs/protocol.md, Limits).
const GAMEPAD_POLL_MS = 100;
// Arrow keys and on-screen arrows: [pan, tilt] direction.
const KEY_DIRECTIONS = {
  ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1],
};
// A relative move of 1 pans the camera across its whole range; a picture is
// about this fraction of it wide at the wide end (cameras differ: a guide).
const FIELD_OF_VIEW = 0.3;
// A click centres only when no second click follows: a double-click shows
// the camera full-screen and must not nudge it.
const CLICK_WAIT_MS = 350;

const isTyping = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
const round = (v) => Math.round(v * 100) / 100;

export class PtzPanel {
  // options: role, messages, wallId(), selection() -> {tileId, sourceId,
  // tileEl} of the one selected tile, or null.
  constructor(el, client, options) {
    this.el = el;
    this.client = client;
    this.options = options;
    this.target = null; // {wall, source, tileEl} being steered
    this.held = new Map(); // what is held ('key:ArrowLeft', 'button:left', …) -> [pan, tilt, zoom]
    this.stick = [0, 0, 0]; // the gamepad's
    this.sent = [0, 0, 0]; // the last move sent (0,0,0: stopped)
    this.renewTimer = null;
    this.overlay = null;
    this.build();
    client.on('data', ({ source }) => { if (source === this.target?.source) this.render(); });
    // Another operator steering the camera (ptz.held): "steered by NAME".
    client.on('ptz.held', ({ source }) => { if (source === this.target?.source) this.render(); });
    document.addEventListener('keydown', (e) => this.key(e, true));
    document.addEventListener('keyup', (e) => this.key(e, false));
    window.addEventListener('blur', () => this.releaseAll());
    document.addEventListener('visibilitychange', () => { if (document.hidden) this.releaseAll(); });
    window.addEventListener('gamepadconnected', () => this.pollGamepad());
  }

  build() {
    const title = element('h3', 'ptz-title');
    const note = element('p', 'hint ptz-note');
    const pad = element('div', 'ptz-pad');
    const button = (name, cls, vector) => {
      const b = element('button', `ptz-button ${cls}`);
      b.type = 'button';
      b.dataset.ptz = name;
      b.dataset.i18nTitle = `ptz.${name}`;
      b.title = t(`ptz.${name}`);
      b.setAttribute('aria-label', t(`ptz.${name}`));
      b.textContent = { left: '◀', right: '▶', up: '▲', down: '▼', zoom_in: '+', zoom_out: '−' }[name];
      const press = (event) => {
        event.preventDefault();
        b.setPointerCapture?.(event.pointerId);
        this.hold(`button:${name}`, vector);
      };
      const release = () => this.release(`button:${name}`);
      b.addEventListener('pointerdown', press);
      b.addEventListener('pointerup', release);
      b.addEventListener('pointercancel', release);
      b.addEventListener('lostpointercapture', release);
      return b;
    };
    this.buttons = [
      button('up', 'ptz-up', [0, 1, 0]), button('left', 'ptz-left', [-1, 0, 0]),
      button('right', 'ptz-right', [1, 0, 0]), button('down', 'ptz-down', [0, -1, 0]),
      button('zoom_in', 'ptz-zoom-in', [0, 0, 1]), button('zoom_out', 'ptz-zoom-out', [0, 0, -1]),
    ];
    pad.append(...this.buttons);
    const speedLabel = element('label', 'ptz-speed');
    const speedText = element('span', null, t('ptz.speed'));
    speedText.dataset.i18n = 'ptz.speed';
    this.speed = element('input');
    Object.assign(this.speed, { type: 'range', min: '0.1', max: '1', step: '0.1', value: '0.5', id: 'ptz-speed' });
    this.speed.addEventListener('input', () => this.update()); // a held move takes the new speed
    speedLabel.append(speedText, this.speed);
    this.presetSelect = element('select', 'ptz-presets');
    this.presetSelect.id = 'ptz-presets';
    this.presetSelect.setAttribute('aria-label', t('ptz.presets'));
    this.gotoButton = this.actionButton('ptz.goto', () => this.gotoPreset());
    this.refreshButton = this.actionButton('ptz.refresh', () => this.loadPresets());
    this.presetName = element('input');
    Object.assign(this.presetName, { type: 'text', maxLength: 64, id: 'ptz-preset-name', placeholder: t('ptz.preset_name') });
    this.presetName.dataset.i18nPlaceholder = 'ptz.preset_name';
    this.saveButton = this.actionButton('ptz.save', () => this.savePreset());
    const presets = element('div', 'ptz-preset-row');
    presets.append(this.presetSelect, this.gotoButton, this.refreshButton);
    const save = element('div', 'ptz-preset-row');
    save.append(this.presetName, this.saveButton);
    this.hint = element('p', 'hint ptz-hint');
    this.title = title;
    this.note = note;
    this.el.replaceChildren(title, note, pad, speedLabel, presets, save, this.hint);
    this.el.hidden = true;
  }

  actionButton(key, fn) {
    const b = element('button', null, t(key));
    b.type = 'button';
    b.dataset.i18n = key;
    b.addEventListener('click', fn);
    return b;
  }

  // The abilities of the selected tile's camera, or null.
  abilities(sourceId) {
    const ptz = this.client.state.data.get(sourceId)?.data?.ptz;
    return ptz && typeof ptz === 'object' ? ptz : null;
  }

  // After a change of selection, wall, role or the camera's data.
  render() {
    const sel = this.options.selection();
    const ptz = sel?.sourceId ? this.abilities(sel.sourceId) : null;
    const next = ptz ? { wall: this.options.wallId(), source: sel.sourceId, tileEl: sel.tileEl } : null;
    if (this.target && (!next || next.source !== this.target.source || next.wall !== this.target.wall)) {
      this.releaseAll();
    }
    const changed = next?.source !== this.target?.source;
    this.target = next;
    this.el.hidden = !next;
    this.el.dataset.source = next?.source ?? '';
    this.setOverlay(next && ptz.available && ptz.relative ? next.tileEl : null);
    if (!next) return;
    const name = this.client.state.sources.get(next.source)?.name ?? next.source;
    this.title.textContent = t('ptz.title', { camera: name });
    const reason = this.reason(ptz);
    const other = this.heldByOther();
    const note = reason || (other ? t('ptz.steered_by_takeover', { name: other }) : '');
    this.note.textContent = note;
    this.note.hidden = !note;
    this.el.dataset.steeredBy = other ?? '';
    for (const el of [...this.buttons, this.gotoButton, this.refreshButton, this.saveButton, this.speed, this.presetSelect, this.presetName]) {
      gate(el, reason);
    }
    if (!ptz.zoom) for (const b of this.buttons.slice(4)) gate(b, reason || t('ptz.no_zoom'));
    this.hint.textContent = ptz.available ? t(ptz.relative ? 'ptz.hint_relative' : 'ptz.hint') : '';
    if (changed && !reason) this.loadPresets();
  }

  // Why this connection may not steer the camera, or ''. Another operator
  // holding it is a reason, except for an admin (who may take it over).
  reason(ptz) {
    if (!ptz.available) return t('ptz.unavailable', { reason: ptz.reason ?? '' });
    const role = this.options.role.reasonFor('operate', this.target.wall);
    if (role) return role;
    const other = this.heldByOther();
    return other && this.options.role.me?.role !== 'admin' ? t('ptz.steered_by', { name: other }) : '';
  }

  // The name of whoever else steers the target camera now, or null.
  heldByOther() {
    const held = this.target && this.client.state.ptzHeld?.get(this.target.source);
    return held && !held.mine ? held.by : null;
  }

  mayMove() {
    const ptz = this.target && this.abilities(this.target.source);
    return Boolean(ptz && !this.reason(ptz));
  }

  // ---- continuous moves ----

  hold(what, vector) {
    if (!this.mayMove()) return;
    this.held.set(what, vector);
    this.update();
  }

  release(what) {
    if (this.held.delete(what)) this.update();
  }

  // Stops everything held (blur, hidden page, another selection).
  releaseAll() {
    this.held.clear();
    this.stick = [0, 0, 0];
    this.update();
  }

  key(event, down) {
    const dir = KEY_DIRECTIONS[event.key];
    const zoom = event.key === '+' || event.key === '=' ? 1 : event.key === '-' ? -1 : 0;
    if (!dir && !zoom) return;
    if (down && (event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target))) return;
    const what = `key:${event.key}`;
    if (!down) {
      this.release(what);
      return;
    }
    if (!this.mayMove()) return;
    event.preventDefault();
    if (!event.repeat) this.hold(what, dir ? [dir[0], dir[1], 0] : [0, 0, zoom]);
  }

  // The speeds wanted now: held directions at the speed setting, plus the stick.
  vector() {
    const speed = Number(this.speed.value) || 0.5;
    const v = [0, 0, 0];
    for (const held of this.held.values()) for (let i = 0; i < 3; i++) v[i] += held[i] * speed;
    for (let i = 0; i < 3; i++) v[i] = round(Math.max(-1, Math.min(1, v[i] + this.stick[i])));
    return v;
  }

  update() {
    const v = this.vector();
    const moving = v.some((x) => x !== 0);
    const wasMoving = this.sent.some((x) => x !== 0);
    if (v.every((x, i) => x === this.sent[i])) return;
    this.sent = v;
    clearInterval(this.renewTimer);
    this.renewTimer = null;
    if (moving) {
      this.send('ptz.move', { pan: v[0], tilt: v[1], zoom: v[2] });
      this.renewTimer = setInterval(() => this.send('ptz.move', { pan: this.sent[0], tilt: this.sent[1], zoom: this.sent[2] }), RENEW_MS);
    } else if (wasMoving) {
      this.send('ptz.stop');
    }
  }

  forgetMove() {
    clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.held.clear();
    this.stick = [0, 0, 0];
    this.sent = [0, 0, 0];
  }

  // Reads the first gamepad every 100 ms while one is connected: left stick
  // pans and tilts, right stick up and down zooms, each by deflection.
  pollGamepad() {
    if (this.polling) return;
    this.polling = true;
    let last = 0;
    const frame = (now) => {
      const pad = [...(navigator.getGamepads?.() ?? [])].find(Boolean);
      if (!pad) {
        this.polling = false;
        return;
      }
      if (now - last < GAMEPAD_POLL_MS) {
        requestAnimationFrame(frame);
        return;
      }
      last = now;
      const axis = (i) => {
        const a = pad.axes[i] ?? 0;
        return Math.abs(a) < GAMEPAD_DEAD_ZONE ? 0 : round(a);
      };
      const stick = this.mayMove() ? [axis(0), -axis(1), -axis(3)] : [0, 0, 0];
      if (stick.some((x, i) => x !== this.stick[i])) {
        this.stick = stick;
        this.update();
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  // ---- requests ----

  async send(action, args, target = this.target) {
    if (!target) return null;
    try {
      return await this.client.request('camera.ptz', {
        wall: target.wall, source: target.source, action, ...(args ? { args } : {}),
      });
    } catch (err) {
      // Another operator holds the camera: nothing of ours moves it, so
      // there is nothing to stop on release either.
      if (err.code === 'busy' && (action === 'ptz.move' || action === 'ptz.stop')) this.forgetMove();
      this.options.messages.error(err, t('ptz.do', { action }));
      return null;
    }
  }

  async loadPresets() {
    const reply = await this.send('ptz.presets');
    const list = reply?.presets ?? [];
    this.presetSelect.replaceChildren(...list.map((p) => {
      const option = element('option', null, p.name || p.token);
      option.value = p.token;
      return option;
    }));
  }

  async gotoPreset() {
    const preset = this.presetSelect.value;
    if (preset) await this.send('ptz.goto', { preset });
  }

  async savePreset() {
    const name = this.presetName.value.trim();
    if (!name) return;
    const reply = await this.send('ptz.save', { name });
    if (!reply) return;
    this.presetName.value = '';
    this.options.messages.notice(t('ptz.saved', { name }));
    await this.loadPresets();
  }

  // ---- click to centre, drag a box to zoom ----

  setOverlay(tileEl) {
    if (this.overlay?.parentElement === tileEl) return;
    this.overlay?.remove();
    this.overlay = null;
    if (!tileEl) return;
    const overlay = element('div', 'ptz-aim');
    overlay.title = t('ptz.aim');
    overlay.dataset.i18nTitle = 'ptz.aim';
    const box = element('div', 'ptz-box');
    box.hidden = true;
    overlay.append(box);
    let start = null;
    const at = (event) => {
      const r = overlay.getBoundingClientRect();
      return [(event.clientX - r.left) / r.width, (event.clientY - r.top) / r.height];
    };
    overlay.addEventListener('pointerdown', (event) => {
      event.stopPropagation(); // not a drag of the tile
      event.preventDefault();
      if (!this.mayMove()) return;
      overlay.setPointerCapture?.(event.pointerId);
      start = at(event);
    });
    overlay.addEventListener('mousedown', (event) => event.stopPropagation());
    overlay.addEventListener('pointermove', (event) => {
      if (!start) return;
      const [x, y] = at(event);
      Object.assign(box.style, {
        left: `${Math.min(x, start[0]) * 100}%`, top: `${Math.min(y, start[1]) * 100}%`,
        width: `${Math.abs(x - start[0]) * 100}%`, height: `${Math.abs(y - start[1]) * 100}%`,
      });
      box.hidden = false;
    });
    let clickTimer = null;
    overlay.addEventListener('pointerup', (event) => {
      if (!start) return;
      const end = at(event);
      const from = start;
      start = null;
      box.hidden = true;
      clearTimeout(clickTimer);
      const isClick = Math.max(Math.abs(end[0] - from[0]), Math.abs(end[1] - from[1])) <= 0.05;
      if (!isClick) {
        this.aim(from, end);
        return;
      }
      clickTimer = setTimeout(() => this.aim(from, end), CLICK_WAIT_MS);
    });
    overlay.addEventListener('dblclick', () => clearTimeout(clickTimer));
    tileEl.append(overlay);
    this.overlay = overlay;
  }

  // A click (from ≈ to) centres there; a box also zooms so that it fills the
  // picture. Coordinates are 0..1 of the picture, y down.
  aim(from, to) {
    const cx = (from[0] + to[0]) / 2;
    const cy = (from[1] + to[1]) / 2;
    const size = Math.max(Math.abs(to[0] - from[0]), Math.abs(to[1] - from[1]));
    const clamp = (v) => round(Math.max(-1, Math.min(1, v)));
    const args = { pan: clamp((cx - 0.5) * FIELD_OF_VIEW), tilt: clamp((0.5 - cy) * FIELD_OF_VIEW) };
    if (size > 0.05) args.zoom = clamp((1 - size) * 0.5);
    return this.send('ptz.relative', args);
  }
}
