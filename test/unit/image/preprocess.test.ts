import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage } from '../../../src/engine/image/decode';
import { preprocess, type PreprocessTarget } from '../../../src/engine/image/preprocess';
import { resizePlane } from '../../../src/engine/image/resize';
import { createRgbaImage, type RgbaImage } from '../../../src/engine/image/rgbaImage';
import { writePng } from './encoders';

const mnist: PreprocessTarget = { shape: [28, 28, 1], toInput: (v) => v / 255 };

/** A light-paper image with dark rectangles drawn on it. */
function paper(width: number, height: number, rects: Array<[number, number, number, number]>, ink = 20): RgbaImage {
  const img = createRgbaImage(width, height, [250, 248, 245, 255]);
  for (const [x0, y0, w, h] of rects) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img.data.set([ink, ink, ink, 255], 4 * (y * width + x));
  }
  return img;
}

/** Centre of mass with pixel centres at i + 0.5 (so the centre of a 28-pixel field is 14). */
function centreOfMass(pixels: ArrayLike<number>, width: number): [number, number] {
  let [m, mx, my] = [0, 0, 0];
  for (let i = 0; i < pixels.length; i++) {
    m += pixels[i];
    mx += pixels[i] * ((i % width) + 0.5);
    my += pixels[i] * (Math.floor(i / width) + 0.5);
  }
  return [mx / m, my / m];
}

/** Bounding box [x0, y0, x1, y1] of the non-zero pixels. */
function contentBox(pixels: ArrayLike<number>, width: number): number[] {
  const box = [Infinity, Infinity, -1, -1];
  for (let i = 0; i < pixels.length; i++) {
    if (pixels[i] === 0) continue;
    const [x, y] = [i % width, Math.floor(i / width)];
    box[0] = Math.min(box[0], x);
    box[1] = Math.min(box[1], y);
    box[2] = Math.max(box[2], x);
    box[3] = Math.max(box[3], y);
  }
  return box;
}

function mnistLikeSamples(): number[] {
  // A dark-background 28×28 "1" with anti-aliased edges, every gray level 0..255 used somewhere.
  return Array.from({ length: 784 }, (_, i) => {
    const [x, y] = [i % 28, Math.floor(i / 28)];
    return y >= 4 && y < 24 && x >= 12 && x < 16 ? 255 : (i * 37) % 256 < 200 || x < 2 || y < 2 || x > 25 || y > 25 ? 0 : (i * 37) % 256;
  });
}

test('none: a 28×28 8-bit grayscale PNG feeds exactly value/255', () => {
  const samples = mnistLikeSamples();
  const img = decodeImage(writePng({ width: 28, height: 28, colorType: 0, bitDepth: 8, samples }), 'digit.png');
  for (const mode of ['none', 'auto'] as const) {
    const out = preprocess(img, mnist, mode);
    assert.deepEqual(out.steps, []);
    assert.deepEqual(Array.from(out.pixels), samples);
    assert.equal(out.input.length, 784);
    for (let i = 0; i < 784; i++) assert.ok(Object.is(out.input[i], Math.fround(samples[i] / 255)), `pixel ${i}`);
    assert.match(out.note, /used as is \(28×28 grayscale\)/);
  }
});

