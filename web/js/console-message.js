// The console's one place for news: refusals from the server (role=alert,
// with the error code, so an operator can quote it) and short confirmations.
// The server's message after the code is a technical detail in English.

import { t } from './i18n.js';

const ERROR_SHOWN_MS = 12000;
const NOTICE_SHOWN_MS = 4000;

export class MessageBar {
  constructor(alertEl, noticeEl) {
    this.alertEl = alertEl;
    this.noticeEl = noticeEl;
    this.timers = new Map();
    for (const el of [alertEl, noticeEl]) el.addEventListener('click', () => this.hide(el));
  }

  // err: the protocol's error object {code, message, field?}.
  error(err, what) {
    const code = err?.code || 'error';
    const detail = err?.message || String(err);
    const field = err?.field ? ` ${t('message.field', { field: err.field })}` : '';
    const error = `${code}: ${detail}${field}`;
    this.show(this.alertEl, what ? t('message.refused', { what, error }) : error, ERROR_SHOWN_MS);
    this.alertEl.dataset.code = code;
  }

  notice(text) {
    this.show(this.noticeEl, text, NOTICE_SHOWN_MS);
  }

  show(el, text, ms) {
    el.textContent = text;
    el.hidden = false;
    clearTimeout(this.timers.get(el));
    this.timers.set(el, setTimeout(() => this.hide(el), ms));
  }

  hide(el) {
    el.hidden = true;
  }
}
