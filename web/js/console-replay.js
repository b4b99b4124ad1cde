// The console's replay panel (issue 16, docs/web.md "Replay", docs/replay.md):
// for the selected tile (or the full-screen camera) when it shows a camera
// and this login has the playback permission. Jump back 15 s, 1 min or
// 5 min, scrub a timeline over what is kept (recording.span), play at 1×,
// 2× or 4×, pause, step a frame while paused, and go back to live (the
// button, or the L key). The replay is the wall's state: every client of
// the wall shows it (docs/protocol.md "Replay"). Export clip downloads an
// MP4 of the camera between two times (GET /export.mp4).
//
// The panel reads the tile's `replay` from the layout and the position
// shown from the replay frames' times (the console's own views subscribe
// to the replay stream; the panel only listens).

import { element } from './layout-render.js';
import { frameTimeMs, replayKey } from './connection.js';
import { formatClockSeconds } from './replay-badge.js';
import { gate, rightsOf } from './roles.js';
import { t } from './i18n.js';

const JUMPS = [['15s', 15000], ['1min', 60000], ['5min', 300000]];
const RATES = [1, 2, 4];
const SPAN_EVERY_MS = 5000;
const TICK_MS = 1000;
const EXPORT_DEFAULT_MS = 60000;

const isTyping = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

