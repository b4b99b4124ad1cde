// /login[?next=/console]: posts {user, password} to /api/login; the server
// answers with an HttpOnly session cookie, then this page goes on to `next`
// (a path on this server only) or /console. docs/security.md.

import { mountLanguageSwitch, t, translate } from './i18n.js';

const form = document.getElementById('login-form');
const user = document.getElementById('login-user');
const password = document.getElementById('login-password');
const submit = document.getElementById('login-submit');
const message = document.getElementById('login-message');

// Only a path on this server: never //other.host, a full URL, or anything a
// browser would clean up into one (tabs, newlines, backslashes).
export function safeNext(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')
    || /[\\\u0000-\u001f\u007f]/.test(value)) {
    return '/console';
  }
  try {
    const base = 'http://pantau.invalid';
    const url = new URL(value, base);
    if (url.origin !== base) return '/console';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/console';
  }
}

function show(text) {
  message.textContent = text;
  message.hidden = !text;
}

async function errorText(response) {
  // The page's own words, in the page's language, for the answers it knows.
  if (response.status === 401) return t('login.wrong');
  if (response.status === 429) {
    return t('login.limited', { seconds: response.headers.get('retry-after') || '60' });
  }
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: fall through
  }
  return t('login.server_answered', { status: response.status });
}

async function logIn(event) {
  event.preventDefault();
  if (!user.value || !password.value) {
    show(t('login.missing'));
    return;
  }
  submit.disabled = true;
  show('');
  try {
    const response = await fetch('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: user.value, password: password.value }),
      credentials: 'same-origin',
    });
    if (response.ok) {
      location.assign(safeNext(new URLSearchParams(location.search).get('next')));
      return;
    }
    password.value = '';
    show(await errorText(response));
    password.focus();
  } catch {
    show(t('login.unreachable'));
  } finally {
    submit.disabled = false;
  }
}

translate();
mountLanguageSwitch(document.getElementById('language-switch'));
form.addEventListener('submit', logIn);
user.focus();
