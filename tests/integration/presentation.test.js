// Presentations (docs/protocol.md, "Presentations"): live runs change the
// wall (layout, version + 1, caption for every client), step moves, dwell
// auto-advance, stop; rehearsals touch no wall and reach only their
// session; notes reach presenters only; bad requests name their field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverFor, twoClients, connect, currentState, currentWall, wallEvents, expectError, sleep, testConfig,
  authConfig, login, connectAs, runPantau, pluginDirArgs, diagnostics, httpRequest,
} from '../lib/harness.js';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOTE_0 = 'NOTE-ZERO greet the panel';
const NOTE_1 = 'NOTE-ONE catatan rahasia';
const NOTE_2 = 'NOTE-TWO ask for questions';

const layoutA = { columns: 1, rows: 1, tiles: [{ id: 'a', x: 0, y: 0, w: 1, h: 1, source: 'clock-a' }] };
const layoutB = { columns: 2, rows: 1, tiles: [
  { id: 'l', x: 0, y: 0, w: 1, h: 1, source: 'clock-b' }, { id: 'r', x: 1, y: 0, w: 1, h: 1, source: 'clock-a' }] };

function presentations({ dwell = null } = {}) {
  return [{
    id: 'demo', name: { en: 'Demo', id: 'Demo' },
    steps: [
      { layout: layoutA, caption: { en: 'Welcome', id: 'Selamat datang' }, notes: { en: NOTE_0, id: NOTE_0 } },
      { layout: layoutB, caption: 'Two clocks', notes: NOTE_1, ...(dwell ? { dwell_s: dwell } : {}) },
      { layout: layoutA, caption: { en: 'Questions', id: 'Tanya jawab' }, notes: NOTE_2 },
    ],
  }, {
    id: 'saved', name: 'From a preset', steps: [{ preset: 'Morning', caption: 'Preset step' }],
  }];
}

const configWith = (opts) => testConfig({ presentations: presentations(opts) });
const isPresentation = (m) => m.ev === 'presentation';
const presentationEvents = (client) => client.messages.filter(isPresentation);
const hasNotes = (client) => client.messages.some((m) => /NOTE-/.test(JSON.stringify(m)));

async function setup(t, opts) {
  const server = await serverFor(t, { config: configWith(opts) });
  return { server, ...(await twoClients(t, server)) };
}

function layoutOf(wall) {
  return { columns: wall.layout.columns, rows: wall.layout.rows, tiles: wall.layout.tiles };
}

test('the snapshot lists the presentations without steps or notes', async (t) => {
  const { snapA } = await setup(t);
  assert.deepEqual(snapA.presentations, {
    available: [{ id: 'demo', name: { en: 'Demo', id: 'Demo' }, steps: 3 }, { id: 'saved', name: 'From a preset', steps: 1 }],
    running: [],
  });
});

test('presentation.list gives presenters the steps with their notes', async (t) => {
  const { a } = await setup(t);
  const reply = await a.request('presentation.list');
  const demo = reply.ok.presentations[0];
  assert.equal(demo.steps.length, 3);
  assert.deepEqual(demo.steps[0].notes, { en: NOTE_0, id: NOTE_0 });
  assert.deepEqual(demo.steps[1].layout, layoutB);
  assert.equal(reply.ok.presentations[1].steps[0].preset, 'Morning');
  assert.deepEqual(reply.ok.running, []);
});

