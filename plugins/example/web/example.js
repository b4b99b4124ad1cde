// The browser half of the example plugin: the label, the count in large
// type, and a warning line once the count reaches alert_at. The page calls
// mount() for each tile showing a source of this type (docs/web.md, "Web
// components of sources"); update(data) gets each publish() of the plugin.
//
// Every word comes from the table below, in English and Bahasa Indonesia;
// numbers go through formatNumber, so 12345 reads 12,345 / 12.345.
import { el, formatNumber, loadStylesheets, onLanguageChange, registerStrings } from '/static/js/widget-kit.js';

const tr = registerStrings({
  en: { waiting: 'Waiting for data', count: '{n} ticks', alert: 'Reached {n}' },
  id: { waiting: 'Menunggu data', count: '{n} detak', alert: 'Mencapai {n}' },
});

export function mount(element, source) {
  loadStylesheets(new URL('example.css', import.meta.url).href);
  const root = el('div', 'widget-root pantau-example');
  const label = el('div', 'pantau-example-label', source.settings?.label ?? '');
  const count = el('div', 'pantau-example-count widget-dims', tr('waiting'));
  const alert = el('div', 'pantau-example-alert');
  alert.hidden = true;
  root.append(label, count, alert);
  element.append(root);

  let last = null; // the latest data: redrawn when the language changes
  function draw() {
    if (!last) return;
    label.textContent = last.label;
    count.textContent = tr('count', { n: formatNumber(last.count) });
    alert.hidden = !(last.alert_at > 0 && last.count >= last.alert_at);
    alert.textContent = tr('alert', { n: formatNumber(last.alert_at) });
  }
  const offLanguage = onLanguageChange(() => {
    if (!last) count.textContent = tr('waiting');
    draw();
  });

  return {
    update(data) {
      last = data;
      draw();
    },
    destroy() {
      offLanguage();
      root.remove();
    },
  };
}
