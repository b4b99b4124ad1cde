// Slide component for the `image` and `text` sources of the slides plugin:
// one large, readable slide that fills its tile at 16:9 or any other shape.
//
// Texts are a string or {en, id}; the slide shows the page's language
// (<html lang>) and follows the 'pantau:language' event that the pages'
// language switch sends (docs/web.md). A text slide may live in a JSON file
// of the slides folder ({title, subtitle, bullets, footer}); it is fetched
// once from /slides/.
//
// On a wall, the text keeps to the tile's safe area (/static/js/safe-area.js):
// the largest part of the tile within one display, clear of the caption of
// a running presentation, so no line is cut by a bezel or hidden by the
// caption. A picture still fills the whole tile; its title keeps to the
// safe area.

import { watchSafeArea } from '/static/js/safe-area.js';

const STYLESHEET = new URL('slides.css', import.meta.url).href;
const LANGUAGE_EVENT = 'pantau:language';

function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.append(link);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The text in language `lang`, else in the other one.
export function pick(text, lang) {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text.en ?? text.id ?? '';
}

const pageLanguage = () => (document.documentElement.lang === 'id' ? 'id' : 'en');

// What settings say before the server's data arrives (same shape).
function dataFromSettings(source) {
  const s = source.settings || {};
  if (source.type === 'image') {
    return s.file ? { type: 'image', url: `/slides/${s.file}`, fit: s.fit || 'contain', title: s.title } : null;
  }
  if (s.file) return { type: 'text', url: `/slides/${s.file}` };
  return { type: 'text', title: s.title, subtitle: s.subtitle, bullets: s.bullets || [], footer: s.footer };
}

function renderImage(root, safe, data, lang) {
  const img = el('img', 'slide-image');
  img.alt = pick(data.title, lang);
  img.style.objectFit = data.fit === 'cover' ? 'cover' : 'contain';
  img.addEventListener('error', () => {
    root.replaceChildren(el('div', 'slide-missing', `${data.url} ?`));
    root.dataset.state = 'missing';
  });
  img.src = data.url;
  root.prepend(img);
  if (data.title) safe.append(el('div', 'slide-image-title', pick(data.title, lang)));
}

function renderText(safe, data, lang) {
  const box = el('div', 'slide-text');
  box.append(el('h1', 'slide-title', pick(data.title, lang)));
  if (data.subtitle) box.append(el('p', 'slide-subtitle', pick(data.subtitle, lang)));
  const bullets = Array.isArray(data.bullets) ? data.bullets : [];
  if (bullets.length) {
    const list = el('ul', 'slide-bullets');
    for (const bullet of bullets) list.append(el('li', 'slide-bullet', pick(bullet, lang)));
    box.append(list);
  }
  if (data.footer) box.append(el('div', 'slide-footer', pick(data.footer, lang)));
  safe.append(box);
}

// Places the safe box: area in fractions of the slide, null for all of it.
function placeSafe(safe, area) {
  const a = area || { x: 0, y: 0, width: 1, height: 1 };
  Object.assign(safe.style, {
    left: `${a.x * 100}%`, top: `${a.y * 100}%`, width: `${a.width * 100}%`, height: `${a.height * 100}%`,
  });
  safe.dataset.area = area ? 'part' : 'whole';
}

export function mount(element, source) {
  ensureStylesheet();
  const root = el('div', 'pantau-slide');
  root.dataset.type = source.type || '';
  element.append(root);
  const safe = el('div', 'slide-safe');
  const stopWatching = watchSafeArea(root, (area) => placeSafe(safe, area));
  let data = dataFromSettings(source);
  let fetched = null; // the text slide read from data.url
  let fetching = '';

  async function fetchText(url) {
    fetching = url;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${response.status}`);
      const body = await response.json();
      if (fetching === url) fetched = { type: 'text', ...body };
    } catch {
      if (fetching === url) fetched = { type: 'text', title: `${url} ?` };
    }
    draw();
  }

  function draw() {
    safe.replaceChildren();
    root.replaceChildren(safe);
    root.dataset.state = 'shown';
    if (!data) return;
    const lang = pageLanguage();
    root.lang = lang;
    if (data.type === 'image') return renderImage(root, safe, data, lang);
    if (!data.url) return renderText(safe, data, lang);
    if (fetched && fetching === data.url) return renderText(safe, fetched, lang);
    if (fetching !== data.url) fetchText(data.url);
    return undefined;
  }

  document.addEventListener(LANGUAGE_EVENT, draw);
  draw();
  return {
    update(next) {
      if (!next || typeof next !== 'object') return;
      if (JSON.stringify(next) === JSON.stringify(data)) return;
      data = next;
      draw();
    },
    destroy() {
      document.removeEventListener(LANGUAGE_EVENT, draw);
      stopWatching();
      root.remove();
    },
  };
}
