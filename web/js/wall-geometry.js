// Wall geometry in "canvas" pixels: the whole wall as one picture, bezels
// included, so a tile spanning two screens keeps straight lines across the
// bezel (the pixels behind it are simply not shown).

// Size of the whole-wall canvas.
export function canvasSize(displays) {
  const bezel = displays.bezel || { x: 0, y: 0 };
  return {
    width: displays.columns * displays.width + (displays.columns - 1) * bezel.x,
    height: displays.rows * displays.height + (displays.rows - 1) * bezel.y,
  };
}

// The part of the canvas one physical display shows (0-based column, row).
export function displayRect(displays, column, row) {
  const bezel = displays.bezel || { x: 0, y: 0 };
  return {
    x: column * (displays.width + bezel.x),
    y: row * (displays.height + bezel.y),
    width: displays.width,
    height: displays.height,
  };
}

// The canvas rectangle a view shows: one display, or the whole wall.
export function viewportRect(displays, display) {
  if (display) return displayRect(displays, display.column, display.row);
  return { x: 0, y: 0, ...canvasSize(displays) };
}

// Where a layout tile lies on the canvas: the layout grid is spread evenly
// over the whole canvas.
export function tileRect(layout, canvas, tile) {
  const cellWidth = canvas.width / layout.columns;
  const cellHeight = canvas.height / layout.rows;
  return {
    x: tile.x * cellWidth,
    y: tile.y * cellHeight,
    width: tile.w * cellWidth,
    height: tile.h * cellHeight,
  };
}

export function intersects(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width &&
         a.y < b.y + b.height && b.y < a.y + a.height;
}

// Parses "C,R" (0-based column,row); null when absent or malformed.
export function parseDisplayParam(text) {
  const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text || '');
  return match ? { column: Number(match[1]), row: Number(match[2]) } : null;
}

// Whether a display position exists on a wall.
export function displayExists(displays, display) {
  return display.column < displays.columns && display.row < displays.rows;
}

// Text on a wall is sized for the operators' distance (issue 13): at least
// this share of a screen's height per metre of viewing distance. 0.93 % per
// metre is 40 px on a 1080p screen at 4 m, about 25 mm on a 55-inch panel,
// what a character needs to be read from there.
export const TEXT_SHARE_PER_METRE = 0.0093;
export const VIEWING_DISTANCE_DEFAULT_M = 4;

// The wall text size in CSS pixels for a view (viewportRect) of a wall
// drawn `stageHeight` CSS pixels high: the same share of every screen's
// height, whether the page shows one screen or spans the whole wall.
export function wallTextSize(wall, view, stageHeight) {
  const screenHeight = stageHeight * (wall.displays.height / view.height);
  const distance = wall.viewing_distance_m || VIEWING_DISTANCE_DEFAULT_M;
  return screenHeight * distance * TEXT_SHARE_PER_METRE;
}
