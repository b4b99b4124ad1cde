// Data-centre health widget: this host's CPU, memory, load, network and
// disks with small time-series charts (uPlot), the service checks, the UPS
// and scraped Prometheus metrics, in the operators' green / yellow / red.
//
// Every part shows the age of its data; a part whose peer failed keeps its
// last values and shows a "stale" or "error" badge with the reason; when the
// whole source is not live, the widget kit's band says so.
//
// Its words follow the page's language (the table below) and it redraws
// on a switch. The server's reasons for a failed part (a check, the UPS,
// an exporter) are technical details in English: they are shown as they
// come, marked lang="en".

import uPlot from '/vendor/uplot/uPlot.esm.js';
import {
  el, formatAge, formatNumber, isNum, loadStylesheets, onLanguageChange, registerStrings, StateBand,
} from '/static/js/widget-kit.js';

const tr = registerStrings({
  en: {
    title: 'Data centre', cpu: 'CPU', mem: 'Memory', load: 'Load', net: 'Network', cpus: '{count} CPUs', cpus_one: '1 CPU',
    of: '{used} of {total}', services: 'Services', metrics: 'Metrics', host: 'host:', down: 'down',
    updated: 'updated {age} ago', ago: '{age} ago', ups_load: 'load {percent}', ups: 'UPS {name}',
    'state.stale': 'stale', 'state.error': 'error',
    'power.online': 'On line', 'power.on_battery': 'On battery', 'power.low_battery': 'LOW BATTERY', 'power.unknown': 'Unknown',
  },
  id: {
    title: 'Pusat data', cpu: 'CPU', mem: 'Memori', load: 'Beban', net: 'Jaringan', cpus: '{count} CPU', cpus_one: '1 CPU',
    of: '{used} dari {total}', services: 'Layanan', metrics: 'Metrik', host: 'server:', down: 'mati',
    updated: 'diperbarui {age} lalu', ago: '{age} lalu', ups_load: 'beban {percent}', ups: 'UPS {name}',
    'state.stale': 'kedaluwarsa', 'state.error': 'galat',
    'power.online': 'Listrik PLN', 'power.on_battery': 'Pakai baterai', 'power.low_battery': 'BATERAI LEMAH', 'power.unknown': 'Tidak diketahui',
  },
});

// A detail from the server, in English whatever the page's language.
function english(tag, className, text) {
  const node = el(tag, className, text);
  node.lang = 'en';
  return node;
}

const STYLESHEETS = [new URL('dchealth.css', import.meta.url).href, '/vendor/uplot/uPlot.min.css'];
const COLORS = { cpu: '#4fc3f7', mem: '#ba68c8', rx: '#81c784', tx: '#ffb74d' };
const MAX_POINTS = 600;

