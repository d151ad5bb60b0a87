import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { colorBar, colorBarGradient } from '../../../src/engine/heatmap/colorBar';
import { colormap } from '../../../src/engine/heatmap/colormaps';
import { COLORMAPS } from '../../../src/protocol/display';
import { percentileOfMagnitudes, relevanceScale } from '../../../src/engine/heatmap/normalize';
import { encodePng } from '../../../src/engine/heatmap/png';
import { renderHeatmap } from '../../../src/engine/heatmap/render';
import { decodeImage } from '../../../src/engine/image/decode';
import type { RgbaImage } from '../../../src/engine/image/rgbaImage';

function rgb(img: RgbaImage, x: number, y = 0): number[] {
  const i = 4 * (y * img.width + x);
  return Array.from(img.data.subarray(i, i + 3));
}

const BLUE = [0, 0, 255];
const WHITE = [255, 255, 255];
const RED = [255, 0, 0];

test('bwr: exactly blue at −max, white at 0, red at +max, halfway at ±max/2', () => {
  const img = renderHeatmap(Float32Array.from([-2, 0, 2, 1, -1]), [1, 5], { colormap: 'bwr', normalization: { kind: 'max' } });
  assert.deepEqual(rgb(img, 0), BLUE);
  assert.deepEqual(rgb(img, 1), WHITE);
  assert.deepEqual(rgb(img, 2), RED);
  // t = 0.75: halfway from white to red, 127.5 rounds to 128.
  assert.deepEqual(rgb(img, 3), [255, 128, 128]);
  assert.deepEqual(rgb(img, 4), [128, 128, 255]);
  assert.ok(Array.from({ length: 5 }, (_, x) => img.data[4 * x + 3]).every((a) => a === 255));
});

test('percentile of |R| interpolates between ranks like numpy, ignoring NaN and ±∞', () => {
  const oneToHundred = Float32Array.from({ length: 100 }, (_, i) => (i % 2 ? -(i + 1) : i + 1));
  // rank 0.995·99 = 98.505 → 99 + 0.505·(100 − 99)
  assert.ok(Math.abs(percentileOfMagnitudes(oneToHundred, 99.5) - 99.505) < 1e-9);
  assert.equal(percentileOfMagnitudes(oneToHundred, 50), 50.5);
  assert.equal(percentileOfMagnitudes(oneToHundred, 100), 100);
  assert.equal(percentileOfMagnitudes(oneToHundred, 0), 1);
  assert.equal(percentileOfMagnitudes(Float32Array.from([NaN, 3, -Infinity, -1]), 100), 3);
  assert.equal(percentileOfMagnitudes(Float32Array.from([4, -2, 0]), 25), 1); // sorted 0,2,4: rank 0.5
});

test('values beyond the robust maximum saturate; a sparse map falls back to the plain maximum', () => {
  const r = new Float32Array(1000).fill(1);
  r[0] = 1000;
  r[1] = 0.5;
  assert.equal(relevanceScale(r), 1);
  const img = renderHeatmap(r, [1, 1000], { colormap: 'bwr' });
  assert.deepEqual(rgb(img, 0), RED, 'the outlier clips to the end of the map');
  assert.deepEqual(rgb(img, 2), RED);
  assert.deepEqual(rgb(img, 1), [255, 128, 128]);

  const sparse = new Float32Array(1000);
  sparse[5] = 0.2;
  sparse[9] = -0.4;
  assert.equal(percentileOfMagnitudes(sparse, 99.5), 0);
  assert.ok(Math.abs(relevanceScale(sparse) - 0.4) < 1e-7);
  const s = renderHeatmap(sparse, [1, 1000], { colormap: 'bwr' });
  assert.deepEqual(rgb(s, 9), BLUE);
  assert.deepEqual(rgb(s, 5), [255, 128, 128]);
  assert.deepEqual(rgb(s, 0), WHITE);
});

test('symmetric: −R gives the mirror colour of R (red and blue swapped)', () => {
  let seed = 7;
  const r = Float32Array.from({ length: 200 }, () => ((seed = (seed * 16807) % 2147483647), seed / 2147483647 - 0.5));
  const neg = r.map((v) => -v);
  const a = renderHeatmap(r, [10, 20], { colormap: 'bwr' });
  const b = renderHeatmap(neg, [10, 20], { colormap: 'bwr' });
  for (let i = 0; i < 200; i++) {
    const [x, y] = [i % 20, Math.floor(i / 20)];
    const [r1, g1, b1] = rgb(a, x, y);
    assert.deepEqual(rgb(b, x, y), [b1, g1, r1]);
  }
});

test('a non-negative map (sensitivity) is white to red only; an all-zero map is white without NaN', () => {
  const sens = Float32Array.from({ length: 64 }, (_, i) => (i * i) / 100);
  const img = renderHeatmap(sens, [8, 8], { colormap: 'bwr' });
  for (let i = 0; i < 64; i++) {
    assert.equal(img.data[4 * i], 255, 'red channel stays full');
    assert.equal(img.data[4 * i + 1], img.data[4 * i + 2], 'green = blue: on the white-red line');
  }
  assert.deepEqual(rgb(img, 0), WHITE);
  const zeros = renderHeatmap(new Float32Array(16), [4, 4], { colormap: 'bwr', normalization: { kind: 'max' } });
  assert.ok(zeros.data.every((v) => v === 255));
  const nan = renderHeatmap(Float32Array.from([NaN, 0, NaN, 0]), [2, 2], { colormap: 'bwr' });
  assert.ok(nan.data.every((v) => v === 255));
});

