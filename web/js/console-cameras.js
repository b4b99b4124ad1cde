// The admins' Cameras panel (issue 15; docs/cameras.md "Adding cameras from
// the console"): every source with Edit and Remove (a second press
// confirms), and a form to add or change an RTSP camera; Edit of any other
// source opens the generic settings form (console-source-settings.js). "Find cameras"
// lists the ONVIF devices on the local network (camera.discover); "Read
// camera" asks the device at the address, with the credentials typed, for
// its main and sub stream URLs and whether it has PTZ (camera.probe).
// Passwords are write-only: the server never sends them back, and an edit
// that leaves the password empty keeps the old one. Other roles never see
// the panel (the server refuses them too).

import { element, kindText } from './layout-render.js';
import { confirmingButton } from './console-presets.js';
import { onLanguageChange, t } from './i18n.js';
import { SourceSettingsForm } from './console-source-settings.js';

const DISCOVER_MS = 3000;

// A labelled input of the form; key names it in the form and the i18n table.
function field(key, type = 'text') {
  const wrap = element('label', 'camera-field');
  const label = element('span', '', t(`cameras.field.${key}`));
  label.dataset.i18n = `cameras.field.${key}`;
  const input = element('input');
  input.type = type;
  input.name = key;
  input.autocomplete = type === 'password' ? 'new-password' : 'off';
  wrap.append(label, input);
  return wrap;
}

function button(key, className = '') {
  const b = element('button', className, t(key));
  b.type = 'button';
  b.dataset.i18n = key;
  return b;
}

