// The badge of a camera tile in replay (issue 16, docs/web.md "Replay"):
// "REPLAY 06:41:12 · 3 min 20 s ago" ("PUTAR ULANG 06.41.12 · 3 mnt 20 dtk
// lalu"), in its own colour (violet: not the alarms' red, not live green),
// the time of the frame shown, updated as frames come and every second
// (the "ago" grows while paused). Before the first frame it says the
// moment asked for (the layout's `at_ms`).

import { language, t } from './i18n.js';

const TICK_MS = 1000;

// "06:41:12" ("06.41.12" in Bahasa Indonesia): a wall-clock time with
// seconds in the page's language, for ms since the epoch.
export function formatClockSeconds(ms) {
  return new Intl.DateTimeFormat(language() === 'id' ? 'id-ID' : 'en-GB',
    { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

// "20 s", "3 min 20 s", "1 h 5 min" ("3 mnt 20 dtk", "1 j 5 mnt"): how far
// back a replay is, to the second below an hour.
export function formatBehind(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const unit = (n, key) => `${n} ${t(`replay.unit.${key}`)}`;
  if (s < 60) return unit(s, 's');
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 ? `${unit(min, 'min')} ${unit(s % 60, 's')}` : unit(min, 'min');
  const h = Math.floor(min / 60);
  return min % 60 ? `${unit(h, 'h')} ${unit(min % 60, 'min')}` : unit(h, 'h');
}

// The badge's words for a frame of time frameMs, seen at `now`.
export function badgeText(frameMs, now = Date.now()) {
  return t('replay.badge', { time: formatClockSeconds(frameMs), behind: formatBehind(now - frameMs) });
}

export class ReplayBadge {
  // Adds the (hidden) badge to a camera tile's root element.
  constructor(root) {
    this.el = document.createElement('div');
    this.el.className = 'replay-badge';
    this.el.hidden = true;
    root.append(this.el);
    this.replay = null;
    this.frameMs = 0; // the time of the last replay frame shown, 0 before one
    this.timer = null;
  }

  // replay: the tile's `replay` object of the layout, or null (live).
  set(replay) {
    const changed = replay?.id !== this.replay?.id || replay?.at_ms !== this.replay?.at_ms;
    this.replay = replay || null;
    if (changed) this.frameMs = 0; // a new replay or a seek: the next frame says where
    this.el.hidden = !replay;
    clearInterval(this.timer);
    this.timer = replay ? setInterval(() => this.draw(), TICK_MS) : null;
    this.draw();
  }

  // A frame of the replay was shown (ms since the epoch).
  frame(ms) {
    if (!this.replay) return;
    const second = Math.floor(ms / 1000) !== Math.floor(this.frameMs / 1000);
    this.frameMs = ms;
    if (second) this.draw();
  }

  // The position shown: the last frame's time, else the moment asked for.
  position() {
    return this.frameMs || this.replay?.at_ms || 0;
  }

  draw() {
    if (!this.replay) return;
    const at = this.position();
    this.el.dataset.replay = this.replay.id;
    this.el.dataset.position = String(at);
    this.el.dataset.paused = String(Boolean(this.replay.paused));
    this.el.dataset.rate = String(this.replay.rate ?? 1);
    const rate = this.replay.paused ? ` · ${t('replay.badge.paused')}` : this.replay.rate > 1 ? ` · ${this.replay.rate}×` : '';
    const text = at ? badgeText(at) + rate : t('replay.badge.word');
    if (this.el.textContent !== text) this.el.textContent = text;
  }

  destroy() {
    clearInterval(this.timer);
    this.el.remove();
  }
}