test('start live puts the first step on the wall with its caption; next, prev and goto move', async (t) => {
  const { a, b, wall } = await setup(t);
  const start = await a.request('presentation.start', { presentation: 'demo', wall: 'main' });
  assert.equal(start.ok.state.step, 0);
  assert.equal(start.ok.state.mode, 'live');
  assert.deepEqual(start.ok.state.notes, { en: NOTE_0, id: NOTE_0 }, 'the presenter gets the notes');
  const ev = await b.waitFor((m) => isPresentation(m) && m.state?.step === 0);
  assert.deepEqual(ev.state.caption, { en: 'Welcome', id: 'Selamat datang' });
  assert.equal(ev.wall, 'main');
  assert.equal(ev.state.steps, 3);
  assert.ok(ev.state.started <= ev.state.step_started && ev.state.time >= ev.state.step_started);
  assert.equal(ev.state.remaining_ms, null, 'a manual step has no remaining time');
  let now = await currentWall(b);
  assert.equal(now.version, wall.version + 1);
  assert.deepEqual(layoutOf(now), layoutA);

  const next = await a.request('presentation.next', { wall: 'main' });
  assert.equal(next.ok.state.step, 1);
  assert.equal(next.ok.state.notes, NOTE_1);
  await b.waitFor((m) => isPresentation(m) && m.state?.step === 1 && m.state.caption === 'Two clocks');
  now = await currentWall(b);
  assert.equal(now.version, wall.version + 2);
  assert.deepEqual(layoutOf(now), layoutB);

  assert.equal((await a.request('presentation.goto', { wall: 'main', step: 2 })).ok.state.step, 2);
  await b.waitFor((m) => isPresentation(m) && m.state?.step === 2);
  const atEnd = await a.request('presentation.next', { wall: 'main' });
  assert.equal(atEnd.ok.state.step, 2, 'next on the last step stays');
  assert.equal((await currentWall(b)).version, wall.version + 3, 'and changes nothing');

  assert.equal((await a.request('presentation.prev', { wall: 'main' })).ok.state.step, 1);
  assert.equal((await a.request('presentation.prev', { wall: 'main' })).ok.state.step, 0);
  assert.equal((await a.request('presentation.prev', { wall: 'main' })).ok.state.step, 0, 'prev on the first step stays');
  assert.equal((await currentWall(b)).version, wall.version + 5);
  const running = (await currentState(b)).presentations.running;
  assert.equal(running.length, 1);
  assert.equal(running[0].step, 0);
  assert.ok(!hasNotes(b), 'the other client never got a note');
});

test('a step with dwell_s advances by itself', async (t) => {
  const { a, b, wall } = await setup(t, { dwell: 0.4 });
  await a.request('presentation.start', { presentation: 'demo', wall: 'main', step: 1 });
  const first = await b.waitFor((m) => isPresentation(m) && m.state?.step === 1);
  assert.equal(first.state.dwell_ms, 400);
  assert.ok(first.state.remaining_ms > 0 && first.state.remaining_ms <= 400);
  const t0 = Date.now();
  const advanced = await b.waitFor((m) => isPresentation(m) && m.state?.step === 2, 3000);
  assert.ok(Date.now() - t0 >= 250, 'not before its time');
  assert.equal(advanced.state.dwell_ms, null);
  assert.deepEqual(layoutOf(await currentWall(b)), layoutA);
  assert.equal((await currentWall(b)).version, wall.version + 2);
  await sleep(600);
  assert.equal(presentationEvents(b).filter((m) => m.state?.step === 2).length, 1, 'the last step stays');
});

test('moving by hand cancels the pending dwell', async (t) => {
  const { a, b } = await setup(t, { dwell: 0.3 });
  await a.request('presentation.start', { presentation: 'demo', wall: 'main', step: 1 });
  await a.request('presentation.prev', { wall: 'main' });
  await sleep(700);
  assert.equal((await currentState(b)).presentations.running[0].step, 0);
});

test('stop ends the run: the caption goes, the wall keeps its layout', async (t) => {
  const { a, b } = await setup(t);
  await a.request('presentation.start', { presentation: 'demo', wall: 'main', step: 1 });
  const before = await currentWall(b);
  const stop = await a.request('presentation.stop', { wall: 'main' });
  assert.deepEqual(stop.ok, { wall: 'main', mode: 'live', state: null });
  await b.waitFor((m) => isPresentation(m) && m.state === null);
  assert.deepEqual(await currentWall(b), before);
  assert.deepEqual((await currentState(b)).presentations.running, []);
  expectError(await a.request('presentation.next', { wall: 'main' }), 'not_found', 'wall');
});

test('a rehearsal leaves the wall alone and reaches only its own session', async (t) => {
  const { a, b, wall } = await setup(t, { dwell: 0.3 });
  const start = await a.request('presentation.start', { presentation: 'demo', wall: 'main', rehearsal: true });
  assert.equal(start.ok.state.mode, 'rehearsal');
  assert.deepEqual(start.ok.state.layout, layoutA, 'the preview gets the step layout');
  assert.deepEqual(start.ok.state.notes, { en: NOTE_0, id: NOTE_0 });
  assert.equal((await a.request('presentation.next', { rehearsal: true })).ok.state.step, 1);
  const advanced = await a.waitFor((m) => isPresentation(m) && m.mode === 'rehearsal' && m.state?.step === 2, 3000);
  assert.deepEqual(advanced.state.layout, layoutA);
  assert.equal((await a.request('presentation.goto', { rehearsal: true, step: 0 })).ok.state.step, 0);
  expectError(await b.request('presentation.next', { rehearsal: true }), 'not_found', 'rehearsal');
  assert.deepEqual((await b.request('presentation.stop', { wall: 'main' })).error.field, 'wall', 'no live run to stop');
  const stop = await a.request('presentation.stop', { rehearsal: true });
  assert.equal(stop.ok.state, null);
  await b.request('ping');
  assert.equal((await currentWall(b)).version, wall.version, 'the wall version is unchanged');
  assert.deepEqual(wallEvents(b), [], 'no wall event');
  assert.deepEqual(presentationEvents(b), [], 'the other client heard nothing');
  assert.deepEqual((await currentState(b)).presentations.running, []);
});

