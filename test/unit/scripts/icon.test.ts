// The icon and the walkthrough's picture are the product's own drawing (scripts/icon.ts: the engine explains
// the bundled "7", the engine's renderer colours it): the committed files are exactly what the script makes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { ICON_FILE, ICON_SIZE, renderMedia, WALKTHROUGH_IMAGE } from '../../../scripts/icon';

test('media/icon.png and media/walkthrough/explain.png are what scripts/icon.ts draws', async () => {
  const { icon, walkthrough } = await renderMedia();
  assert.ok(Buffer.from(icon).equals(fs.readFileSync(ICON_FILE)), 'media/icon.png is stale: run node --import tsx scripts/icon.ts');
  assert.ok(Buffer.from(walkthrough).equals(fs.readFileSync(WALKTHROUGH_IMAGE)), 'media/walkthrough/explain.png is stale');
});

test('the icon is a 128×128 PNG: transparent corners, an opaque tile, the relevant strokes in colour', () => {
  const png = PNG.sync.read(fs.readFileSync(ICON_FILE));
  assert.equal(png.width, ICON_SIZE);
  assert.equal(png.height, ICON_SIZE);
  const at = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
  assert.equal(at(0, 0)[3], 0, 'corner transparent');
  assert.equal(at(127, 127)[3], 0);
  assert.equal(at(64, 2)[3], 255, 'edge middle opaque');
  let coloured = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i + 3] === 255 && Math.max(png.data[i], png.data[i + 1], png.data[i + 2]) > 96) coloured++;
  assert.ok(coloured > 300 && coloured < 112 * 112 / 2, `${coloured} bright pixels: the strokes, not the tile`);
});
