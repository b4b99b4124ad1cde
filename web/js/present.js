// /present[?presentation=ID&wall=ID]: the presenter's page, for a tablet or
// a laptop. Rehearse on the preview (the wall is not touched), or run live
// (each step puts its layout on the wall and its caption under it). Next /
// previous by the big buttons, the keyboard or a clicker (Page Down /
// Page Up), Home / End, or the jump list. Notes come only from the replies
// to this page's own requests (presentation.list and the step operations).

import { Connection } from './connection.js';
import { LayoutView, element } from './layout-render.js';
import { PresentationFeed, formatClock } from './present-feed.js';
import { onLanguageChange, pick, t } from './i18n.js';
import { publishWallGeometry } from './safe-area.js';
import { Role } from './roles.js';

const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const client = new Connection();
client.setPage('present');
const role = new Role(client);
const feed = new PresentationFeed(client);
const preview = new LayoutView(byId('preview'), client, { small: true });

const page = {
  definitions: [], // from presentation.list: steps with notes
  mode: 'rehearsal',
  presentationId: params.get('presentation'),
  wallId: params.get('wall'),
  state: null, // the run this page follows (live on the wall, or our rehearsal)
  clockOffset: 0, // server time - local time, from the latest state
};

// A refusal (kind 'error') or a plain notice ('info') above the page.
function showMessage(text, kind = 'error') {
  byId('present-message').textContent = text;
  byId('present-message').dataset.kind = kind;
  byId('present-message').hidden = !text;
}

function refused(err) {
  if (err.code === 'disconnected') return;
  showMessage(err.code === 'forbidden' ? t('present.forbidden') : t('present.error', { message: err.message }));
}

const definition = () => page.definitions.find((d) => d.id === page.presentationId) || null;
const runningDefinition = () => page.definitions.find((d) => d.id === page.state?.id) || null;

// ---- following the run ----

function adopt(state) {
  page.state = state;
  if (state) page.clockOffset = state.time - Date.now();
  render();
}

// The run this page shows, from what the feed knows.
function followFeed() {
  adopt(page.mode === 'live' ? feed.live.get(page.wallId) || null : feed.rehearsal);
}

function request(op, fields) {
  showMessage('');
  return client.request(op, fields).then((ok) => {
    if (op === 'presentation.stop') adopt(null);
    else if (ok.state && (ok.state.mode === page.mode)) adopt(ok.state);
    return ok;
  }, refused);
}

function target() {
  return page.mode === 'live' ? { wall: page.wallId } : { rehearsal: true };
}

function start() {
  if (!page.presentationId || !page.wallId) return;
  request('presentation.start', {
    presentation: page.presentationId, wall: page.wallId, rehearsal: page.mode === 'rehearsal',
  });
}

function move(op, fields = {}) {
  if (!page.state) return Promise.resolve(undefined);
  return request(op, { ...target(), ...fields });
}

// Stopping leaves the wall as the last step left it: say so.
function stop() {
  const run = page.state;
  move('presentation.stop').then((ok) => {
    if (!ok || !run) return;
    showMessage(run.mode === 'live' ? t('present.stopped_live', { wall: run.wall }) : t('present.stopped_rehearsal'), 'info');
  });
}

const next = () => move('presentation.next');
const prev = () => move('presentation.prev');
const jump = (step) => move('presentation.goto', { step });

// ---- drawing ----

function stepOf(def, index) {
  return def && index >= 0 && index < def.steps.length ? def.steps[index] : null;
}