test('overlay: opacity·heatmap + (1 − opacity)·input, gray or RGB input', () => {
  const r = Float32Array.from([1, -1, 0]);
  const gray = renderHeatmap(r, [1, 3], { colormap: 'bwr', normalization: { kind: 'max' }, overlay: { pixels: [100, 200, 0], opacity: 0.25 } });
  assert.deepEqual(rgb(gray, 0), [Math.round(0.25 * 255 + 0.75 * 100), 75, 75]);
  assert.deepEqual(rgb(gray, 1), [150, 150, Math.round(0.25 * 255 + 0.75 * 200)]);
  assert.deepEqual(rgb(gray, 2), [64, 64, 64]); // 0.25·255 = 63.75
  const color = renderHeatmap(r, [1, 3], {
    colormap: 'bwr',
    normalization: { kind: 'max' },
    overlay: { pixels: [10, 20, 30, 40, 50, 60, 70, 80, 90], opacity: 0.5 },
  });
  assert.deepEqual(rgb(color, 0), [Math.round(0.5 * 255 + 5), 10, 15]);
  assert.deepEqual(rgb(color, 2), [Math.round(127.5 + 35), Math.round(127.5 + 40), Math.round(127.5 + 45)]);
});

test('overlay by relevance: each pixel\'s opacity is opacity·min(1, |R|/scale), hand-computed', () => {
  // max |R| = 2 (the "max" normalisation): |R| = 2, 1, 0.5, 0 → opacity 0.8, 0.4, 0.2, 0.
  const r = Float32Array.from([2, -1, 0.5, 0]);
  const input = [100, 200, 40, 90];
  const img = renderHeatmap(r, [1, 4], { colormap: 'bwr', normalization: { kind: 'max' }, overlay: { pixels: input, opacity: 0.8, byRelevance: true } });
  // bwr: +2 → t = 1, red (255, 0, 0); −1 → t = 0.25, halfway blue→white (127.5, 127.5, 255); +0.5 → t = 0.625.
  const blend = (a: number, heat: number[], base: number) => heat.map((h) => Math.round(a * h + (1 - a) * base));
  assert.deepEqual(rgb(img, 0), blend(0.8, [255, 0, 0], 100));
  const bwr = colormap('bwr');
  assert.deepEqual(rgb(img, 1), blend(0.4, bwr.rgbAt(0.25), 200));
  assert.deepEqual(rgb(img, 2), blend(0.2, bwr.rgbAt(0.625), 40));
  assert.deepEqual(rgb(img, 3), [90, 90, 90], 'no relevance: the input unchanged');
  // Above the percentile scale the opacity is capped at the slider's: R = 4 with a 50th-percentile scale of 1.
  const capped = renderHeatmap(Float32Array.from([4, 1, 1, 0]), [1, 4], { colormap: 'bwr', normalization: { kind: 'percentile', p: 50 }, overlay: { pixels: [0, 0, 0, 0], opacity: 0.5, byRelevance: true } });
  assert.equal(relevanceScale(Float32Array.from([4, 1, 1, 0]), { kind: 'percentile', p: 50 }), 1);
  assert.deepEqual(rgb(capped, 0), blend(0.5, [255, 0, 0], 0));
  // Off, the same map blends every pixel at the slider's opacity.
  const flat = renderHeatmap(r, [1, 4], { colormap: 'bwr', normalization: { kind: 'max' }, overlay: { pixels: input, opacity: 0.8 } });
  assert.deepEqual(rgb(flat, 3), blend(0.8, [255, 255, 255], 90));
});

test('scale enlarges each value into a crisp square', () => {
  const img = renderHeatmap(Float32Array.from([-1, 1]), [1, 2], { colormap: 'bwr', scale: 3 });
  assert.equal(img.width, 6);
  assert.equal(img.height, 3);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 6; x++) assert.deepEqual(rgb(img, x, y), x < 3 ? BLUE : RED);
});

test('colour maps: 256-entry tables with exact end points', () => {
  for (const name of COLORMAPS) assert.equal(colormap(name).lut.length, 768);
  const gray = colormap('gray');
  for (let i = 0; i < 256; i++) assert.deepEqual(Array.from(gray.lut.subarray(3 * i, 3 * i + 3)), [i, i, i]);
  const bwr = colormap('bwr').lut;
  assert.deepEqual(Array.from(bwr.subarray(0, 3)), BLUE);
  assert.deepEqual(Array.from(bwr.subarray(765)), RED);
  assert.deepEqual(colormap('coldnhot').rgbAt(0.5), [0, 0, 0]);
  assert.deepEqual(colormap('viridis').rgbAt(0), [0x44, 0x01, 0x54]);
  assert.deepEqual(colormap('viridis').rgbAt(1), [0xfd, 0xe7, 0x25]);
});

test('colour bar: blue at the left, white in the middle, red at the right', () => {
  const bar = colorBar('bwr', 101, 4);
  assert.deepEqual(rgb(bar, 0, 3), BLUE);
  assert.deepEqual(rgb(bar, 50, 0), WHITE);
  assert.deepEqual(rgb(bar, 100, 2), RED);
  assert.match(colorBarGradient('bwr', 3), /^linear-gradient\(to right, rgb\(0, 0, 255\) 0\.00%, rgb\(255, 255, 255\) 50\.00%, rgb\(255, 0, 0\) 100\.00%\)$/);
});

test('PNG round trip', () => {
  const img = renderHeatmap(Float32Array.from({ length: 12 }, (_, i) => i - 6), [3, 4], { colormap: 'viridis', scale: 2 });
  const bytes = encodePng(img);
  const back = PNG.sync.read(Buffer.from(bytes));
  assert.equal(back.width, 8);
  assert.equal(back.height, 6);
  assert.deepEqual(Array.from(back.data), Array.from(img.data));
  assert.deepEqual(Array.from(decodeImage(bytes, 'h.png').data), Array.from(img.data));
});
