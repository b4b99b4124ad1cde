// English and Bahasa Indonesia for every page (docs/web.md, "Languages").
//
// Importing this module is enough for a page: it picks the language (the
// page's ?lang=, else the one remembered in this browser, else the
// browser's own), sets <html lang>, translates every element marked
//   data-i18n="key"              its text
//   data-i18n-title="key"        its title
//   data-i18n-placeholder="key"  its placeholder
//   data-i18n-aria-label="key"   its aria-label
// and fills every [data-language-switch] element with a switch. Scripts use
// t(key, values) for the text they make, pick(text) for texts that carry
// both languages ({en, id}), and onLanguageChange() to redraw.

import { STRINGS } from './i18n-strings.js';

export const LANGUAGES = ['en', 'id'];
export const LANGUAGE_EVENT = 'pantau:language';
const STORAGE_KEY = 'pantau.language';

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked: the language lasts for the page
  }
}

function remember(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage blocked: nothing to remember it in
  }
}

const valid = (lang) => LANGUAGES.includes(lang);

function initialLanguage() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (valid(fromUrl)) {
    remember(fromUrl);
    return fromUrl;
  }
  const saved = stored();
  if (valid(saved)) return saved;
  return (navigator.language || '').toLowerCase().startsWith('id') ? 'id' : 'en';
}

let current = initialLanguage();

export function language() {
  return current;
}

// The text of key in the current language, with {name} filled from values.
export function t(key, values = {}) {
  return lookup(STRINGS, key, values);
}

// The same for another table of the same shape ({en: {...}, id: {...}}).
export function lookup(table, key, values = {}) {
  const text = table[current]?.[key] ?? table.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// The Intl locale of the current language: 'id-ID', or 'en' for English
// (what the pages used before there was a choice).
export function locale(lang = current) {
  return lang === 'id' ? 'id-ID' : 'en';
}

// n formatted for the current language ("1,234.5" / "1.234,5"); options
// as Intl.NumberFormat takes them. '–' when n is not a finite number.
export function formatNumber(n, options = {}) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  return new Intl.NumberFormat(locale(), options).format(n);
}

// A date (ms since the epoch or a Date) for the current language; options
// as Intl.DateTimeFormat takes them ("Kamis, 3 Desember 2026").
export function formatDate(date, options = {}) {
  return new Intl.DateTimeFormat(locale(), options).format(date instanceof Date ? date : new Date(date));
}

// A text that is a string or {en, id}: the current language's, else the other.
export function pick(text, lang = current) {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text.en ?? text.id ?? '';
}

const ATTRIBUTES = [
  ['i18n', null],
  ['i18nTitle', 'title'],
  ['i18nPlaceholder', 'placeholder'],
  ['i18nAriaLabel', 'aria-label'],
];

// Translates the marked elements under root.
export function translate(root = document) {
  for (const [data, attribute] of ATTRIBUTES) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of root.querySelectorAll(selector)) {
      const text = t(el.dataset[data]);
      if (attribute) el.setAttribute(attribute, text);
      else el.textContent = text;
    }
  }
}

// Calls callback(lang) after every switch. Returns an unsubscribe function.
export function onLanguageChange(callback) {
  const listener = (event) => callback(event.detail);
  document.addEventListener(LANGUAGE_EVENT, listener);
  return () => document.removeEventListener(LANGUAGE_EVENT, listener);
}

function syncSwitches() {
  for (const select of document.querySelectorAll('select.language-select')) select.value = current;
}

export function setLanguage(lang) {
  if (!valid(lang)) return;
  remember(lang);
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = lang;
  translate();
  syncSwitches();
  document.dispatchEvent(new CustomEvent(LANGUAGE_EVENT, { detail: lang }));
}

// Fills container with a language <select>.
export function mountLanguageSwitch(container) {
  const select = document.createElement('select');
  select.className = 'language-select';
  select.setAttribute('aria-label', t('language.label'));
  select.dataset.i18nAriaLabel = 'language.label';
  for (const lang of LANGUAGES) {
    const option = document.createElement('option');
    option.value = lang;
    option.textContent = STRINGS[lang][`language.${lang}`];
    select.append(option);
  }
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value));
  container.replaceChildren(select);
  return select;
}

document.documentElement.lang = current;
translate();
for (const el of document.querySelectorAll('[data-language-switch]')) mountLanguageSwitch(el);
