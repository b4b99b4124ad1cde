// The caption of the presentation running live on this wall, as a band
// along the bottom of the wall, in the page's language. Only the public
// state reaches a wall: captions, never notes.

import { PresentationFeed } from './present-feed.js';
import { onLanguageChange, pick } from './i18n.js';

const STYLESHEET = '/static/css/presentation.css';

function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.append(link);
}

export class WallCaption {
  // el: the caption element; wallId(): the wall this page shows;
  // shown(): whether this page shows the caption (one display of many may not).
  constructor(el, client, { wallId, shown = () => true }) {
    ensureStylesheet();
    this.el = el;
    this.wallId = wallId;
    this.shown = shown;
    this.feed = new PresentationFeed(client);
    // After the page's own snapshot handler has picked its wall.
    const later = () => queueMicrotask(() => this.render());
    this.feed.on(later);
    client.on('snapshot', later);
    onLanguageChange(() => this.render());
  }

  render() {
    const state = this.feed.live.get(this.wallId());
    const text = state && this.shown() ? pick(state.caption) : '';
    this.el.hidden = !text;
    this.el.textContent = text;
    this.el.dataset.presentation = state ? state.id : '';
    this.el.dataset.step = state ? String(state.step) : '';
  }
}
