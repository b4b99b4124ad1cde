// The caption of the presentation running live on this wall, as a band
// along the bottom of the bottom-left display, in the page's language. Only
// the public state reaches a wall: captions, never notes.
//
// The band lies within that one display (no bezel cuts its text), at the
// same place on the wall whether one browser spans the wall or each display
// has its own: a page that does not show that display shows no band. It
// also publishes the wall's geometry and whether a caption is up
// (safe-area.js), so slides keep their text out of the band and off seams.

import { PresentationFeed } from './present-feed.js';
import { onLanguageChange, pick } from './i18n.js';
import { captionRect, publishWallGeometry } from './safe-area.js';
import { intersects, viewportRect } from './wall-geometry.js';

const STYLESHEET = '/static/css/presentation.css';
// The caption's type, in parts of the display's height (about 48 px on a
// 1080-line display: readable from the back of the room).
const FONT_SIZE = 0.044;

function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.append(link);
}

export class WallCaption {
  // el: the caption element; client: the page's Connection; wallId(): the
  // wall this page shows; container: the element holding the page's
  // LayoutView; display: the {column, row} this page shows, or null for the
  // whole wall.
  constructor(el, client, { wallId, container, display = null }) {
    ensureStylesheet();
    this.el = el;
    this.client = client;
    this.wallId = wallId;
    this.container = container;
    this.display = display;
    this.feed = new PresentationFeed(client);
    // After the page's own handlers have picked and drawn its wall.
    const later = () => queueMicrotask(() => this.render());
    this.feed.on(later);
    client.on('snapshot', later);
    client.on('wall', later);
    onLanguageChange(() => this.render());
    new ResizeObserver(() => this.place()).observe(container);
  }

  wall() {
    return this.client.state.walls.get(this.wallId()) || null;
  }

  render() {
    const wall = this.wall();
    const state = wall ? this.feed.live.get(wall.id) : null;
    const text = state ? pick(state.caption) : '';
    if (wall) publishWallGeometry(this.container, wall, { display: this.display, caption: Boolean(text) });
    this.el.textContent = text;
    this.el.dataset.presentation = state ? state.id : '';
    this.el.dataset.step = state ? String(state.step) : '';
    this.place();
  }

  // Puts the band on its display, in page pixels; hides it when there is
  // no caption or this page does not show that display.
  place() {
    const wall = this.wall();
    const stage = this.container.querySelector('.wall-stage');
    const view = wall && viewportRect(wall.displays, this.display);
    const rect = wall && captionRect(wall.displays);
    const box = stage?.getBoundingClientRect();
    const visible = Boolean(this.el.textContent && rect && box?.width && intersects(rect, view));
    this.el.hidden = !visible;
    if (!visible) return;
    const k = box.width / view.width;
    Object.assign(this.el.style, {
      left: `${box.left + (rect.x - view.x) * k}px`,
      top: `${box.top + (rect.y - view.y) * k}px`,
      width: `${rect.width * k}px`,
      height: `${rect.height * k}px`,
      fontSize: `${wall.displays.height * FONT_SIZE * k}px`,
    });
  }
}