// The cctv plugin's "onvif" setting for an address as camera.probe takes
// it: a device service URL, "host:port", "[v6]:port" or "host"
// (plugins/cctv/README.md).
function onvifSetting(address) {
  if (/^https?:\/\//i.test(address)) return { url: address };
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(address);
  if (!m) return { host: address };
  const host = m[1] || m[2];
  return m[3] ? { host, port: Number(m[3]) } : { host };
}

class CamerasPanel {
  constructor(client, messages) {
    this.client = client;
    this.messages = messages;
    this.editing = null; // the id of the source being edited, or null: adding
    this.section = element('section', 'panel cameras-panel');
    this.section.id = 'cameras-panel';
    this.section.setAttribute('aria-labelledby', 'cameras-title');
    const title = element('h2', '', t('cameras.title'));
    title.id = 'cameras-title';
    title.dataset.i18n = 'cameras.title';
    this.list = element('ul', 'camera-admin-list');
    this.list.id = 'camera-admin-list';
    const add = button('cameras.add');
    add.id = 'camera-add';
    add.addEventListener('click', () => this.openForm(null));
    this.form = this.buildForm();
    this.form.hidden = true;
    // Any other source's settings: a form built from them (console15).
    this.settingsForm = new SourceSettingsForm(client, messages);
    this.section.append(title, this.list, add, this.form, this.settingsForm.form);
    this.offs = [
      client.on('snapshot', () => this.render()),
      client.on('source', () => this.render()),
      client.on('source.removed', () => this.render()),
      onLanguageChange(() => this.render()),
    ];
    this.render();
  }

  buildForm() {
    const form = element('form', 'camera-form');
    form.id = 'camera-form';
    this.formTitle = element('h3', '');
    const find = button('cameras.discover');
    find.id = 'camera-discover';
    find.addEventListener('click', () => this.discover());
    this.found = element('ul', 'camera-found');
    this.found.id = 'camera-found';
    const probe = button('cameras.probe');
    probe.id = 'camera-probe';
    probe.addEventListener('click', () => this.probe());
    this.probeNote = element('p', 'hint camera-probe-note');
    this.probeNote.id = 'camera-probe-note';
    this.probeNote.setAttribute('role', 'status');
    const save = element('button', '', t('cameras.save'));
    save.type = 'submit';
    save.id = 'camera-save';
    save.dataset.i18n = 'cameras.save';
    const cancel = button('console.cancel');
    cancel.addEventListener('click', () => { form.hidden = true; });
    form.append(this.formTitle, field('id'), field('name'), find, this.found, field('address'), field('username'),
      field('password', 'password'), probe, this.probeNote, field('url'), field('sub_url'), save, cancel);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    return form;
  }

  input(name) {
    return this.form.elements.namedItem(name);
  }

  // Items whose text is unchanged stay (a status change must not disarm a
  // Remove pressed once).
  render() {
    const sources = [...this.client.state.sources.values()];
    const old = new Map([...this.list.children].map((li) => [li.dataset.sourceId, li]));
    this.list.replaceChildren(...sources.map((source) => {
      const kept = old.get(source.id);
      const key = `${source.name}\u0000${source.kind}\u0000${source.type}\u0000${t('cameras.edit')}`;
      if (kept && kept.dataset.key === key) return kept;
      const li = this.item(source);
      li.dataset.key = key;
      return li;
    }));
    this.formTitle.textContent = t(this.editing ? 'cameras.edit_title' : 'cameras.add_title', { name: this.editing || '' });
  }

  item(source) {
    const li = element('li', 'camera-admin-item');
    li.dataset.sourceId = source.id;
    li.append(element('span', 'camera-admin-name', `${source.name} (${source.id})`),
      element('span', 'camera-admin-kind', `${kindText(source.kind)} · ${source.type}`));
    const edit = button('cameras.edit');
    edit.classList.add('camera-edit');
    edit.addEventListener('click', () => {
      const now = this.client.state.sources.get(source.id) || source;
      // RTSP cameras have their own form (discovery, probe); every other
      // type the generic one.
      if (now.type === 'rtsp') {
        this.settingsForm.close();
        this.openForm(now);
        return;
      }
      this.form.hidden = true;
      this.settingsForm.open(now);
    });
    const remove = confirmingButton(() => t('cameras.remove'), () => t('cameras.remove_confirm'), 'danger camera-remove',
      () => this.remove(source.id));
    li.append(edit, remove);
    return li;
  }

  // Opens the form empty (source null: add) or with a source's settings
  // (edit: its id fixed, its password left empty: unchanged).
  openForm(source) {
    this.editing = source ? source.id : null;
    this.form.reset();
    this.found.replaceChildren();
    this.probeNote.textContent = '';
    this.ptzAddress = null;
    const settings = source?.settings || {};
    this.input('id').value = source?.id || '';
    this.input('id').readOnly = Boolean(source);
    this.input('name').value = source?.name || '';
    this.input('url').value = settings.url || '';
    this.input('sub_url').value = settings.sub_url || '';
    this.input('username').value = settings.username || '';
    this.input('password').placeholder = source ? t('cameras.password_unchanged') : '';
    this.form.hidden = false;
    this.render();
    this.input(source ? 'name' : 'id').focus();
  }

  async discover() {
    this.found.replaceChildren(element('li', 'hint', t('cameras.searching')));
    try {
      const reply = await this.client.request('camera.discover', { timeout_ms: DISCOVER_MS });
      const items = reply.devices.map((device) => {
        const li = element('li', 'camera-found-item');
        const pick = element('button', '', `${device.name || device.hardware || device.endpoint} — ${device.address}`);
        pick.type = 'button';
        pick.addEventListener('click', () => {
          this.input('address').value = device.address;
          if (!this.input('name').value && device.name) this.input('name').value = device.name;
          this.input('username').focus();
        });
        li.append(pick);
        return li;
      });
      this.found.replaceChildren(...(items.length ? items : [element('li', 'hint', t('cameras.none_found'))]));
    } catch (err) {
      this.found.replaceChildren();
      this.messages.error(err, t('cameras.do.discover'));
    }
  }

  async probe() {
    this.probeNote.textContent = t('cameras.reading');
    try {
      const reply = await this.client.request('camera.probe', {
        address: this.input('address').value.trim(),
        username: this.input('username').value,
        password: this.input('password').value,
      });
      if (reply.main_url) this.input('url').value = reply.main_url;
      this.input('sub_url').value = reply.sub_url || '';
      const model = [reply.manufacturer, reply.model].filter(Boolean).join(' ');
      this.probeNote.textContent = t(reply.has_ptz ? 'cameras.probe_ptz' : 'cameras.probe_no_ptz', { model });
      this.probeNote.dataset.ptz = String(Boolean(reply.has_ptz));
      // A camera with PTZ keeps its ONVIF address: the console steers it (PTZ, issue 15).
      this.ptzAddress = reply.has_ptz ? this.input('address').value.trim() : null;
    } catch (err) {
      this.probeNote.textContent = '';
      this.messages.error(err, t('cameras.do.probe'));
    }
  }

  // The form as source.add's or source.update's source.
  entry() {
    const value = (name) => this.input(name).value.trim();
    const settings = { url: value('url'), sub_url: value('sub_url') };
    if (value('username')) settings.username = value('username');
    if (this.input('password').value) settings.password = this.input('password').value;
    if (this.ptzAddress) settings.onvif = onvifSetting(this.ptzAddress);
    const entry = { id: value('id'), name: value('name') || value('id'), settings };
    if (!this.editing) entry.type = 'rtsp';
    return entry;
  }

  async save() {
    const adding = !this.editing;
    try {
      await this.client.request(adding ? 'source.add' : 'source.update', { source: this.entry() });
      this.form.hidden = true;
      this.input('password').value = '';
      this.messages.notice(t(adding ? 'cameras.added' : 'cameras.saved'));
    } catch (err) {
      this.messages.error(err, t(adding ? 'cameras.do.add' : 'cameras.do.save'));
    }
  }

  async remove(id) {
    try {
      await this.client.request('source.remove', { source: id });
      this.messages.notice(t('cameras.removed', { id }));
    } catch (err) {
      this.messages.error(err, t('cameras.do.remove'));
    }
  }

  destroy() {
    this.settingsForm.off?.();
    for (const off of this.offs) off?.();
    this.section.remove();
  }
}

// Shows the Cameras panel to admins each time role (roles.js) learns who
// this connection is, and takes it away from anyone else. Call once.
export function setupCameras(client, messages, role) {
  let panel = null;
  role.on((me) => {
    if (me.role !== 'admin') {
      panel?.destroy();
      panel = null;
      return;
    }
    if (!panel) {
      panel = new CamerasPanel(client, messages);
      const audit = document.getElementById('audit-panel');
      if (audit) audit.before(panel.section);
      else document.body.append(panel.section);
    }
  });
}
