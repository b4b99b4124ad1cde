// The console's presets panel: save the selected wall's layout under a
// name (offering to overwrite when the name is taken), recall, rename and
// delete. Presets 1-9 are also on the number keys (see console.js). Each
// preset shows a thumbnail of its layout and what its tiles show, so two
// presets of the same grid are told apart (issue 13).

import { element } from './layout-render.js';
import { gate } from './roles.js';
import { locale, onLanguageChange, t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const NAMES_SHOWN = 3;

const CONFIRM_MS = 4000;

// A button that needs a second press within a few seconds, instead of a
// modal confirm() that would block the page (and every live tile with it).
// label and confirmLabel are functions giving the text in the page's
// language; button.relabel() redraws it after a switch of language.
export function confirmingButton(label, confirmLabel, className, action) {
  const button = element('button', className, label());
  button.relabel = () => { button.textContent = button.dataset.armed === 'true' ? confirmLabel() : label(); };
  button.type = 'button';
  let timer = 0;
  button.addEventListener('click', () => {
    if (button.dataset.armed !== 'true') {
      button.dataset.armed = 'true';
      button.textContent = confirmLabel();
      timer = setTimeout(() => { button.dataset.armed = 'false'; button.textContent = label(); }, CONFIRM_MS);
      return;
    }
    clearTimeout(timer);
    button.dataset.armed = 'false';
    button.textContent = label();
    action();
  });
  return button;
}

function layoutSummary(layout) {
  const number = new Intl.NumberFormat(locale());
  const used = layout.tiles.filter((tile) => tile.source).length;
  return t('console.preset.summary', {
    grid: `${layout.columns}×${layout.rows}`, tiles: number.format(layout.tiles.length), used: number.format(used),
  });
}

// A small picture of the layout: one rectangle per tile, in the layout's
// own grid, filled by what the tile shows (camera, widget, nothing).
export function layoutThumbnail(layout, sources) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'preset-thumb');
  svg.setAttribute('viewBox', `0 0 ${layout.columns} ${layout.rows}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  for (const tile of layout.tiles) {
    const rect = document.createElementNS(SVG, 'rect');
    const inset = 0.06;
    rect.setAttribute('x', String(tile.x + inset));
    rect.setAttribute('y', String(tile.y + inset));
    rect.setAttribute('width', String(Math.max(tile.w - 2 * inset, 0.01)));
    rect.setAttribute('height', String(Math.max(tile.h - 2 * inset, 0.01)));
    rect.dataset.tile = tile.id;
    rect.dataset.kind = tile.source ? (sources.get(tile.source)?.kind ?? 'unknown') : 'empty';
    svg.append(rect);
  }
  return svg;
}

// The names of what the preset shows, the first few, all of them on hover.
function sourceNames(layout, sources) {
  const names = layout.tiles.filter((tile) => tile.source).map((tile) => sources.get(tile.source)?.name ?? tile.source);
  const line = element('div', 'preset-sources');
  line.title = names.join('\n');
  const more = names.length - NAMES_SHOWN;
  line.textContent = names.length === 0 ? t('console.preset.nothing_shown')
    : names.slice(0, NAMES_SHOWN).join(', ') + (more > 0 ? ` ${t('console.preset.more', { count: more })}` : '');
  return line;
}

export class PresetPanel {
  // actions: recall(preset), wallId() -> the selected wall's id, role
  // (roles.js: may this connection change presets and the wall).
  constructor(client, messages, actions) {
    this.client = client;
    this.messages = messages;
    this.actions = actions;
    this.role = actions.role;
    this.listEl = document.getElementById('presets');
    this.form = document.getElementById('preset-save');
    this.nameInput = document.getElementById('preset-name');
    this.existsEl = document.getElementById('preset-exists');
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save(this.nameInput.value.trim(), false);
    });
    document.getElementById('preset-overwrite').addEventListener('click', () => this.save(this.pendingName, true));
    document.getElementById('preset-cancel').addEventListener('click', () => this.hideExists());
    client.on('snapshot', () => this.render());
    client.on('presets', () => this.render());
    onLanguageChange(() => this.render());
  }

  async save(name, overwrite) {
    if (!name) {
      this.nameInput.focus();
      return;
    }
    this.hideExists();
    const fields = { wall: this.actions.wallId(), name };
    if (overwrite) fields.overwrite = true;
    try {
      await this.client.request('preset.save', fields);
      this.nameInput.value = '';
      this.messages.notice(t(overwrite ? 'console.preset.overwritten' : 'console.preset.saved', { preset: name }));
    } catch (err) {
      if (err.code === 'exists') this.offerOverwrite(name);
      else this.messages.error(err, t('console.do.save_preset'));
    }
  }

  offerOverwrite(name) {
    this.pendingName = name;
    this.existsEl.querySelector('.exists-text').textContent = t('console.preset.exists', { preset: name });
    this.existsEl.hidden = false;
  }

  hideExists() {
    this.existsEl.hidden = true;
  }

  render() {
    const wallReason = this.role.reasonFor('operate', this.actions.wallId());
    for (const el of this.form.elements) gate(el, wallReason);
    const presets = this.client.state.presets;
    if (!presets.length) {
      this.listEl.replaceChildren(element('li', 'empty-note', t('console.preset.none')));
      return;
    }
    this.listEl.replaceChildren(...presets.map((preset, index) => this.presetItem(preset, index)));
  }

  presetItem(preset, index) {
    const item = element('li', 'preset-item');
    item.dataset.presetId = preset.id;
    const key = element('kbd', 'preset-key', index < 9 ? String(index + 1) : '');
    const text = element('div', 'preset-text');
    const name = element('div', 'preset-name', preset.name);
    name.title = preset.name;
    const sources = this.client.state.sources;
    text.append(name, element('div', 'preset-meta', layoutSummary(preset.layout)), sourceNames(preset.layout, sources));
    const buttons = element('div', 'preset-buttons');
    const recall = this.button(t('console.preset.recall'), 'recall', () => this.actions.recall(preset));
    const rename = this.button(t('console.preset.rename'), 'rename', () => this.startRename(item, text, preset));
    const remove = confirmingButton(() => t('console.preset.delete'), () => t('console.preset.sure'), 'delete danger',
      () => this.remove(preset));
    gate(recall, this.role.reasonFor('operate', this.actions.wallId()));
    for (const button of [rename, remove]) gate(button, this.role.reasonFor('operate'));
    buttons.append(recall, rename, remove);
    item.append(key, layoutThumbnail(preset.layout, sources), text, buttons);
    return item;
  }

  button(label, className, action) {
    const button = element('button', className, label);
    button.type = 'button';
    button.addEventListener('click', action);
    return button;
  }

  // Replaces the name with an input: Enter renames, Escape or leaving cancels.
  startRename(item, text, preset) {
    const input = element('input', 'rename-input');
    input.value = preset.name;
    input.setAttribute('aria-label', t('console.preset.new_name', { preset: preset.name }));
    text.replaceChildren(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (commit) => {
      if (done) return;
      done = true;
      const name = input.value.trim();
      if (commit && name && name !== preset.name) this.rename(preset, name);
      else this.render();
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') finish(true);
      if (event.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(false));
  }

  async rename(preset, name) {
    try {
      await this.client.request('preset.rename', { preset: preset.id, name });
    } catch (err) {
      this.messages.error(err, t('console.do.rename_preset'));
      this.render();
    }
  }

  async remove(preset) {
    try {
      await this.client.request('preset.delete', { preset: preset.id });
      this.messages.notice(t('console.preset.deleted', { preset: preset.name }));
    } catch (err) {
      this.messages.error(err, t('console.do.delete_preset'));
    }
  }
}
