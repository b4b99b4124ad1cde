// The alarm list as the server keeps it (docs/protocol.md, "Alarms"): the
// snapshot's `alarms`, then one `alarm` event per change. Shared by the
// console's alarm panel and the wall's banner.
//
// The Connection knows nothing of alarms, so the feed looks at the messages
// before the Connection handles them. Create it before client.start().
//
// The alarm texts in English and Bahasa Indonesia follow the page's
// language (i18n.js); at() reads them, onLanguageChange() redraws.

import { language } from './i18n.js';

export const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 };

const TEXTS = {
  en: {
    title: 'Alarms', recent: 'Recent', summary: '{unacked} unacknowledged · {open} open', none_open: 'none open',
    empty: 'No alarms.', ack: 'Acknowledge', show: 'Show on wall', by: 'by {user}', on: 'on {walls}',
    acked_notice: 'Alarm acknowledged.', shown_notice: '{source} is on the wall until the alarm is acknowledged.',
    ack_what: 'Acknowledging the alarm', show_what: 'Showing the alarm', more: '+{n} more',
    'state.active': 'active', 'state.acknowledged': 'acknowledged', 'state.cleared': 'cleared',
    'severity.info': 'info', 'severity.warning': 'warning', 'severity.critical': 'critical',
    s: 's', min: 'min', h: 'h', d: 'd',
  },
  id: {
    title: 'Alarm', recent: 'Terbaru', summary: '{unacked} belum dikonfirmasi · {open} terbuka',
    none_open: 'tidak ada yang terbuka', empty: 'Tidak ada alarm.', ack: 'Konfirmasi', show: 'Tampilkan di dinding',
    by: 'oleh {user}', on: 'di {walls}', acked_notice: 'Alarm dikonfirmasi.',
    shown_notice: '{source} tampil di dinding sampai alarm dikonfirmasi.', ack_what: 'Mengonfirmasi alarm',
    show_what: 'Menampilkan alarm', more: '+{n} lagi',
    'state.active': 'aktif', 'state.acknowledged': 'dikonfirmasi', 'state.cleared': 'selesai',
    'severity.info': 'info', 'severity.warning': 'peringatan', 'severity.critical': 'kritis',
    s: 'dtk', min: 'mnt', h: 'j', d: 'hr',
    // The plugins' alarm conditions in words (the server's message is English).
    'condition.check': "Layanan '{name}' mati", 'condition.threshold.cpu_percent': 'CPU di atas ambang',
    'condition.threshold.mem_percent': 'Memori di atas ambang', 'condition.threshold.load1': 'Beban di atas ambang',
    'condition.threshold.disk': 'Disk {path} hampir penuh',
    'condition.threshold.metric': 'Metrik {name} di atas ambang', 'condition.ups.on_battery': 'UPS memakai baterai',
    'condition.ups.low_battery': 'Baterai UPS lemah', 'condition.traffic.jammed': 'Macet di {corridor}',
    'condition.services.overdue': 'Tiket terlambat melewati batas',
  },
};

// An alarm condition code (docs/plugins.md) as a key of TEXTS and its values.
const CONDITIONS = [
  [/^check:(.+):down$/, (m) => ['condition.check', { name: m[1] }]],
  [/^threshold:disk_percent:(.+)$/, (m) => ['condition.threshold.disk', { path: m[1] }]],
  [/^threshold:metric:([^:]+):/, (m) => ['condition.threshold.metric', { name: m[1] }]],
  [/^threshold:(cpu_percent|mem_percent|load1)$/, (m) => [`condition.threshold.${m[1]}`, {}]],
  [/^ups:(on_battery|low_battery)$/, (m) => [`condition.ups.${m[1]}`, {}]],
  [/^traffic\.jammed\.(.+)$/, (m) => ['condition.traffic.jammed', { corridor: m[1] }]],
  [/^services\.overdue$/, () => ['condition.services.overdue', {}]],
];

// What an alarm says, in the page's language: the server's message where
// the language has no words for its condition (always in English, whose
// messages carry the figures), else the condition in words. lang: 'en'
// when the text is the server's own (mark the element with it).
export function alarmText(alarm) {
  const key = language() !== 'en' && CONDITIONS.map(([re, fn]) => {
    const m = re.exec(alarm.condition || '');
    return m && fn(m);
  }).find(Boolean);
  if (key && TEXTS[language()][key[0]]) return { text: at(key[0], key[1]), lang: null };
  return { text: alarm.message || '', lang: 'en' };
}

// The alarm text of key in the page's language, {name} filled from values.
export function at(key, values = {}) {
  const text = TEXTS[language()]?.[key] ?? TEXTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export class AlarmFeed {
  constructor(client) {
    this.alarms = new Map(); // id -> alarm
    this.listeners = new Set();
    const handleEvent = client.handleEvent.bind(client);
    client.handleEvent = (message) => {
      if (message.ev === 'snapshot') this.replace(message.alarms || []);
      else if (message.ev === 'alarm' && message.alarm) this.update(message.alarm);
      return handleEvent(message);
    };
  }

  // Calls callback(feed) after every change. Returns an unsubscribe function.
  on(callback) {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  replace(list) {
    this.alarms = new Map(list.map((alarm) => [alarm.id, alarm]));
    this.emit();
  }

  update(alarm) {
    this.alarms.set(alarm.id, alarm);
    this.emit();
  }

  emit() {
    for (const callback of this.listeners) {
      try {
        callback(this);
      } catch (err) {
        console.error('pantau: alarm listener failed', err);
      }
    }
  }

  // Alarms not yet cleared: most severe first, then newest.
  open() {
    return [...this.alarms.values()].filter((a) => a.state !== 'cleared').sort(byUrgency);
  }

  // Cleared alarms, most recently cleared first, at most `max`.
  recent(max = 20) {
    return [...this.alarms.values()].filter((a) => a.state === 'cleared')
      .sort((a, b) => (b.cleared_time ?? 0) - (a.cleared_time ?? 0)).slice(0, max);
  }
}

// Unacknowledged before acknowledged, then most severe, then newest.
export function byUrgency(a, b) {
  const acked = Number(a.state === 'acknowledged') - Number(b.state === 'acknowledged');
  if (acked) return acked;
  const severity = (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0);
  return severity || b.time - a.time;
}

// "42 s", "5 min", "3 h 10 min", "2 d" (in the page's language) for a
// duration in milliseconds.
export function formatAge(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} ${at('s')}`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} ${at('min')}`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} ${at('h')} ${min % 60} ${at('min')}` : `${h} ${at('h')}`;
  return `${Math.floor(h / 24)} ${at('d')}`;
}
