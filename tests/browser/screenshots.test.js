// scripts/screenshots.js (issue 13: the README's screenshots, taken by a
// script in the repository) run into a temporary folder: the wall and the
// console in English and Bahasa Indonesia are PNGs of 1920x1080 that show
// something (many colours, no single colour covering the picture), and
// every picture the README shows from docs/screenshots/ is one the script
// writes.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../lib/server.js';
import { launchBrowser, closeContexts } from './browser.js';
import { SHOTS, demoConfig, takeScreenshots } from '../../scripts/screenshots.js';
import { canvasSize, tileRect } from '../../web/js/wall-geometry.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const REQUIRED = ['wall-en.png', 'wall-id.png', 'console-en.png', 'console-id.png'];

let outDir, written, browser, canvasPage;

before(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'pantau-shots-'));
  written = await takeScreenshots(outDir);
  ({ browser } = await launchBrowser());
});
// The page colourSpread draws on goes at the end of each test.
afterEach(async () => {
  canvasPage = null;
  await closeContexts(browser);
});
after(async () => {
  await browser?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

// Width and height from a PNG's IHDR chunk; throws if it is no PNG.
function pngSize(bytes) {
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR', 'IHDR first');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// In the browser: the image drawn on a canvas; for each rectangle (image
// pixels), a 48x27 grid of samples in it. Resolves to one { colours, top }
// per rectangle: the number of distinct colours (in steps of 16) and the
// share of the samples taken by the most common one. One blank page per
// test draws every image (a new canvas each time).
async function colourSpread(bytes, rects) {
  canvasPage ??= await browser.newPage();
  return canvasPage.evaluate(async ({ src, rects: areas }) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    return areas.map(({ x, y, width, height }) => {
      const counts = new Map();
      for (let gy = 0; gy < 27; gy++) {
        for (let gx = 0; gx < 48; gx++) {
          const px = Math.floor(x + ((gx + 0.5) * width) / 48);
          const py = Math.floor(y + ((gy + 0.5) * height) / 27);
          const i = (py * canvas.width + px) * 4;
          const key = `${pixels[i] >> 4},${pixels[i + 1] >> 4},${pixels[i + 2] >> 4}`;
          counts.set(key, (counts.get(key) || 0) + 1);
        }
      }
      return { colours: counts.size, top: Math.max(...counts.values()) / (48 * 27) };
    });
  }, { src: `data:image/png;base64,${bytes.toString('base64')}`, rects });
}

// The rectangles (image pixels, 10% in from each edge) of the whole-wall
// picture where the demo wall's cameras and data widgets lie: the wall's
// canvas scaled to fit the picture, centred (web/js/wall-geometry.js).
function liveTileRects(image) {
  const wall = demoConfig().walls[0];
  const canvas = canvasSize(wall.displays);
  const scale = Math.min(image.width / canvas.width, image.height / canvas.height);
  const left = (image.width - canvas.width * scale) / 2;
  const top = (image.height - canvas.height * scale) / 2;
  const kinds = new Map(demoConfig().sources.map((s) => [s.id, s.type]));
  return wall.layout.tiles.filter((tile) => ['test', 'traffic', 'services', 'dchealth'].includes(kinds.get(tile.source)))
    .map((tile) => {
      const r = tileRect(wall.layout, canvas, tile);
      return {
        tile: tile.id,
        x: left + (r.x + r.width * 0.1) * scale,
        y: top + (r.y + r.height * 0.1) * scale,
        width: r.width * 0.8 * scale,
        height: r.height * 0.8 * scale,
      };
    });
}

test('the script writes the wall and the console in both languages as 1920x1080 PNGs that show something', async () => {
  assert.deepEqual(written.map((p) => p.slice(outDir.length + 1)), SHOTS.map((s) => s.file), 'one file per shot, in order');
  for (const file of REQUIRED) assert.ok(SHOTS.some((s) => s.file === file), `${file} is taken`);
  for (const shot of SHOTS) {
    const path = join(outDir, shot.file);
    const bytes = readFileSync(path);
    assert.deepEqual(pngSize(bytes), { width: 1920, height: 1080 }, `${shot.file}: size`);
    const size = statSync(path).size;
    assert.ok(size > 50000, `${shot.file}: ${size} bytes is too small for a wall or a console`);
    assert.ok(size < 1500000, `${shot.file}: ${size} bytes is too large for the README`);
    const [{ colours, top }] = await colourSpread(bytes, [{ x: 0, y: 0, width: 1920, height: 1080 }]);
    // A whole wall or console mixes many sources; one display shows a single
    // widget in a few flat colours (19 seen on a traffic list): a lower bar.
    const least = REQUIRED.includes(shot.file) ? 24 : 8;
    assert.ok(colours >= least, `${shot.file}: only ${colours} colours`);
    assert.ok(top < 0.8, `${shot.file}: one colour covers ${(top * 100).toFixed(0)}% of the picture`);
  }
});

test('the whole-wall pictures show every camera picture and every widget with its data', async () => {
  for (const file of ['wall-en.png', 'wall-id.png']) {
    const bytes = readFileSync(join(outDir, file));
    const rects = liveTileRects(pngSize(bytes));
    const spreads = await colourSpread(bytes, rects);
    rects.forEach((r, i) => {
      const { colours, top } = spreads[i];
      assert.ok(colours >= 8 && top < 0.8,
        `${file}: tile ${r.tile} shows ${colours} colours, one of them on ${(top * 100).toFixed(0)}%: no picture or no data yet`);
    });
  }
});

test('every screenshot the README shows is one the script takes', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const shown = [...readme.matchAll(/docs\/screenshots\/([\w.-]+)/g)].map((m) => m[1]);
  for (const file of REQUIRED) assert.ok(shown.includes(file), `the README shows ${file}`);
  for (const file of shown) assert.ok(SHOTS.some((s) => s.file === file), `the README's ${file} is taken by the script`);
});