test('a rehearsal ends with its connection; a live run does not', async (t) => {
  const { server, a, b } = await setup(t);
  const { client: c } = await connect(t, server);
  await c.request('presentation.start', { presentation: 'demo', wall: 'main', rehearsal: true });
  await c.request('presentation.start', { presentation: 'demo', wall: 'main' });
  await c.close();
  await sleep(200);
  assert.equal((await currentState(a)).presentations.running.length, 1, 'the live run goes on');
  assert.equal((await b.request('presentation.next', { wall: 'main' })).ok.state.step, 1, 'and anyone may drive it');
});

test('a step from a preset uses the saved preset; a missing one is refused', async (t) => {
  const { a, wall } = await setup(t);
  expectError(await a.request('presentation.start', { presentation: 'saved', wall: 'main' }), 'not_found', 'presentation');
  assert.equal((await currentWall(a)).version, wall.version);
  const saved = await a.request('preset.save', { wall: 'main', name: 'Morning' });
  assert.ok(saved.ok, JSON.stringify(saved));
  const start = await a.request('presentation.start', { presentation: 'saved', wall: 'main' });
  assert.equal(start.ok.state.caption, 'Preset step');
  assert.equal((await currentWall(a)).version, wall.version + 1);
});

test('bad requests are refused with the field at fault', async (t) => {
  const { a, b, wall } = await setup(t);
  const cases = [
    ['presentation.start', { wall: 'main' }, 'bad_request', 'presentation'],
    ['presentation.start', { presentation: 7, wall: 'main' }, 'bad_request', 'presentation'],
    ['presentation.start', { presentation: 'nope', wall: 'main' }, 'not_found', 'presentation'],
    ['presentation.start', { presentation: 'demo' }, 'bad_request', 'wall'],
    ['presentation.start', { presentation: 'demo', wall: 'nowhere' }, 'not_found', 'wall'],
    ['presentation.start', { presentation: 'demo', wall: 'main', rehearsal: 'yes' }, 'bad_request', 'rehearsal'],
    ['presentation.start', { presentation: 'demo', wall: 'main', step: 3 }, 'bad_request', 'step'],
    ['presentation.start', { presentation: 'demo', wall: 'main', step: 'one' }, 'bad_request', 'step'],
    ['presentation.next', {}, 'bad_request', 'wall'],
    ['presentation.next', { wall: 'main' }, 'not_found', 'wall'],
    ['presentation.prev', { rehearsal: true }, 'not_found', 'rehearsal'],
    ['presentation.stop', { wall: 5 }, 'bad_request', 'wall'],
  ];
  for (const [op, fields, code, field] of cases) expectError(await a.request(op, fields), code, field);
  await a.request('presentation.start', { presentation: 'demo', wall: 'main' });
  for (const step of [-1, 3, 1.5, null]) {
    expectError(await a.request('presentation.goto', { wall: 'main', step }), 'bad_request', 'step');
  }
  expectError(await a.request('presentation.goto', { wall: 'main' }), 'bad_request', 'step');
  assert.equal((await currentWall(b)).version, wall.version + 1, 'only the good start changed the wall');
});

test('a viewer never receives notes; a presenter does; a viewer may not present', async (t) => {
  const config = await authConfig({
    users: [{ name: 'pia', role: 'presenter', password: 'pia-password-1' }],
    tokens: [{ name: 'wall-pc', token: 'a-long-wall-display-token-0123456789' }],
    overrides: { presentations: presentations({ dwell: 0.3 }) },
  });
  const server = await serverFor(t, { config });
  const { client: viewer } = await connectAs(t, server, { token: 'a-long-wall-display-token-0123456789' });
  const { cookie } = await login(server, 'pia', 'pia-password-1');
  const { client: presenter } = await connectAs(t, server, { cookie });
  expectError(await viewer.request('presentation.list'), 'forbidden');
  expectError(await viewer.request('presentation.start', { presentation: 'demo', wall: 'main' }), 'forbidden');
  const list = await presenter.request('presentation.list');
  assert.equal(list.ok.presentations[0].steps[1].notes, NOTE_1);
  await presenter.request('presentation.start', { presentation: 'demo', wall: 'main' });
  await presenter.request('presentation.next', { wall: 'main' });
  await viewer.waitFor((m) => isPresentation(m) && m.state?.step === 2, 3000);
  await presenter.request('presentation.start', { presentation: 'demo', wall: 'main', rehearsal: true, step: 1 });
  await presenter.waitFor((m) => isPresentation(m) && m.mode === 'rehearsal' && m.state?.step === 2, 3000);
  await presenter.request('presentation.stop', { wall: 'main' });
  await viewer.waitFor((m) => isPresentation(m) && m.state === null);
  for (const m of viewer.messages) {
    const text = JSON.stringify(m);
    assert.doesNotMatch(text, /NOTE-/, `a viewer message carries a note: ${text.slice(0, 300)}`);
    assert.ok(!(isPresentation(m) && m.mode === 'rehearsal'), 'a viewer never hears of rehearsals');
  }
  assert.ok(presentationEvents(viewer).length >= 3);
});