test('none: RGB model gets R, G, B in HWC order, toInput sees each channel index', () => {
  const img = createRgbaImage(2, 1);
  img.data.set([10, 20, 30, 255, 40, 50, 60, 255]);
  const seen: number[] = [];
  const out = preprocess(img, { shape: [1, 2, 3], toInput: (v, c) => (seen.push(c), v * 2 + c) }, 'none');
  assert.deepEqual(Array.from(out.pixels), [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(Array.from(out.input), [20, 41, 62, 80, 101, 122]);
  assert.deepEqual(seen, [0, 1, 2, 0, 1, 2]);
});

test('none: grayscale is ITU-R 601 luma', () => {
  const img = createRgbaImage(3, 1);
  img.data.set([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]);
  const out = preprocess(img, { shape: [1, 3, 1], toInput: (v) => v }, 'none');
  assert.deepEqual(Array.from(out.pixels), [Math.round(0.299 * 255), Math.round(0.587 * 255), Math.round(0.114 * 255)]);
});

test('resize: area averaging when shrinking, bilinear when enlarging', () => {
  const src = Float32Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
  // 4×4 → 2×2: each output is the mean of a 2×2 block.
  assert.deepEqual(Array.from(resizePlane(src, 4, 4, 2, 2)), [25, 45, 105, 125]);
  // 3 → 2 columns: output 0 covers source [0, 1.5): (a + b/2) / 1.5.
  const three = resizePlane(Float32Array.from([0, 30, 90]), 3, 1, 2, 1);
  assert.ok(Math.abs(three[0] - (0 + 15) / 1.5) < 1e-5 && Math.abs(three[1] - (15 + 90) / 1.5) < 1e-5);
  // 2 → 4: sample points at -0.25, 0.25, 0.75, 1.25 in source pixels, clamped at the edges.
  assert.deepEqual(Array.from(resizePlane(Float32Array.from([0, 100]), 2, 1, 4, 1)), [0, 25, 75, 100]);
});

test('fit: a dark bar on light paper ends on black, inside the central 20×20 box, centred by mass', () => {
  const img = paper(200, 100, [[40, 45, 120, 18]]);
  for (const mode of ['fit', 'auto'] as const) {
    const out = preprocess(img, mnist, mode);
    // The paper is tinted (250, 248, 245), so the image is colour and first made grey. Paper 250 and ink 20
    // are not 0 and 255 once inverted: the levels are stretched too.
    assert.deepEqual(out.steps, ['RGB → grey', 'inverted', 'levels stretched', 'cropped', 'scaled', 'centred']);
    assert.match(out.note, /inverted the light background/);
    for (const i of [0, 27, 28 * 27, 783]) assert.equal(out.pixels[i], 0, 'corners are background');
    const [x0, y0, x1, y1] = contentBox(out.pixels, 28);
    assert.ok(x0 >= 4 && y0 >= 4 && x1 <= 23 && y1 <= 23, `content box ${[x0, y0, x1, y1]}`);
    assert.equal(x1 - x0 + 1, 20, 'the longer side fills the 20-pixel box');
    assert.equal(Math.max(...out.pixels), 255, 'ink stretched to full white');
    const [cx, cy] = centreOfMass(out.pixels, 28);
    assert.ok(Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5, `centre of mass (${cx}, ${cy})`);
  }
});

test('fit: aspect kept for a tall stroke, and an asymmetric shape is centred by mass, not by box', () => {
  const tall = preprocess(paper(100, 300, [[45, 30, 10, 240]]), mnist, 'fit');
  const [tx0, ty0, tx1, ty1] = contentBox(tall.pixels, 28);
  assert.equal(ty1 - ty0 + 1, 20);
  assert.ok(tx1 - tx0 + 1 <= 2, `width ${tx1 - tx0 + 1} for a 1:24 stroke`);

  // An "L": long vertical bar plus a foot; its mass sits left of its box centre.
  const ell = preprocess(paper(300, 300, [[100, 50, 30, 200], [100, 220, 100, 30]]), mnist, 'fit');
  const [cx, cy] = centreOfMass(ell.pixels, 28);
  assert.ok(Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5, `centre of mass (${cx}, ${cy})`);
  const [x0, , x1] = contentBox(ell.pixels, 28);
  assert.ok((x0 + x1 + 1) / 2 > 14.5, 'the box is shifted right so the mass is centred');
});

test('fit: scales to the model size proportionally (56×56 → 40-pixel box)', () => {
  const out = preprocess(paper(200, 100, [[40, 45, 120, 18]]), { shape: [56, 56, 1], toInput: (v) => v }, 'fit');
  const [x0, , x1] = contentBox(out.pixels, 56);
  assert.equal(x1 - x0 + 1, 40);
  const [cx, cy] = centreOfMass(out.pixels, 56);
  assert.ok(Math.abs(cx - 28) <= 0.5 && Math.abs(cy - 28) <= 0.5);
});

test('auto: a light-background 28×28 image is fitted, a blank page gives zeros without NaN', () => {
  const light = preprocess(paper(28, 28, [[12, 4, 4, 20]]), mnist, 'auto');
  assert.deepEqual(light.steps.slice(0, 2), ['RGB → grey', 'inverted'], 'the tinted paper is colour: made grey, then inverted');
  const blank = preprocess(createRgbaImage(300, 200), mnist, 'auto');
  assert.deepEqual(blank.steps, ['inverted', 'scaled'], 'nothing to fit: the white page is inverted and scaled, nothing cropped');
  assert.match(blank.note, /nothing stands out/);
  assert.ok(blank.input.every((v) => v === 0));
});

test('auto: a colour model is never MNIST-fitted; it gets the shorter side resized and a centre crop', () => {
  const out = preprocess(paper(64, 32, [[10, 10, 20, 5]]), { shape: [16, 16, 3], toInput: (v) => v }, 'auto');
  // The paper is tinted (250, 248, 245): a colour image, so no grey → RGB step.
  assert.deepEqual(out.steps, ['resized 64×32 → 32×16', 'centre crop 16×16']);
  assert.match(out.note, /resized 64×32 → 32×16, centre crop 16×16 \(RGB\)/);
});

test('auto: only grey 28×28-input models are MNIST-fitted; a grey 32×32 model gets the plain resize', () => {
  const img = paper(200, 100, [[40, 45, 120, 18]]);
  const grey32 = preprocess(img, { shape: [32, 32, 1], toInput: (v) => v }, 'auto');
  assert.deepEqual(grey32.steps, ['RGB → grey', 'resized 200×100 → 64×32', 'centre crop 32×32']);
  assert.equal(grey32.pixels[0], Math.round(0.299 * 250 + 0.587 * 248 + 0.114 * 245), 'the light paper stays light: no inversion');
  const mnist28 = preprocess(img, mnist, 'auto');
  assert.ok(mnist28.steps.includes('centred'), 'MNIST-fitted');
  const forced = preprocess(img, { shape: [32, 32, 1], toInput: (v) => v }, 'fit');
  assert.ok(forced.steps.includes('centred'), '--preprocess fit still fits any grey model');
});

/** A width × height gray image: `value(x, y)` per pixel, alpha 255. */
function grayImage(width: number, height: number, value: (x: number, y: number) => number) {
  const img = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      img.data[o] = img.data[o + 1] = img.data[o + 2] = value(x, y);
      img.data[o + 3] = 255;
    }
  }
  return img;
}

