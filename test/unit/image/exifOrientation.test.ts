import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyExifOrientation } from '../../../src/engine/image/exifOrientation';
import type { RgbaImage } from '../../../src/engine/image/rgbaImage';

// Images as rows of labels; the reference turns them with two plain operations.
type Grid = number[][];
const flipH = (g: Grid): Grid => g.map((row) => [...row].reverse());
const rotateCw = (g: Grid): Grid => g[0].map((_, x) => g.map((row) => row[x]).reverse());
const times = (n: number, f: (g: Grid) => Grid) => (g: Grid) => Array.from({ length: n }).reduce<Grid>((a) => f(a), g);

// EXIF 2.3, tag 0x0112: what to do to the stored image to display it.
const REFERENCE: Record<number, (g: Grid) => Grid> = {
  1: (g) => g,
  2: flipH,
  3: times(2, rotateCw),
  4: (g) => [...g].reverse(),
  5: (g) => times(3, rotateCw)(flipH(g)),
  6: rotateCw,
  7: (g) => rotateCw(flipH(g)),
  8: times(3, rotateCw),
};

function toImage(g: Grid): RgbaImage {
  const [h, w] = [g.length, g[0].length];
  const data = new Uint8ClampedArray(w * h * 4);
  g.flat().forEach((v, i) => data.set([v, v, v, 255], 4 * i));
  return { width: w, height: h, data };
}

function toGrid(img: RgbaImage): Grid {
  return Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => img.data[4 * (y * img.width + x)]));
}

test('every EXIF orientation turns the image as the spec says', () => {
  const stored: Grid = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  for (let o = 1; o <= 8; o++) assert.deepEqual(toGrid(applyExifOrientation(toImage(stored), o)), REFERENCE[o](stored), `orientation ${o}`);
});
