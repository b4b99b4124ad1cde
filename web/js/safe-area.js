// Safe areas on a wall of displays (docs/web.md, "Safe areas"): where a
// tile's text may go so that no line crosses a display seam (the bezel
// between two screens, whose pixels nobody sees) and none lies under the
// caption of a running presentation.
//
// The page that shows a wall publishes the wall's geometry on the element
// that holds its LayoutView (publishWallGeometry); a source component asks
// for the safe area of its own element and follows it (watchSafeArea). A
// component outside such a view (the console's editor) gets null: its whole
// element is safe. Served at /static/js/safe-area.js; plugins import it by
// that absolute URL.

import { displayRect, viewportRect } from './wall-geometry.js';

const EVENT = 'pantau:safe-area';

// The caption band, in fractions of the display that shows it (the
// bottom-left one): its box, and the strip at the bottom kept free for it.
export const CAPTION = { left: 0.03, width: 0.94, bottom: 0.03, height: 0.13, reserve: 0.17 };

// The caption's rectangle on the wall canvas.
export function captionRect(displays) {
  const d = displayRect(displays, 0, displays.rows - 1);
  return {
    x: d.x + d.width * CAPTION.left,
    y: d.y + d.height * (1 - CAPTION.bottom - CAPTION.height),
    width: d.width * CAPTION.width,
    height: d.height * CAPTION.height,
  };
}

// The part of each display a tile's text may use: the whole display, less
// the caption strip on the caption display while a caption is up.
function usableDisplays(displays, caption) {
  const rects = [];
  for (let row = 0; row < displays.rows; row++) {
    for (let column = 0; column < displays.columns; column++) {
      const rect = displayRect(displays, column, row);
      if (caption && column === 0 && row === displays.rows - 1) rect.height *= 1 - CAPTION.reserve;
      rects.push(rect);
    }
  }
  return rects;
}

function intersection(a, b) {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

// The safe area of a tile at canvas rectangle `tile`: its largest part that
// lies within one display (the first of equals, top-left first), in
// fractions of the tile; null when the whole tile is safe.
export function safeAreaOf(tile, displays, caption) {
  let best = null;
  for (const display of usableDisplays(displays, caption)) {
    const part = intersection(tile, display);
    // Equal within 1% (rounding of the tile's place): the earlier wins.
    if (part && (!best || part.width * part.height > best.width * best.height * 1.01)) best = part;
  }
  if (!best) return null;
  const area = {
    x: (best.x - tile.x) / tile.width,
    y: (best.y - tile.y) / tile.height,
    width: best.width / tile.width,
    height: best.height / tile.height,
  };
  return area.width > 0.9999 && area.height > 0.9999 ? null : area;
}

// ---- the page's side ----

// Publishes what the view in `container` shows: `wall` (its displays), the
// one `display` ({column, row}) or the whole wall (null), and whether a
// presentation caption is up. Components inside follow at once.
export function publishWallGeometry(container, wall, { display = null, caption = false } = {}) {
  const geometry = { displays: wall.displays, view: viewportRect(wall.displays, display), caption: Boolean(caption) };
  const key = JSON.stringify(geometry);
  if (container.dataset.safeArea === key) return;
  container.dataset.safeArea = key;
  container.dispatchEvent(new CustomEvent(EVENT));
}

// The geometry published on `container`, or null.
function geometryOf(container) {
  try {
    return JSON.parse(container.dataset.safeArea);
  } catch {
    return null;
  }
}

// Where `element` lies on the wall canvas, from its place on the screen.
function canvasRectOf(element, container, view) {
  const stage = container.querySelector('.wall-stage') || container;
  const s = stage.getBoundingClientRect();
  const e = element.getBoundingClientRect();
  if (s.width <= 0 || s.height <= 0 || e.width <= 0 || e.height <= 0) return null;
  const kx = view.width / s.width;
  const ky = view.height / s.height;
  return { x: view.x + (e.left - s.left) * kx, y: view.y + (e.top - s.top) * ky, width: e.width * kx, height: e.height * ky };
}

// The safe area of `element` now: {x, y, width, height} in fractions of
// its box, or null when all of it is safe (or it is on no wall view).
export function safeAreaFor(element) {
  const container = element.closest('[data-safe-area]');
  const geometry = container && geometryOf(container);
  if (!geometry) return null;
  const tile = canvasRectOf(element, container, geometry.view);
  if (!tile) return null;
  return safeAreaOf(tile, geometry.displays, geometry.caption);
}

// Calls onChange(area) with safeAreaFor(element) now and whenever it
// changes: the wall's geometry, the caption, the tile's place or size.
// Returns a function that stops watching.
export function watchSafeArea(element, onChange) {
  let last;
  let frame = 0;
  const check = () => {
    frame = 0;
    const area = safeAreaFor(element);
    const key = JSON.stringify(area && Object.values(area).map((v) => Math.round(v * 1e4)));
    if (key === last) return;
    last = key;
    onChange(area);
  };
  const later = () => {
    if (!frame) frame = requestAnimationFrame(check);
  };
  const resize = new ResizeObserver(later);
  resize.observe(element);
  const moves = new MutationObserver(later);
  // The tile moves without changing size when the layout changes.
  const tile = element.closest('.tile');
  if (tile) moves.observe(tile, { attributes: true, attributeFilter: ['style'] });
  // A page publishes its geometry (maybe after the element was mounted).
  const published = (event) => {
    if (event.target.contains?.(element)) later();
  };
  document.addEventListener(EVENT, published, true);
  check();
  return () => {
    if (frame) cancelAnimationFrame(frame);
    resize.disconnect();
    moves.disconnect();
    document.removeEventListener(EVENT, published, true);
  };
}