test('steps name only what was done: white-on-black 8×8 is cropped, scaled and centred, never inverted', () => {
  // A white 4×6 block on black, off centre: the border is dark, so nothing is inverted; 0 and 255 need no stretch.
  const tiny = grayImage(8, 8, (x, y) => (x >= 1 && x < 5 && y >= 1 && y < 7 ? 255 : 0));
  const out = preprocess(tiny, mnist, 'auto');
  assert.deepEqual(out.steps, ['cropped', 'scaled', 'centred']);
  assert.doesNotMatch(out.note, /inverted/);
  // The same through a 16-bit gray PNG (65535 = white): identical steps.
  const samples = Array.from({ length: 64 }, (_, i) => (tiny.data[4 * i] === 255 ? 65535 : 0));
  const png = decodeImage(writePng({ width: 8, height: 8, colorType: 0, bitDepth: 16, samples }), 'tiny16.png');
  assert.deepEqual(preprocess(png, mnist, 'auto').steps, ['cropped', 'scaled', 'centred']);
});

test('steps: dim grey strokes on black get a levels stretch; an MNIST-sized centred 20×20 digit in fit mode is left alone', () => {
  const dim = grayImage(40, 40, (x, y) => (x >= 10 && x < 30 && y >= 5 && y < 35 ? 120 : 0));
  assert.deepEqual(preprocess(dim, mnist, 'fit').steps, ['levels stretched', 'cropped', 'scaled', 'centred']);
  // 20×20 white square at (4, 4) in 28×28: already cropped to size and centred by mass.
  const mnistLike = grayImage(28, 28, (x, y) => (x >= 4 && x < 24 && y >= 4 && y < 24 ? 255 : 0));
  const out = preprocess(mnistLike, mnist, 'fit');
  assert.deepEqual(out.steps, [], 'cropped to its box and put back where it was: no visible step');
  assert.deepEqual(Array.from(out.pixels), Array.from({ length: 784 }, (_, i) => mnistLike.data[4 * i]), 'pixels unchanged');
});

test('transparency composited at decoding is the first step the badge says: "transparent → white" or "→ black"', () => {
  // 8×8 gray+alpha drawings (only the diagonal drawn): dark ink goes on white, light ink on black.
  const drawing = (ink: number) => {
    const samples: number[] = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) samples.push(ink, x === y ? 255 : 0);
    return decodeImage(writePng({ width: 8, height: 8, colorType: 4, bitDepth: 8, samples }), 'drawing.png');
  };
  const rgb: PreprocessTarget = { shape: [8, 8, 3], toInput: (v) => v / 255 };
  const dark = preprocess(drawing(0), rgb, 'none');
  assert.equal(dark.steps[0], 'transparent → white');
  assert.match(dark.note, /^transparent → white, /);
  // The composited pixels are what the model sees: off the diagonal, white.
  assert.deepEqual([...dark.pixels.slice(3, 6)], [255, 255, 255]);
  assert.equal(preprocess(drawing(255), rgb, 'none').steps[0], 'transparent → black');
  // The MNIST fit says it too, before its own steps.
  const fitted = preprocess(drawing(0), mnist, 'fit');
  assert.equal(fitted.steps[0], 'transparent → white');
  assert.ok(fitted.steps.length > 1, `then the fit's steps: ${fitted.steps.join(' · ')}`);
  // An opaque PNG says nothing about transparency.
  const opaque = decodeImage(writePng({ width: 8, height: 8, colorType: 0, bitDepth: 8, samples: new Array(64).fill(30) }), 'opaque.png');
  assert.ok(!preprocess(opaque, rgb, 'none').steps.some((s) => s.includes('transparent')));
});
