// Clock widget: a large HH:MM (or HH:MM:SS), the label and the date, in the
// source's time zone.
//
// The time comes from the server (data.time_ms, every second) plus the time
// elapsed locally since that message arrived, measured on the monotonic
// performance clock. The wall PC's own calendar clock is never read, so a
// wall with a wrong clock still shows the right time.
//
// The date is in the page's language (Intl, through the widget kit):
// "Thursday, December 3, 2026" / "Kamis, 3 Desember 2026".
import { formatDate, onLanguageChange } from '/static/js/widget-kit.js';

const STYLESHEET = new URL('clock.css', import.meta.url).href;

function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.append(link);
}

function part(className, text = '') {
  const el = document.createElement('div');
  el.className = className;
  el.textContent = text;
  return el;
}

const pad = (n) => String(n).padStart(2, '0');

// Wall-clock fields of `ms` in a zone `offsetMinutes` east of UTC: shift the
// instant, then read it as UTC.
function zonedDate(ms, offsetMinutes) {
  return new Date(ms + offsetMinutes * 60000);
}

function formatTime(date, withSeconds) {
  const hhmm = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  return withSeconds ? `${hhmm}:${pad(date.getUTCSeconds())}` : hhmm;
}

const DATE_OPTIONS = { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };

export function mount(element, source) {
  ensureStylesheet();
  const settings = source.settings || {};
  const root = part('pantau-clock');
  const face = part('clock-face');
  const time = part('clock-time', '--:--');
  const side = part('clock-side');
  const label = part('clock-label', settings.label || '');
  const date = part('clock-date');
  side.append(label, date);
  face.append(time, side);
  root.append(face);
  element.append(root);

  let sync = null; // { serverMs, localMs, offset, seconds } from the latest data
  let timer = 0;
  const offLanguage = onLanguageChange(() => { if (sync) draw(); });

  function now() {
    return sync.serverMs + (performance.now() - sync.localMs);
  }

  function draw() {
    const zoned = zonedDate(now(), sync.offset);
    const text = formatTime(zoned, sync.seconds);
    root.dataset.time = text.slice(0, 5);
    root.classList.toggle('with-seconds', sync.seconds);
    if (time.textContent !== text) time.textContent = text;
    const day = formatDate(zoned, DATE_OPTIONS);
    if (date.textContent !== day) date.textContent = day;
  }

  // Redraws just after the next whole second, so the minute turns on time.
  function tick() {
    draw();
    const msIntoSecond = ((now() % 1000) + 1000) % 1000;
    timer = setTimeout(tick, 1000 - msIntoSecond + 5);
  }

  return {
    update(data) {
      if (!data || typeof data.time_ms !== 'number') return;
      sync = {
        serverMs: data.time_ms,
        localMs: performance.now(),
        offset: Number(data.utc_offset_minutes) || 0,
        seconds: data.show_seconds ?? Boolean(settings.show_seconds),
      };
      if (typeof data.label === 'string') label.textContent = data.label;
      clearTimeout(timer);
      tick();
    },
    destroy() {
      offLanguage();
      clearTimeout(timer);
      root.remove();
    },
  };
}
