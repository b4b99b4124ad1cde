// Traffic widget: one row per corridor or intersection with its congestion
// level (green free / yellow dense / red jammed), vehicles in the last
// interval, average speed and a speed history drawn with uPlot. A header
// sums the levels and shows the age of the data; the widget kit's band
// says when the data is out of date. Its words follow the page's language
// (the table below); the server sends the levels as codes.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import {
  el, formatNumber, loadStylesheets, onLanguageChange, registerStrings, StatusBadge,
} from '/static/js/widget-kit.js';

const STYLESHEETS = [new URL('traffic.css', import.meta.url).href, '/vendor/uplot/uPlot.min.css'];
const COLOURS = { free: '#2ecc71', dense: '#f1c40f', jammed: '#e74c3c' };

const tr = registerStrings({
  en: {
    'level.free': 'free', 'level.dense': 'dense', 'level.jammed': 'jammed',
    'label.free': 'FREE', 'label.dense': 'DENSE', 'label.jammed': 'JAMMED',
    'jammed_for': '{minutes} min', 'per_interval': 'veh/{seconds} s', 'speed_unit': 'km/h',
    'summary': '{count} {level}', 'title': 'Traffic', 'waiting': 'waiting for data…',
  },
  id: {
    'level.free': 'lancar', 'level.dense': 'padat', 'level.jammed': 'macet',
    'label.free': 'LANCAR', 'label.dense': 'PADAT', 'label.jammed': 'MACET',
    'jammed_for': '{minutes} mnt', 'per_interval': 'kend/{seconds} dtk', 'speed_unit': 'km/jam',
    'summary': '{count} {level}', 'title': 'Lalu lintas', 'waiting': 'menunggu data…',
  },
});

const number = (value, digits = 0) => formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits });

// One corridor row; keeps its uPlot chart between updates.
class CorridorRow {
  constructor(id) {
    this.el = el('div', 'traffic-row');
    this.el.dataset.corridor = id;
    this.name = el('div', 'traffic-name');
    this.level = el('div', 'traffic-level');
    this.count = el('div', 'traffic-num traffic-count');
    this.speed = el('div', 'traffic-num traffic-speed');
    this.chartBox = el('div', 'traffic-chart');
    this.el.append(this.name, this.level, this.count, this.speed, this.chartBox);
    this.chart = null;
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.chartBox);
  }

  update(c, intervalS) {
    const level = COLOURS[c.level] ? c.level : 'free';
    this.el.dataset.level = level;
    this.el.classList.toggle('alert', Boolean(c.alert));
    this.name.textContent = c.name || c.id;
    const jam = level === 'jammed' && c.jammed_for_s >= 60
      ? ` ${tr('jammed_for', { minutes: number(Math.round(c.jammed_for_s / 60)) })}` : '';
    this.level.textContent = `${tr(`label.${level}`)}${jam}`;
    this.count.replaceChildren(el('b', '', number(c.count)), el('small', '', tr('per_interval', { seconds: number(intervalS) })));
    this.speed.replaceChildren(el('b', '', number(c.speed, 0)), el('small', '', tr('speed_unit')));
    this.draw(c.history || {}, level);
  }

  draw(history, level) {
    const t = (history.t || []).map((ms) => ms / 1000);
    const data = [t, history.speed || []];
    if (this.chart && this.chartLevel !== level) {
      this.chart.destroy(); // the line takes the level's colour
      this.chart = null;
    }
    if (!this.chart) {
      this.chartLevel = level;
      const { width, height } = this.size();
      this.chart = new uPlot({
        width, height, cursor: { show: false }, legend: { show: false }, select: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] } },
        series: [{}, { stroke: COLOURS[level], width: 2, fill: `${COLOURS[level]}33`, points: { show: false } }],
      }, data, this.chartBox);
      return;
    }
    this.chart.setData(data);
  }

  size() {
    const box = this.chartBox.getBoundingClientRect();
    return { width: Math.max(40, Math.floor(box.width)), height: Math.max(16, Math.floor(box.height)) };
  }

  fit() {
    if (this.chart) this.chart.setSize(this.size());
  }

  destroy() {
    this.resize.disconnect();
    this.chart?.destroy();
    this.el.remove();
  }
}

export function mount(element, source) {
  loadStylesheets(...STYLESHEETS);
  const root = el('div', 'widget-root pantau-traffic');
  const head = el('div', 'traffic-head');
  const title = el('div', 'traffic-title', source.name || tr('title'));
  const summary = el('div', 'traffic-summary');
  const age = el('div', 'widget-age');
  const list = el('div', 'traffic-list widget-dims');
  const empty = el('div', 'traffic-empty', tr('waiting'));
  head.append(title, summary, age);
  root.append(head, list, empty);
  element.append(root);
  const status = new StatusBadge(source, { age, root });
  const rows = new Map();
  let last = null; // the latest update's arguments, redrawn in a new language

  function drawSummary(s = {}) {
    summary.replaceChildren(...['free', 'dense', 'jammed'].map((level) => {
      const part = el('span', `traffic-sum traffic-sum-${level}`,
        tr('summary', { count: number(s[level] ?? 0), level: tr(`level.${level}`) }));
      part.dataset.level = level;
      return part;
    }));
  }

  const offLanguage = onLanguageChange(() => {
    if (!source.name) title.textContent = tr('title');
    empty.textContent = tr('waiting');
    if (last) widget.update(...last);
  });

  const widget = {
    update(data, time) {
      if (!data || !Array.isArray(data.corridors)) return;
      last = [data, time];
      status.data(data.updated_ms, time);
      drawSummary(data.summary);
      const seen = new Set();
      for (const c of data.corridors) {
        if (typeof c?.id !== 'string') continue;
        seen.add(c.id);
        let row = rows.get(c.id);
        if (!row) {
          row = new CorridorRow(c.id);
          rows.set(c.id, row);
        }
        list.append(row.el); // keeps the feed's order
        row.update(c, data.interval_s);
      }
      for (const [id, row] of rows) {
        if (seen.has(id)) continue;
        row.destroy();
        rows.delete(id);
      }
      empty.hidden = rows.size > 0;
      root.dataset.updated = String(data.updated_ms ?? '');
    },
    // Called by the page after mount and on each status change.
    status(src) {
      status.status(src);
    },
    destroy() {
      offLanguage();
      status.destroy();
      for (const row of rows.values()) row.destroy();
      rows.clear();
      root.remove();
    },
  };
  return widget;
}