function renderStatus() {
  const status = byId('run-status');
  const state = page.state;
  status.dataset.state = state ? state.mode : 'idle';
  status.textContent = !state ? t('present.idle')
    : state.mode === 'live' ? t('present.live_on', { wall: state.wall }) : t('present.rehearsing');
  // The preview says what the pill says: the wall itself, or a rehearsal.
  const mode = state ? state.mode : page.mode;
  const label = byId('preview-label');
  label.dataset.mode = mode;
  label.textContent = mode === 'live' ? t('present.preview_live', { wall: state?.wall || page.wallId || '' })
    : t('present.preview');
  document.body.dataset.running = String(Boolean(state));
  document.body.dataset.mode = page.mode;
  byId('stop').disabled = !state;
  byId('mode-live').setAttribute('aria-checked', String(page.mode === 'live'));
  byId('mode-rehearsal').setAttribute('aria-checked', String(page.mode === 'rehearsal'));
}

function renderSteps() {
  const state = page.state;
  const def = runningDefinition() || definition();
  const index = state ? state.step : -1;
  const current = stepOf(def, index);
  const following = stepOf(def, index + 1);
  byId('step-position').textContent = state ? t('present.step_of', { step: index + 1, steps: state.steps }) : '';
  byId('current-caption').textContent = state ? pick(state.caption) : '';
  byId('next-caption').textContent = !state ? '' : following ? pick(following.caption) : t('present.end');
  const notes = byId('notes');
  const text = current ? pick(current.notes) : '';
  notes.textContent = text || (state ? t('present.no_notes') : '');
  notes.dataset.empty = String(!text);
  byId('prev').disabled = !state || index <= 0;
  byId('next').disabled = !state || index >= state.steps - 1;
  renderJumpList(def, index);
}

function renderJumpList(def, index) {
  const items = (def?.steps || []).map((step, i) => {
    const item = element('li');
    item.dataset.step = String(i);
    if (i === index) item.setAttribute('aria-current', 'step');
    const button = element('button');
    button.type = 'button';
    button.append(element('span', 'jump-number', String(i + 1)), element('span', 'jump-caption', pick(step.caption)));
    if (step.dwell_s) button.append(element('span', 'jump-auto', `${t('present.auto')} ${formatClock(step.dwell_s * 1000)}`));
    button.addEventListener('click', () => jump(i));
    item.append(button);
    return item;
  });
  byId('jump-list').replaceChildren(...items);
}

// The preview: the step's layout (rehearsal) or the wall itself (live).
function renderPreview() {
  const wall = client.state.walls.get(page.state?.wall || page.wallId);
  if (!wall) return;
  const layout = page.state?.mode === 'rehearsal' && page.state.layout ? page.state.layout : wall.layout;
  preview.render({ ...wall, layout });
  // Slides keep clear of seams and of the caption, as on the wall.
  publishWallGeometry(byId('preview'), wall, { caption: Boolean(page.state) });
}

// How much of the plan is left, in words: "1:30 left", "0:12 over", or for
// manual steps "no time limit"; overall, a run with manual steps still to
// come has "at least 4:00 left".
function remainingText(ms, { manual = false, over = false } = {}) {
  if (manual && ms <= 0) return t('present.no_limit');
  if (over) return t('present.over', { time: formatClock(-ms) });
  return t(manual ? 'present.left_at_least' : 'present.left', { time: formatClock(ms) });
}

// Elapsed and remaining, for the step and overall (manual steps have no
// planned length: the overall remaining time then counts the timed ones).
function renderTimers() {
  const state = page.state;
  const now = Date.now() + page.clockOffset;
  const set = (id, text, late = false) => {
    byId(id).textContent = text;
    byId(id).dataset.late = String(late);
  };
  if (!state) {
    for (const id of ['step-elapsed', 'total-elapsed']) set(id, '0:00');
    for (const id of ['step-remaining', 'total-remaining']) set(id, '—');
    return;
  }
  const stepLeft = state.dwell_ms ? state.step_started + state.dwell_ms - now : null;
  set('step-elapsed', formatClock(now - state.step_started));
  set('step-remaining', stepLeft === null ? remainingText(0, { manual: true }) : remainingText(stepLeft, { over: stepLeft < 0 }),
    stepLeft !== null && stepLeft <= 0);
  set('total-elapsed', formatClock(now - state.started));
  const later = (runningDefinition()?.steps || []).slice(state.step + 1);
  const planned = later.reduce((sum, step) => sum + (step.dwell_s || 0) * 1000, Math.max(0, stepLeft ?? 0));
  const manual = stepLeft === null || later.some((step) => !step.dwell_s);
  set('total-remaining', remainingText(planned, { manual }));
}