test('--check-config names the exact path of a bad presentation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-pres-'));
  try {
    const bad = [
      [(p) => { p[0].steps[1].preset = 'x'; }, 'presentations[0].steps[1]'],
      [(p) => { delete p[0].steps[2].layout; }, 'presentations[0].steps[2]'],
      [(p) => { p[1].steps[0].preset = 3; }, 'presentations[1].steps[0].preset'],
      [(p) => { p[0].steps[0].caption = { en: 'x', fr: 'y' }; }, 'presentations[0].steps[0].caption.fr'],
      [(p) => { p[0].steps[1].notes = 5; }, 'presentations[0].steps[1].notes'],
      [(p) => { p[0].steps[1].dwell_s = -1; }, 'presentations[0].steps[1].dwell_s'],
      [(p) => { p[0].steps[0].layout.tiles[0].source = 'cam-nowhere'; }, 'presentations[0].steps[0].layout.tiles[0].source'],
      [(p) => { p[0].steps[0].layout.tiles[0].w = 5; }, 'presentations[0].steps[0].layout.tiles[0]'],
      [(p) => { p[0].steps = []; }, 'presentations[0].steps'],
      [(p) => { p[1].id = 'demo'; }, 'presentations[1].id'],
      [(p) => { p[0].colour = 'red'; }, 'presentations[0].colour'],
      [(p) => { p[0].steps[0].speed = 1; }, 'presentations[0].steps[0].speed'],
    ];
    for (const [i, [change, path]] of bad.entries()) {
      const p = structuredClone(presentations());
      change(p);
      const file = join(dir, `bad-${i}.json`);
      writeFileSync(file, JSON.stringify(testConfig({ presentations: p }), null, 2));
      const result = await runPantau(['--check-config', file, ...pluginDirArgs()]);
      assert.equal(result.code, 2, `case ${i}: ${result.output}`);
      const paths = diagnostics(result.output).map((d) => d.path);
      assert.ok(paths.includes(path), `case ${i}: ${path} in ${JSON.stringify(paths)}\n${result.output}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/present is served; /slides/ serves images and JSON of the slides folder only', async (t) => {
  const server = await serverFor(t, { config: configWith() });
  const slides = join(dirname(server.configPath), 'slides');
  mkdirSync(join(slides, 'sub'), { recursive: true });
  writeFileSync(join(slides, 'a.png'), 'png-bytes');
  writeFileSync(join(slides, 'sub', 'b.jpg'), 'jpg-bytes');
  writeFileSync(join(slides, 'c.json'), '{"title": "x"}');
  writeFileSync(join(slides, 'd.txt'), 'text');
  symlinkSync(server.configPath, join(slides, 'out.json'));
  const page = await httpRequest(server, 'GET', '/present');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /text\/html/);
  assert.match(page.body, /src="\/static\/js\/present.js"/);
  const png = await httpRequest(server, 'GET', '/slides/a.png');
  assert.equal(png.status, 200);
  assert.equal(png.headers['content-type'], 'image/png');
  assert.equal(png.body, 'png-bytes');
  assert.equal((await httpRequest(server, 'GET', '/slides/sub/b.jpg')).headers['content-type'], 'image/jpeg');
  assert.equal((await httpRequest(server, 'GET', '/slides/c.json')).json.title, 'x');
  for (const path of ['/slides/d.txt', '/slides/missing.png', '/slides/out.json', '/slides/', '/slides/../pantau.json',
    '/slides/%2e%2e/pantau.json', '/slides/sub/%2e%2e/%2e%2e/pantau.json']) {
    const res = await httpRequest(server, 'GET', path);
    assert.ok(res.status === 404 || res.status === 403, `${path}: ${res.status}`);
    assert.ok(!res.body.includes('presentations'), `${path} leaks the config`);
  }
});
