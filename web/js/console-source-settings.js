// The admins' form for any source's settings (issue 15; docs/cameras.md
// "Editing any source"): built from the source's current settings
// (source.settings) and its type's schema, one field per setting: text,
// number, a checkbox for true/false, a list for a schema's choices, JSON for
// objects and lists. Secret settings are write-only: the server never sends
// them; their field is empty with "unchanged" and is sent only when typed.
// Only what changed is sent (source.update merges it key by key), and the
// server checks it exactly as --check-config would, naming the field.

import { element } from './layout-render.js';
import { onLanguageChange, t } from './i18n.js';

// How a setting is edited: 'secret', 'boolean', 'number', 'choice', 'json'
// or 'string', from its value, else its schema.
function kindOf(value, prop, secret) {
  if (secret) return 'secret';
  if (Array.isArray(prop?.enum) && (value === undefined || typeof value === 'string')) return 'choice';
  const type = value === undefined ? prop?.type : typeof value;
  if (type === 'boolean') return 'boolean';
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'string') return 'string';
  return 'json';
}

function input(kind, key, value, prop, secretSet) {
  if (kind === 'choice') {
    const select = element('select');
    const choices = value !== undefined && !prop.enum.includes(value) ? [value, ...prop.enum] : prop.enum;
    select.append(element('option', '', ''), ...choices.map((c) => Object.assign(element('option', '', c), { value: c })));
    select.value = value ?? '';
    return select;
  }
  if (kind === 'json') {
    const area = element('textarea');
    area.rows = 3;
    area.value = value === undefined ? '' : JSON.stringify(value, null, 2);
    return area;
  }
  const el = element('input');
  el.type = { secret: 'password', boolean: 'checkbox', number: 'number', string: 'text' }[kind];
  el.autocomplete = kind === 'secret' ? 'new-password' : 'off';
  if (kind === 'number') el.step = 'any';
  if (kind === 'boolean') el.checked = value === true;
  else if (kind === 'secret') el.placeholder = secretSet ? t('sources.unchanged') : '';
  else el.value = value ?? '';
  el.name = key;
  return el;
}

export class SourceSettingsForm {
  constructor(client, messages) {
    this.client = client;
    this.messages = messages;
    this.source = null; // the id being edited
    this.fields = []; // {key, kind, el, original}
    this.form = element('form', 'source-settings-form');
    this.form.id = 'source-settings-form';
    this.form.hidden = true;
    this.title = element('h3', '');
    this.nameInput = element('input');
    Object.assign(this.nameInput, { type: 'text', name: 'name', id: 'source-settings-name', autocomplete: 'off' });
    const nameLabel = element('label', 'camera-field');
    nameLabel.append(element('span', '', t('sources.field.name')), this.nameInput);
    this.list = element('div', 'source-settings-fields');
    const save = element('button', '', t('sources.save'));
    save.type = 'submit';
    save.id = 'source-settings-save';
    const cancel = element('button', '', t('console.cancel'));
    cancel.type = 'button';
    cancel.addEventListener('click', () => this.close());
    // Live reload of the source's plugin (issue 18): its .so replaced on
    // the server, read again; its sources are made anew.
    this.reload = element('button', '');
    this.reload.type = 'button';
    this.reload.id = 'source-settings-reload';
    this.reload.addEventListener('click', () => this.reloadPlugin());
    this.form.append(this.title, nameLabel, this.list, save, cancel, this.reload);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    this.off = onLanguageChange(() => this.close());
  }

  close() {
    this.form.hidden = true;
    this.source = null;
  }

  async open(source) {
    let reply;
    try {
      reply = await this.client.request('source.settings', { source: source.id });
    } catch (err) {
      this.messages.error(err, t('sources.do.load'));
      return;
    }
    this.source = source.id;
    this.plugin = source.plugin;
    this.reload.hidden = !source.plugin;
    this.reload.textContent = t('sources.reload_plugin', { plugin: source.plugin ?? '' });
    this.originalName = source.name;
    this.nameInput.value = source.name;
    this.title.textContent = t('sources.edit_title', { name: source.name, type: reply.type });
    const props = reply.schema?.properties ?? {};
    const secrets = new Set(reply.secret);
    const keys = [...new Set([...Object.keys(reply.settings), ...reply.secret,
      ...Object.keys(props).filter((k) => ['string', 'number', 'integer', 'boolean'].includes(props[k].type) || props[k].secret)])];
    this.fields = keys.map((key) => {
      const value = reply.settings[key];
      const kind = kindOf(value, props[key], secrets.has(key) || props[key]?.secret === true);
      const el = input(kind, key, value, props[key], secrets.has(key));
      el.dataset.setting = key;
      return { key, kind, el, original: value };
    });
    this.list.replaceChildren(...this.fields.map(({ key, el }) => {
      const label = element('label', 'camera-field');
      const title = props[key]?.title ? `${props[key].title} (${key})` : key;
      label.append(element('span', '', title), el);
      return label;
    }));
    if (!this.fields.length) this.list.append(element('p', 'hint', t('sources.none')));
    this.form.hidden = false;
    this.nameInput.focus();
  }

  // The settings that changed: {key: value}; throws {field} for bad JSON.
  changes() {
    const out = {};
    for (const { key, kind, el, original } of this.fields) {
      if (kind === 'secret') {
        if (el.value) out[key] = el.value;
      } else if (kind === 'boolean') {
        if (el.checked !== (original === true)) out[key] = el.checked;
      } else if (kind === 'number') {
        if (el.value !== (original === undefined ? '' : String(original))) out[key] = el.value === '' ? null : Number(el.value);
      } else if (kind === 'json') {
        const before = original === undefined ? '' : JSON.stringify(original, null, 2);
        if (el.value.trim() === before.trim()) continue;
        try {
          out[key] = JSON.parse(el.value);
        } catch {
          throw { code: 'bad_json', message: t('sources.bad_json', { field: key }), field: `settings.${key}` };
        }
      } else if (el.value !== (original ?? '')) {
        out[key] = el.value;
      }
    }
    return out;
  }

  async reloadPlugin() {
    const plugin = this.plugin;
    try {
      const reply = await this.client.request('plugin.reload', { plugin });
      this.close();
      this.messages.notice(t('sources.plugin_reloaded', { plugin, version: reply.version ?? '' }));
    } catch (err) {
      this.messages.error(err, t('sources.do.reload'));
    }
  }

  async save() {
    const id = this.source;
    try {
      const settings = this.changes();
      const change = { id, settings };
      const name = this.nameInput.value.trim();
      if (name && name !== this.originalName) change.name = name;
      await this.client.request('source.update', { source: change });
      this.close();
      this.messages.notice(t('sources.saved', { id }));
    } catch (err) {
      this.messages.error(err, t('sources.do.save'));
    }
  }
}
