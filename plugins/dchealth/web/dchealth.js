// Data-centre health widget: this host's CPU, memory, load, network and
// disks with small time-series charts (uPlot), the service checks, the UPS
// and scraped Prometheus metrics, in the operators' green / yellow / red.
//
// Every part shows the age of its data; a part whose peer failed keeps its
// last values and shows a "stale" or "error" badge with the reason; when the
// whole source is not live, the widget kit's band says so.

import uPlot from '/vendor/uplot/uPlot.esm.js';
import { el, formatAge, isNum, loadStylesheets, StateBand } from '/static/js/widget-kit.js';

const STYLESHEETS = [new URL('dchealth.css', import.meta.url).href, '/vendor/uplot/uPlot.min.css'];
const COLORS = { cpu: '#4fc3f7', mem: '#ba68c8', rx: '#81c784', tx: '#ffb74d' };
const MAX_POINTS = 600;

export function formatBytes(n) {
  if (!isNum(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatBits(bytesPerSecond) {
  if (!isNum(bytesPerSecond)) return '–';
  let n = bytesPerSecond * 8;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatDuration(s) {
  if (!isNum(s)) return '–';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const pct = (v) => (isNum(v) ? `${v.toFixed(v >= 99.95 || v < 10 ? 1 : 0)}%` : '–');

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
  const title = el('div', 'dch-title', settings.label || source.name || 'Data centre');
  const age = el('div', 'dch-age', '');
  header.append(title, age);

  const stats = el('div', 'dch-stats');
  const cpu = stat('cpu', 'CPU');
  const mem = stat('mem', 'Memory');
  const load = stat('load', 'Load');
  const net = stat('net', 'Network');
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
    cpu.sub.textContent = `${h.cpus} CPU${h.cpus === 1 ? '' : 's'}`;
    setLevel(cpu.root, h.cpu_level);
    mem.value.textContent = pct(h.mem?.percent);
    mem.sub.textContent = `${formatBytes(h.mem?.used_bytes)} / ${formatBytes(h.mem?.total_bytes)}`;
    setLevel(mem.root, h.mem?.level);
    load.value.textContent = isNum(h.load?.[0]) ? h.load[0].toFixed(2) : '–';
    load.sub.textContent = (h.load || []).slice(1).map((v) => (isNum(v) ? v.toFixed(2) : '–')).join(' · ');
    setLevel(load.root, h.load_level);
    net.value.textContent = `↓ ${formatBits(h.net?.rx_bps)}`;
    net.sub.textContent = `↑ ${formatBits(h.net?.tx_bps)}`;
    setLevel(net.root, 'ok');
    hostError.hidden = !h.error;
    hostError.textContent = h.error ? `host: ${h.error}` : '';
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
      const text = d.error ? d.error : `${pct(d.percent)} of ${formatBytes(d.total_bytes)}`;
      row.append(el('div', 'dch-disk-path', d.path), bar, el('div', 'dch-disk-text', text));
      return row;
    }));
  }

  function drawChecks(list) {
    checks.hidden = list.length === 0;
    checks.replaceChildren(el('div', 'dch-panel-title', 'Services'), ...list.map((c) => {
      const row = el('div', 'dch-check');
      row.dataset.check = c.name;
      row.dataset.state = c.state;
      setLevel(row, c.level);
      const detail = c.state === 'down' ? c.reason || 'down'
        : c.state === 'pending' ? '…'
          : `${isNum(c.latency_ms) ? `${Math.round(c.latency_ms)} ms` : ''}${c.code ? ` · ${c.code}` : ''}`;
      row.append(el('span', 'dch-dot'), el('span', 'dch-check-name', c.name), el('span', 'dch-check-detail', detail));
      row.title = `${c.type} ${c.target}${c.updated_ms ? ` · ${ageOf(c.updated_ms)} ago` : ''}`;
      return row;
    }));
  }

  function partBadge(part) {
    if (part.state !== 'stale' && part.state !== 'error') return null;
    const badge = el('div', 'dch-badge', `${part.state}${part.reason ? `: ${part.reason}` : ''}`);
    badge.dataset.state = part.state;
    return badge;
  }

  const POWER = { online: 'On line', on_battery: 'On battery', low_battery: 'LOW BATTERY', unknown: 'Unknown' };

  function drawUps(u) {
    ups.hidden = !u;
    if (!u) return;
    ups.dataset.power = u.power;
    ups.dataset.state = u.state;
    setLevel(ups, u.state === 'error' ? 'crit' : u.level);
    const power = el('div', 'dch-ups-power', POWER[u.power] || u.power);
    const facts = el('div', 'dch-ups-facts',
      [isNum(u.charge) ? `${u.charge}%` : null, isNum(u.runtime_s) ? formatDuration(u.runtime_s) : null,
        isNum(u.load) ? `load ${u.load}%` : null].filter(Boolean).join(' · '));
    const when = el('div', 'dch-part-age', u.updated_ms ? `${ageOf(u.updated_ms)} ago` : '');
    when.dataset.updated = u.updated_ms ?? '';
    ups.replaceChildren(el('div', 'dch-panel-title', `UPS ${u.name}`), power, facts, when);
    const badge = partBadge(u);
    if (badge) ups.append(badge);
  }

  function drawMetrics(list) {
    metrics.hidden = list.length === 0;
    const rows = [el('div', 'dch-panel-title', 'Metrics')];
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
    const text = Math.abs(v) >= 1e6 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : String(Math.round(v * 100) / 100);
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
    const text = h?.updated_ms ? `updated ${ageOf(h.updated_ms)} ago` : '';
    age.textContent = text;
    for (const when of ups.querySelectorAll('.dch-part-age')) {
      const ms = Number(when.dataset.updated);
      if (ms) when.textContent = `${ageOf(ms)} ago`;
    }
  }

  const ageTimer = setInterval(drawAge, 1000);

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
      band.destroy();
      clearInterval(ageTimer);
      cpuChart.destroy();
      netChart.destroy();
      root.remove();
    },
  };
}