// "2026-12-03T06:41:12" for a datetime-local input, in local time.
export function localInputValue(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// The export URL of a camera's clip between two times (ms since the epoch).
export function exportUrl(source, fromMs, toMs) {
  const q = new URLSearchParams({ source, from: String(Math.round(fromMs)), to: String(Math.round(toMs)) });
  return `/export.mp4?${q}`;
}

export class ReplayPanel {
  // options: role, messages, wallId(), selection() -> {tileId, sourceId}
  // or null, onReply(reply) (the console keeps the wall version replies bring).
  constructor(el, client, options) {
    this.el = el;
    this.client = client;
    this.options = options;
    this.target = null; // {wall, tile, source}
    this.replay = null; // the target tile's replay, or null: live
    this.span = null; // {oldest_ms, newest_ms, gaps} of the target's camera
    this.position = 0; // the time of the last replay frame (ms), 0 before one
    this.scrubbing = false;
    this.offMedia = () => {};
    this.serverSays = null; // playback permission as recording.span answered: true, false, null unknown
    client.on('snapshot', () => { this.serverSays = null; }); // a reconnect may be another login
    this.build();
    document.addEventListener('keydown', (event) => this.key(event));
    setInterval(() => this.tick(), TICK_MS);
    setInterval(() => this.loadSpan(), SPAN_EVERY_MS);
  }

  button(cls, key, fn, titleKey = null) {
    const b = element('button', cls, t(key));
    b.type = 'button';
    b.dataset.i18n = key;
    if (titleKey) {
      b.dataset.i18nTitle = titleKey;
      b.title = t(titleKey);
    }
    b.addEventListener('click', fn);
    return b;
  }

  build() {
    this.title = element('h3', 'replay-title');
    this.state = element('p', 'replay-state');
    this.note = element('p', 'hint replay-note');
    const jumps = element('div', 'replay-row replay-jumps');
    this.jumpButtons = JUMPS.map(([name, ms]) => {
      const b = this.button('replay-back', `replay.back.${name}`, () => this.back(ms), `replay.back.${name}.title`);
      b.dataset.backMs = String(ms);
      return b;
    });
    jumps.append(...this.jumpButtons);
    this.track = element('div', 'replay-track');
    this.scrubber = element('input', 'replay-scrubber');
    Object.assign(this.scrubber, { type: 'range', id: 'replay-scrubber', min: '0', max: '1', step: '1000', value: '0' });
    this.scrubber.setAttribute('aria-label', t('replay.timeline'));
    this.scrubber.dataset.i18nAriaLabel = 'replay.timeline';
    this.scrubber.addEventListener('input', () => { this.scrubbing = true; this.drawTimeline(); });
    this.scrubber.addEventListener('change', () => { this.scrubbing = false; this.seek(Number(this.scrubber.value)); });
    this.track.append(this.scrubber);
    this.kept = element('p', 'hint replay-kept');
    const play = element('div', 'replay-row replay-play');
    this.playButton = this.button('replay-toggle', 'replay.pause', () => this.togglePause());
    this.rateButtons = RATES.map((rate) => {
      const b = element('button', 'replay-rate', `${rate}×`);
      b.type = 'button';
      b.dataset.rate = String(rate);
      b.dataset.i18nTitle = `replay.rate.${rate}`;
      b.title = t(`replay.rate.${rate}`);
      b.addEventListener('click', () => this.setRate(rate));
      return b;
    });
    this.stepButton = this.button('replay-step', 'replay.step', () => this.control({ action: 'step' }), 'replay.step.title');
    play.append(this.playButton, ...this.rateButtons, this.stepButton);
    this.liveButton = this.button('replay-live', 'replay.live', () => this.stop(), 'replay.live.title');
    this.exportBox = this.buildExport();
    this.el.replaceChildren(this.title, this.state, this.note, jumps, this.track, this.kept, play, this.liveButton, this.exportBox);
    this.el.hidden = true;
  }

  buildExport() {
    const box = element('details', 'replay-export');
    const summary = element('summary', null, t('replay.export'));
    summary.dataset.i18n = 'replay.export';
    const field = (key, id) => {
      const label = element('label', 'replay-export-field');
      const text = element('span', null, t(key));
      text.dataset.i18n = key;
      const input = element('input');
      Object.assign(input, { type: 'datetime-local', step: '1', id });
      label.append(text, input);
      return [label, input];
    };
    const [fromLabel, from] = field('replay.export.from', 'replay-export-from');
    const [toLabel, to] = field('replay.export.to', 'replay-export-to');
    this.exportFrom = from;
    this.exportTo = to;
    this.exportButton = this.button('replay-export-download', 'replay.export.download', () => this.exportClip());
    box.append(summary, fromLabel, toLabel, this.exportButton);
    return box;
  }

  // ---- what the panel shows ----

  // After a change of selection, wall, role or the wall's layout.
  render() {
    const sel = this.options.selection();
    const source = sel?.sourceId ? this.client.state.sources.get(sel.sourceId) : null;
    const wallId = this.options.wallId();
    const may = this.mayPlayback();
    const camera = source?.kind === 'camera' && this.options.role.me;
    const next = camera && may !== false ? { wall: wallId, tile: sel.tileId, source: source.id } : null;
    const moved = next?.source !== this.target?.source || next?.tile !== this.target?.tile || next?.wall !== this.target?.wall;
    this.target = next;
    // Shown once the permission is known: a viewer never sees it flash.
    this.el.hidden = !next || may !== true;
    this.el.dataset.playback = may === null ? '' : String(may);
    this.el.dataset.source = next?.source ?? '';
    this.el.dataset.tile = next?.tile ?? '';
    if (!next) {
      this.follow(null);
      return;
    }
    const wall = this.client.state.walls.get(wallId);
    const tile = wall?.layout.tiles.find((x) => x.id === next.tile);
    this.follow(tile?.replay?.id ? tile.replay : null);
    this.title.textContent = t('replay.title', { camera: source.name || source.id });
    if (moved) {
      this.span = null;
      this.fillExport();
      this.loadSpan();
    } else if (may === null && !this.probing) {
      this.loadSpan(); // after a reconnect: ask again at once
    }
    this.gateControls();
    this.drawTimeline();
  }

  // Whether this login has the playback permission: what auth.whoami says
  // when it says it (`permissions`, `playback`), else what the server
  // answered recording.span (forbidden or not: that follows
  // auth.playback_roles); null until known.
  mayPlayback() {
    const me = this.options.role.me;
    if (!me) return null;
    if (Array.isArray(me.permissions) || typeof me.playback === 'boolean') return rightsOf(me).includes('playback');
    return this.serverSays;
  }

  // Why this login may not replay on the target's wall (its `walls`), or ''.
  wallReason() {
    const me = this.options.role.me;
    const wall = this.target?.wall;
    return wall && Array.isArray(me?.walls) && !me.walls.includes(wall) ? t('role.cannot.this_wall', { wall }) : '';
  }

  // Follows the replay shown on the target tile (its frames' times).
  follow(replay) {
    if (replay?.id !== this.replay?.id) {
      this.offMedia();
      this.offMedia = () => {};
      this.position = 0;
      if (replay) {
        this.offMedia = this.client.onMedia(replayKey(replay.id), (frame) => {
          this.position = frameTimeMs(frame);
        });
      }
    } else if (replay && replay.at_ms !== this.replay?.at_ms) {
      this.position = 0; // a seek: the next frame says where
    }
    this.replay = replay;
    this.el.dataset.replay = replay?.id ?? '';
  }

  // The position shown: the last frame's time, else the moment asked for.
  at() {
    return this.position || this.replay?.at_ms || 0;
  }

  gateControls() {
    const wallReason = this.wallReason();
    this.note.textContent = wallReason;
    this.note.hidden = !wallReason;
    const inReplay = Boolean(this.replay);
    const paused = Boolean(this.replay?.paused);
    for (const b of this.jumpButtons) gate(b, wallReason || this.notKept(Number(b.dataset.backMs)));
    gate(this.scrubber, wallReason || (this.span ? '' : t('replay.nothing_kept')));
    gate(this.playButton, wallReason, inReplay);
    for (const b of this.rateButtons) {
      gate(b, wallReason, inReplay);
      b.setAttribute('aria-pressed', String(inReplay && (this.replay.rate ?? 1) === Number(b.dataset.rate)));
    }
    gate(this.stepButton, wallReason, inReplay && paused);
    gate(this.liveButton, wallReason, inReplay);
    this.playButton.dataset.i18n = paused ? 'replay.play' : 'replay.pause';
    this.playButton.textContent = t(this.playButton.dataset.i18n);
    this.drawState();
  }

  // Live, a jump back before the oldest moment kept would be refused: why
  // the button is disabled, or ''. (In replay a jump stops at the oldest.)
  notKept(ms) {
    if (this.replay || !this.span) return '';
    return Date.now() - ms < this.span.oldest_ms ? t('replay.back.not_kept', { time: formatClockSeconds(this.span.oldest_ms) }) : '';
  }

  drawState() {
    let text = t('replay.status.live');
    if (this.replay) {
      const at = this.at();
      text = t(this.replay.paused ? 'replay.status.paused' : 'replay.status.playing', {
        time: at ? formatClockSeconds(at) : '…', rate: this.replay.rate ?? 1, by: this.replay.by ?? '',
      });
    }
    if (this.state.textContent !== text) this.state.textContent = text;
    this.state.dataset.mode = this.replay ? 'replay' : 'live';
  }

  // The scrubber over what is kept, gaps darker; its thumb at the position.
  drawTimeline() {
    const span = this.span;
    if (!span) {
      this.kept.textContent = this.target ? t('replay.nothing_kept') : '';
      this.track.style.removeProperty('--replay-gaps');
      return;
    }
    const { oldest_ms: from, newest_ms: to } = span;
    this.scrubber.min = String(from);
    this.scrubber.max = String(to);
    if (!this.scrubbing) this.scrubber.value = String(this.replay ? this.at() : to);
    const shown = this.scrubbing ? Number(this.scrubber.value) : this.replay ? this.at() : to;
    this.kept.textContent = t('replay.kept', { from: formatClockSeconds(from), to: formatClockSeconds(to), at: formatClockSeconds(shown) });
    const length = Math.max(1, to - from);
    const stops = (span.gaps || []).map(([a, b]) => {
      const p = (x) => `${(Math.min(Math.max(x - from, 0), length) / length) * 100}%`;
      return `transparent ${p(a)}, var(--replay-gap) ${p(a)}, var(--replay-gap) ${p(b)}, transparent ${p(b)}`;
    });
    this.track.style.setProperty('--replay-gaps', stops.length ? `linear-gradient(to right, ${stops.join(', ')})` : 'none');
  }

  tick() {
    if (!this.target) return;
    const wallReason = this.wallReason();
    for (const b of this.jumpButtons) gate(b, wallReason || this.notKept(Number(b.dataset.backMs)));
    this.drawState();
    this.drawTimeline();
  }

  async loadSpan() {
    const target = this.target;
    if (!target) return;
    const knew = this.serverSays;
    this.probing = knew === null;
    try {
      const span = await this.client.request('recording.span', { source: target.source });
      this.serverSays = true;
      if (target !== this.target) return;
      const kept = Number.isFinite(span?.oldest_ms) && Number.isFinite(span?.newest_ms) && span.newest_ms > span.oldest_ms;
      this.span = kept ? span : null;
    } catch (err) {
      if (err.code === 'forbidden') this.serverSays = false;
      else if (err.code !== 'disconnected' && err.code !== 'not_found') console.warn('pantau: recording.span', err);
      if (target !== this.target) return;
      this.span = null;
    } finally {
      this.probing = false;
    }
    if (this.serverSays !== knew) {
      this.render(); // the permission is known now: show the panel, or not
      return;
    }
    this.gateControls();
    this.drawTimeline();
  }

  // ---- requests ----

  async send(op, fields, what) {
    const target = this.target;
    if (!target) return null;
    try {
      const reply = await this.client.request(op, { wall: target.wall, tile: target.tile, ...fields });
      this.options.onReply?.(target.wall, reply);
      return reply;
    } catch (err) {
      this.options.messages.error(err, t('replay.do', { action: what }));
      return null;
    }
  }

  // In replay: that much before the position shown; live: before now.
  back(ms) {
    if (!this.replay) return this.send('replay.start', { back_ms: ms }, 'replay.start');
    const oldest = this.span?.oldest_ms ?? 0;
    return this.control({ action: 'seek', at_ms: Math.max(oldest, Math.round(this.at() - ms)) });
  }

  seek(atMs) {
    if (!Number.isFinite(atMs)) return null;
    if (!this.replay) return this.send('replay.start', { at_ms: Math.round(atMs) }, 'replay.start');
    return this.control({ action: 'seek', at_ms: Math.round(atMs) });
  }

  control(fields) {
    return this.send('replay.control', fields, `replay.control ${fields.action}`);
  }

  togglePause() {
    if (!this.replay) return null;
    return this.control({ action: this.replay.paused ? 'play' : 'pause' });
  }

  // A speed; choosing one while paused plays at it.
  async setRate(rate) {
    if (!this.replay) return;
    const paused = this.replay.paused;
    if (await this.control({ action: 'rate', rate }) && paused) await this.control({ action: 'play' });
  }

  stop() {
    if (!this.replay) return null;
    return this.send('replay.stop', {}, 'replay.stop');
  }

  // L goes back to live (docs/web.md): Escape already leaves full screen.
  key(event) {
    if (event.key !== 'l' && event.key !== 'L') return;
    if (event.repeat || event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target)) return;
    if (!this.target || !this.replay || this.liveButton.disabled) return;
    event.preventDefault();
    this.stop();
  }

  // ---- export ----

  fillExport() {
    const end = this.replay ? this.at() : Date.now();
    this.exportFrom.value = localInputValue(end - EXPORT_DEFAULT_MS);
    this.exportTo.value = localInputValue(end);
  }

  exportClip() {
    const from = new Date(this.exportFrom.value).getTime();
    const to = new Date(this.exportTo.value).getTime();
    if (!this.target) return;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      this.options.messages.error({ code: 'bad_request', message: t('replay.export.bad_range') }, t('replay.export'));
      return;
    }
    const link = element('a');
    link.href = exportUrl(this.target.source, from, to);
    link.download = '';
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    this.options.messages.notice(t('replay.export.started', { from: formatClockSeconds(from), to: formatClockSeconds(to) }));
  }
}