export function formatBytes(n) {
  if (!isNum(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${fixed(n, n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

// n with exactly digits decimals, in the page's language.
const fixed = (n, digits) => formatNumber(n, { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatBits(bytesPerSecond) {
  if (!isNum(bytesPerSecond)) return '–';
  let n = bytesPerSecond * 8;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${fixed(n, n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatDuration(s) {
  return isNum(s) ? formatAge(s * 1000) : '–';
}

const pct = (v) => (isNum(v) ? `${fixed(v, v >= 99.95 || v < 10 ? 1 : 0)}%` : '–');

function setLevel(node, level) {
  node.dataset.level = level || 'unknown';
}

// A labelled big number: { root, value, sub }.
function stat(name, label) {
  const root = el('div', 'dch-stat');
  root.dataset.part = name;
  const value = el('div', 'dch-stat-value', '–');
  const sub = el('div', 'dch-stat-sub', '');
  root.append(el('div', 'dch-stat-label', label), value, sub);
  return { root, value, sub };
}

// A small uPlot chart that follows its box's size.
class Chart {
  constructor(box, series, { percent = false, format = (v) => String(v) } = {}) {
    this.box = box;
    this.series = series;
    this.plot = null;
    this.data = [[], ...series.map(() => [])];
    this.options = {
      width: 10, height: 10, pxAlign: false,
      legend: { show: false }, cursor: { show: false }, select: { show: false },
      scales: { x: { time: true }, y: percent ? { range: [0, 100] } : { range: (u, min, max) => [0, Math.max(max, 1)] } },
      axes: [
        { stroke: '#8aa0b4', grid: { stroke: 'rgba(255,255,255,0.06)' }, ticks: { show: false }, size: 22, font: '11px sans-serif' },
        { stroke: '#8aa0b4', grid: { stroke: 'rgba(255,255,255,0.08)' }, ticks: { show: false }, size: 46, font: '11px sans-serif', values: (u, vals) => vals.map(format) },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: `${s.color}22`, spanGaps: false, points: { show: false } }))],
    };
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(box);
  }

  size() {
    return { width: Math.max(10, Math.floor(this.box.clientWidth)), height: Math.max(10, Math.floor(this.box.clientHeight)) };
  }

  resize() {
    const { width, height } = this.size();
    if (!this.plot) {
      if (width < 40 || height < 30) return;
      this.plot = new uPlot({ ...this.options, width, height }, this.data, this.box);
      return;
    }
    this.plot.setSize({ width, height });
  }

  setData(data) {
    this.data = data;
    if (this.plot) this.plot.setData(data);
    else this.resize();
  }

  destroy() {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}

export function mount(element, source) {
  loadStylesheets(...STYLESHEETS);
  const settings = source.settings || {};
  const root = el('div', 'widget-root pantau-dchealth');
  root.dataset.level = 'unknown';
  const band = new StateBand(root);

  const header = el('div', 'dch-header');
  const title = el('div', 'dch-title', settings.label || source.name || tr('title'));
  const age = el('div', 'dch-age', '');
  header.append(title, age);

  const stats = el('div', 'dch-stats');
  const cpu = stat('cpu', tr('cpu'));
  const mem = stat('mem', tr('mem'));
  const load = stat('load', tr('load'));
  const net = stat('net', tr('net'));
  stats.append(cpu.root, mem.root, load.root, net.root);

  const charts = el('div', 'dch-charts');
  const cpuBox = el('div', 'dch-chart');
  cpuBox.dataset.chart = 'cpu';
  const netBox = el('div', 'dch-chart');
  netBox.dataset.chart = 'net';
  charts.append(cpuBox, netBox);

  const disks = el('div', 'dch-disks');
  const lower = el('div', 'dch-lower');
  const checks = el('div', 'dch-panel dch-checks');
  const ups = el('div', 'dch-panel dch-ups');
  const metrics = el('div', 'dch-panel dch-metrics');
  lower.append(checks, ups, metrics);

  const hostError = el('div', 'dch-badge dch-host-error');
  hostError.hidden = true;
  root.append(header, hostError, stats, charts, disks, lower);
  element.append(root);

  const cpuChart = new Chart(cpuBox, [{ label: 'CPU %', color: COLORS.cpu }, { label: 'Memory %', color: COLORS.mem }],
    { percent: true, format: (v) => `${v}%` });
  const netChart = new Chart(netBox, [{ label: 'rx', color: COLORS.rx }, { label: 'tx', color: COLORS.tx }],
    { format: (v) => formatBits(v).replace('bit/s', '') });

  let latest = null;
  let receivedAt = 0; // performance.now() when latest arrived
  const local = { t: [], cpu: [], mem: [], rx: [], tx: [] }; // when the server sends no history

  // Server time now, estimated from the last message (the wall PC's clock
  // may be wrong).
  const serverNow = () => (latest ? latest.updated_ms + (performance.now() - receivedAt) : Date.now());
  const ageOf = (ms) => (isNum(ms) ? formatAge(serverNow() - ms) : '');

  function drawHost(h) {
    stats.hidden = !h;
    charts.hidden = !h;
    disks.hidden = !h;
    if (!h) return;
    cpu.value.textContent = pct(h.cpu_percent);
    cpu.sub.textContent = h.cpus === 1 ? tr('cpus_one') : tr('cpus', { count: formatNumber(h.cpus) });
    setLevel(cpu.root, h.cpu_level);
    mem.value.textContent = pct(h.mem?.percent);
    mem.sub.textContent = `${formatBytes(h.mem?.used_bytes)} / ${formatBytes(h.mem?.total_bytes)}`;
    setLevel(mem.root, h.mem?.level);
    load.value.textContent = isNum(h.load?.[0]) ? fixed(h.load[0], 2) : '–';
    load.sub.textContent = (h.load || []).slice(1).map((v) => (isNum(v) ? fixed(v, 2) : '–')).join(' · ');
    setLevel(load.root, h.load_level);
    net.value.textContent = `↓ ${formatBits(h.net?.rx_bps)}`;
    net.sub.textContent = `↑ ${formatBits(h.net?.tx_bps)}`;
    setLevel(net.root, 'ok');
    hostError.hidden = !h.error;
    hostError.textContent = h.error ? `${tr('host')} ${h.error}` : '';
    hostError.lang = 'en';
    drawDisks(h.disks || []);
  }

  function drawDisks(list) {
    disks.replaceChildren(...list.map((d) => {
      const row = el('div', 'dch-disk');
      row.dataset.path = d.path;
      setLevel(row, d.error ? 'crit' : d.level);
      const bar = el('div', 'dch-bar');
      const fill = el('div', 'dch-bar-fill');
      fill.style.width = `${Math.min(100, Math.max(0, d.percent || 0))}%`;
      bar.append(fill);
      const text = d.error ? english('div', 'dch-disk-text', d.error)
        : el('div', 'dch-disk-text', tr('of', { used: pct(d.percent), total: formatBytes(d.total_bytes) }));
      row.append(el('div', 'dch-disk-path', d.path), bar, text);
      return row;
    }));
  }

  function drawChecks(list) {
    checks.hidden = list.length === 0;
    checks.replaceChildren(el('div', 'dch-panel-title', tr('services')), ...list.map((c) => {
      const row = el('div', 'dch-check');
      row.dataset.check = c.name;
      row.dataset.state = c.state;
      setLevel(row, c.level);
      const detail = c.state === 'down' && c.reason ? english('span', 'dch-check-detail', c.reason)
        : el('span', 'dch-check-detail', c.state === 'down' ? tr('down') : c.state === 'pending' ? '…'
          : `${isNum(c.latency_ms) ? `${formatNumber(Math.round(c.latency_ms))} ms` : ''}${c.code ? ` · ${c.code}` : ''}`);
      row.append(el('span', 'dch-dot'), el('span', 'dch-check-name', c.name), detail);
      row.title = `${c.type} ${c.target}${c.updated_ms ? ` · ${tr('ago', { age: ageOf(c.updated_ms) })}` : ''}`;
      return row;
    }));
  }

  function partBadge(part) {
    if (part.state !== 'stale' && part.state !== 'error') return null;
    const badge = el('div', 'dch-badge', tr(`state.${part.state}`));
    if (part.reason) badge.append(': ', english('span', 'dch-badge-reason', part.reason));
    badge.dataset.state = part.state;
    return badge;
  }

  function drawUps(u) {
    ups.hidden = !u;
    if (!u) return;
    ups.dataset.power = u.power;
    ups.dataset.state = u.state;
    setLevel(ups, u.state === 'error' ? 'crit' : u.level);
    const known = ['online', 'on_battery', 'low_battery', 'unknown'].includes(u.power);
    const power = el('div', 'dch-ups-power', known ? tr(`power.${u.power}`) : u.power);
    const facts = el('div', 'dch-ups-facts',
      [isNum(u.charge) ? pct(u.charge) : null, isNum(u.runtime_s) ? formatDuration(u.runtime_s) : null,
        isNum(u.load) ? tr('ups_load', { percent: pct(u.load) }) : null].filter(Boolean).join(' · '));
    const when = el('div', 'dch-part-age', u.updated_ms ? tr('ago', { age: ageOf(u.updated_ms) }) : '');
    when.dataset.updated = u.updated_ms ?? '';
    ups.replaceChildren(el('div', 'dch-panel-title', tr('ups', { name: u.name })), power, facts, when);
    const badge = partBadge(u);
    if (badge) ups.append(badge);
  }

  function drawMetrics(list) {
    metrics.hidden = list.length === 0;
    const rows = [el('div', 'dch-panel-title', tr('metrics'))];
    for (const e of list) {
      const group = el('div', 'dch-exporter');
      group.dataset.exporter = e.name;
      group.dataset.state = e.state;
      group.append(el('div', 'dch-exporter-name', e.name));
      for (const m of e.metrics) {
        const row = el('div', 'dch-metric');
        row.dataset.selector = m.selector;
        setLevel(row, e.state === 'ok' ? m.level : 'unknown');
        const value = m.text || (isNum(m.value) ? formatMetric(m.value, m.unit) : '–');
        row.append(el('span', 'dch-metric-label', m.label), el('span', 'dch-metric-value', value));
        group.append(row);
      }
      const badge = partBadge(e);
      if (badge) group.append(badge);
      rows.push(group);
    }
    metrics.replaceChildren(...rows);
  }

  function formatMetric(v, unit) {
    if (unit === 'bytes') return formatBytes(v);
    const text = Math.abs(v) >= 1e6 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2)
      : formatNumber(Math.round(v * 100) / 100, { maximumFractionDigits: 2 });
    return unit ? `${text} ${unit}` : text;
  }

  function overallLevel(d) {
    const levels = [];
    const h = d.host;
    if (h) levels.push(h.cpu_level, h.mem?.level, h.load_level, ...(h.disks || []).map((x) => x.level));
    for (const c of d.checks || []) levels.push(c.level);
    if (d.ups) levels.push(d.ups.level);
    for (const e of d.exporters || []) {
      levels.push(e.state === 'ok' ? 'ok' : e.state === 'pending' ? 'unknown' : 'warn');
      for (const m of e.metrics) levels.push(m.level);
    }
    if (levels.includes('crit')) return 'crit';
    if (levels.includes('warn')) return 'warn';
    return levels.includes('ok') ? 'ok' : 'unknown';
  }

  function series(d) {
    if (d.history && Array.isArray(d.history.t)) return d.history;
    const h = d.host;
    if (!h) return local;
    local.t.push(d.updated_ms);
    local.cpu.push(h.cpu_percent);
    local.mem.push(h.mem?.percent);
    local.rx.push(h.net?.rx_bps);
    local.tx.push(h.net?.tx_bps);
    for (const k of Object.keys(local)) if (local[k].length > MAX_POINTS) local[k].shift();
    return local;
  }

  function drawCharts(d) {
    if (!d.host) return;
    const s = series(d);
    const t = s.t.map((ms) => ms / 1000);
    cpuChart.setData([t, s.cpu, s.mem]);
    netChart.setData([t, s.rx, s.tx]);
  }

  function drawAge() {
    if (!latest) return;
    const h = latest.host;
    const text = h?.updated_ms ? tr('updated', { age: ageOf(h.updated_ms) }) : '';
    age.textContent = text;
    for (const when of ups.querySelectorAll('.dch-part-age')) {
      const ms = Number(when.dataset.updated);
      if (ms) when.textContent = tr('ago', { age: ageOf(ms) });
    }
  }

  const ageTimer = setInterval(drawAge, 1000);

  // A switch of language redraws every word from the latest data.
  function redrawWords() {
    for (const [part, key] of [[cpu, 'cpu'], [mem, 'mem'], [load, 'load'], [net, 'net']]) {
      part.root.querySelector('.dch-stat-label').textContent = tr(key);
    }
    if (!settings.label && !source.name && !latest?.label) title.textContent = tr('title');
    if (!latest) return;
    drawHost(latest.host);
    drawChecks(latest.checks || []);
    drawUps(latest.ups);
    drawMetrics(latest.exporters || []);
    drawAge();
  }
  const offLanguage = onLanguageChange(redrawWords);

  return {
    update(data) {
      if (!data || typeof data !== 'object') return;
      latest = data;
      receivedAt = performance.now();
      if (data.label) title.textContent = data.label;
      drawHost(data.host);
      drawChecks(data.checks || []);
      drawUps(data.ups);
      drawMetrics(data.exporters || []);
      drawCharts(data);
      root.dataset.level = overallLevel(data);
      root.dataset.updated = String(data.updated_ms);
      band.data(data.updated_ms);
      drawAge();
    },
    // The recent data of the source when a page opens (oldest first): only
    // the newest matters, since every snapshot carries its own history.
    history(entries) {
      const last = Array.isArray(entries) ? entries[entries.length - 1] : null;
      if (last && last.data && !latest) this.update(last.data);
    },
    status(src) {
      band.status(src);
    },
    destroy() {
      offLanguage();
      band.destroy();
      clearInterval(ageTimer);
      cpuChart.destroy();
      netChart.destroy();
      root.remove();
    },
  };
}
