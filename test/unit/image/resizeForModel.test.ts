// The colour/any-size path of preprocessing against torchvision: test/fixtures/resize holds source PNGs
// and what torchvision 0.14's Resize / CenterCrop made of them on PIL images (scripts/fixtures/resize_fixtures.py).
// The engine's pixels must be the same bytes. Also: channel conversion steps and the card's resize options.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { decodeImage } from '../../../src/engine/image/decode';
import { preprocess } from '../../../src/engine/image/preprocess';
import { resizeBilinear } from '../../../src/engine/image/resizeForModel';
import { createRgbaImage } from '../../../src/engine/image/rgbaImage';

const DIR = path.resolve(__dirname, '../../fixtures/resize');

interface Case {
  source: string;
  torchvision: string;
  expected: string;
  inputShape: [number, number];
  resize: 'crop' | 'stretch';
  cropFraction: number | null;
}

const cases = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Case[];

for (const c of cases) {
  test(`RGB model input equals torchvision's ${c.torchvision} of ${c.source}, byte for byte`, () => {
    const img = decodeImage(fs.readFileSync(path.join(DIR, c.source)), c.source);
    const expected = decodeImage(fs.readFileSync(path.join(DIR, c.expected)), c.expected);
    const [h, w] = c.inputShape;
    assert.equal(expected.width, w);
    assert.equal(expected.height, h);
    const out = preprocess(img, { shape: [h, w, 3], toInput: (v) => v, resize: c.resize, cropFraction: c.cropFraction ?? 1 }, 'none');
    let differing = 0;
    for (let i = 0; i < w * h; i++) for (let ch = 0; ch < 3; ch++) if (out.pixels[i * 3 + ch] !== expected.data[i * 4 + ch]) differing++;
    assert.equal(differing, 0, `${differing} of ${w * h * 3} values differ from torchvision`);
    assert.ok(out.steps.length > 0 && out.steps[0].startsWith(`resized ${img.width}×${img.height} → `), out.steps.join('; '));
  });
}

test('bilinear resampling: enlarging interpolates, shrinking averages every source pixel (antialiased)', () => {
  // 2 → 4: PIL's sample points (j + 0.5) / 2 − 0.5 = −0.25, 0.25, 0.75, 1.25, clamped at the edges.
  assert.deepEqual(Array.from(resizeBilinear(Uint8Array.of(0, 100), 2, 1, 4, 1)), [0, 25, 75, 100]);
  // 4 → 2: the triangle widens to 2 source pixels per side: weights 1/8, 3/8, 3/8, 1/8 over [0, 4).
  const shrunk = resizeBilinear(Uint8Array.of(0, 80, 160, 240), 4, 1, 2, 1);
  assert.deepEqual(Array.from(shrunk), [Math.round((0 * 3 + 80 * 3 + 160 * 1) / 7), Math.round((80 * 1 + 160 * 3 + 240 * 3) / 7)]);
  // A one-pixel line survives a 10× reduction as a faint line instead of vanishing.
  const line = new Uint8Array(100).fill(0);
  line[55] = 255;
  assert.ok(Math.max(...resizeBilinear(line, 100, 1, 10, 1)) > 0);
});

test('grey image for an RGB model: the grey values replicated to R, G and B', () => {
  const img = createRgbaImage(4, 4, [90, 90, 90, 255]);
  img.data.set([200, 200, 200, 255], 4 * 5);
  const out = preprocess(img, { shape: [4, 4, 3], toInput: (v) => v / 255 }, 'none');
  assert.deepEqual(out.steps, ['grey → RGB']);
  assert.deepEqual(Array.from(out.pixels.subarray(15, 18)), [200, 200, 200]);
  assert.deepEqual(Array.from(out.pixels.subarray(0, 3)), [90, 90, 90]);
});

test('colour image for a grey model: ITU-R 601 luma, then the resize', () => {
  const img = createRgbaImage(2, 2, [255, 0, 0, 255]);
  const out = preprocess(img, { shape: [2, 2, 1], toInput: (v) => v }, 'none');
  assert.deepEqual(out.steps, ['RGB → grey']);
  assert.deepEqual(Array.from(out.pixels), [76, 76, 76, 76]);
});

test('stretch keeps nothing of the aspect ratio; crop with a fraction is Resize(round(s / f)) + CenterCrop(s)', () => {
  const img = createRgbaImage(100, 50, [10, 20, 30, 255]);
  const stretched = preprocess(img, { shape: [10, 10, 3], toInput: (v) => v, resize: 'stretch' }, 'none');
  assert.deepEqual(stretched.steps, ['resized 100×50 → 10×10 (aspect not kept)']);
  const cropped = preprocess(img, { shape: [224, 224, 3], toInput: (v) => v, cropFraction: 0.875 }, 'none');
  assert.deepEqual(cropped.steps, ['resized 100×50 → 512×256', 'centre crop 224×224']);
  // The crop shows source x from 144/512·100 for 224/512·100 pixels, y from 16/256·50 for 224/256·50.
  assert.deepEqual(cropped.region, { x: (144 * 100) / 512, y: (16 * 50) / 256, width: (224 * 100) / 512, height: (224 * 50) / 256 });
  assert.deepEqual(stretched.region, { x: 0, y: 0, width: 100, height: 50 });
  assert.deepEqual(Array.from(cropped.pixels.subarray(0, 3)), [10, 20, 30]);
});