function render() {
  renderStatus();
  renderSteps();
  renderPreview();
  renderTimers();
}

// ---- choosing ----

function fillSelect(select, items, selected) {
  select.replaceChildren(...items.map(({ id, name }) => {
    const option = element('option', '', pick(name) || id);
    option.value = id;
    return option;
  }));
  if (selected && items.some((i) => i.id === selected)) select.value = selected;
  return select.value || null;
}

function fillChoices() {
  page.presentationId = fillSelect(byId('presentation-select'), page.definitions, page.presentationId);
  page.wallId = fillSelect(byId('wall-select'), [...client.state.walls.values()], page.wallId);
  if (!page.definitions.length) showMessage(t('present.none'));
}

function setMode(mode) {
  page.mode = mode;
  followFeed();
}

async function load() {
  // A role that may not present gets every control disabled, with the
  // reason on hover and on the page, and asks for nothing it would be
  // refused (issue 13).
  await role.ready();
  role.gateMarked();
  if (!role.may('present')) {
    showMessage(role.reasonFor('present'));
    return;
  }
  const ok = await client.request('presentation.list').catch((err) => {
    refused(err);
    return null;
  });
  if (!ok) return;
  page.definitions = ok.presentations;
  fillChoices();
  const mine = ok.running.find((s) => (page.mode === 'live' ? s.mode === 'live' && s.wall === page.wallId : s.mode === 'rehearsal'));
  adopt(mine || null);
}

// ---- input ----

const KEYS = {
  ArrowRight: next, PageDown: next, ArrowLeft: prev, PageUp: prev,
  Home: () => jump(0), End: () => page.state && jump(page.state.steps - 1),
};

function onKey(event) {
  if (event.target.closest?.('select, input, textarea') || event.altKey || event.ctrlKey || event.metaKey) return;
  const action = KEYS[event.key];
  if (!action) return;
  event.preventDefault();
  action();
}

function wireInputs() {
  byId('next').addEventListener('click', next);
  byId('prev').addEventListener('click', prev);
  byId('start').addEventListener('click', start);
  byId('stop').addEventListener('click', stop);
  byId('mode-live').addEventListener('click', () => setMode('live'));
  byId('mode-rehearsal').addEventListener('click', () => setMode('rehearsal'));
  for (const [id, key] of [['presentation-select', 'presentationId'], ['wall-select', 'wallId']]) {
    byId(id).addEventListener('change', (event) => {
      page[key] = event.target.value;
      event.target.blur(); // give the keys back to the page (clickers)
      followFeed();
    });
  }
  document.addEventListener('keydown', onKey);
}

// ---- the connection ----

feed.on((_, change) => {
  if (change.kind === 'snapshot') return;
  if (change.kind === page.mode && (change.kind === 'rehearsal' || change.wall === page.wallId)) followFeed();
});
client.on('snapshot', () => load());
client.on('wall', (wall) => {
  if (wall.id === (page.state?.wall || page.wallId)) renderPreview();
});
client.on('status', (connected) => {
  document.body.dataset.connected = String(connected);
  const pill = byId('connection');
  pill.dataset.state = connected ? 'up' : 'down';
  pill.textContent = t(connected ? 'connection.connected' : 'connection.reconnecting');
  pill.dataset.i18n = connected ? 'connection.connected' : 'connection.reconnecting';
});
onLanguageChange(() => {
  fillChoices();
  render();
});

wireInputs();
setInterval(renderTimers, 250);
client.start();
