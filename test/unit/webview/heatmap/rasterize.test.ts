import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DisplaySettings } from '../../../../src/protocol/display';
import { displayedHeatmap, heatmapRgba, inputRgba, integerScale, isNonNegative, upscale } from '../../../../webview/heatmap/rasterize';

const pixel = (data: Uint8ClampedArray, i: number) => Array.from(data.subarray(i * 4, i * 4 + 4));

test('bwr with max normalisation: hand-computed colours of a 2×3 map', () => {
  // scale = max |R| = 4, t = 0.5 + R/8
  const relevance = [-2, -1, 0, 1, 2, 4];
  const image = heatmapRgba(relevance, [2, 3], { colormap: 'bwr', normalization: { kind: 'max' } });
  assert.equal(image.width, 3);
  assert.equal(image.height, 2);
  const expected = [
    [128, 128, 255, 255], // t 0.25: halfway blue → white (127.5 rounds up)
    [191, 191, 255, 255], // t 0.375: 255 · 0.75 = 191.25
    [255, 255, 255, 255], // 0 is exact white
    [255, 191, 191, 255], // t 0.625
    [255, 128, 128, 255], // t 0.75
    [255, 0, 0, 255], // t 1
  ];
  expected.forEach((rgba, i) => assert.deepEqual(pixel(image.data, i), rgba, `pixel ${i}`));
});

test('bwr with the 99.5th percentile: values beyond the robust max saturate', () => {
  // |R| = 0..99 and one outlier 1000: percentile 99.5 of 101 values → rank 99.5 → 99 + 0.5 · 901 = 549.5
  const relevance = [...Array.from({ length: 100 }, (_, i) => i), -1000];
  const image = heatmapRgba(relevance, [1, 101], { colormap: 'bwr', normalization: { kind: 'percentile', p: 99.5 } });
  const scale = 549.5;
  for (const i of [0, 10, 50, 99]) {
    const t = 0.5 + relevance[i] / (2 * scale);
    const g = Math.round(255 - 255 * ((t - 0.5) / 0.5));
    assert.deepEqual(pixel(image.data, i), [255, g, g, 255], `pixel ${i}`);
  }
  assert.deepEqual(pixel(image.data, 100), [0, 0, 255, 255]); // −1000 < −549.5: saturated blue
});

test('a non-negative map (Sensitivity) only uses white → red', () => {
  const image = heatmapRgba([0, 1, 2, 3], [2, 2], { colormap: 'bwr', normalization: { kind: 'max' } });
  for (let i = 0; i < 4; i++) {
    const [r, g, b] = pixel(image.data, i);
    assert.equal(r, 255);
    assert.equal(g, b);
  }
  assert.deepEqual(pixel(image.data, 0), [255, 255, 255, 255]);
  assert.deepEqual(pixel(image.data, 3), [255, 0, 0, 255]);
});

test('inputRgba: gray repeats the channel, RGB keeps it', () => {
  const gray = inputRgba({ width: 2, height: 1, channels: 1, pixels: Uint8Array.from([0, 200]) });
  assert.deepEqual(Array.from(gray.data), [0, 0, 0, 255, 200, 200, 200, 255]);
  const rgb = inputRgba({ width: 1, height: 1, channels: 3, pixels: Uint8Array.from([10, 20, 30]) });
  assert.deepEqual(Array.from(rgb.data), [10, 20, 30, 255]);
});

test('upscale makes k×k blocks of identical pixels', () => {
  const src = inputRgba({ width: 2, height: 2, channels: 1, pixels: Uint8Array.from([1, 2, 3, 4]) });
  const big = upscale(src, 3);
  assert.equal(big.width, 6);
  assert.equal(big.height, 6);
  for (let y = 0; y < 6; y++) {
    for (let x = 0; x < 6; x++) {
      const expected = src.data[(Math.floor(y / 3) * 2 + Math.floor(x / 3)) * 4];
      assert.equal(big.data[(y * 6 + x) * 4], expected, `(${x},${y})`);
    }
  }
  assert.equal(integerScale(28, 28, 280), 10);
  assert.equal(integerScale(28, 28, 224), 8);
  assert.equal(integerScale(32, 20, 100), 3);
  assert.equal(integerScale(500, 500, 100), 1);
});

test('displayedHeatmap overlays the input only when overlay is on', () => {
  const input = { width: 2, height: 1, channels: 1, pixels: Uint8Array.from([0, 255]) };
  const display: DisplaySettings = { colormap: 'bwr', normalization: { kind: 'max' }, overlay: true, opacity: 0.5 };
  const shown = displayedHeatmap([1, -1], [1, 2], input, display);
  // red over black → (128, 0, 0); blue over white → (128, 128, 255)
  assert.deepEqual(Array.from(shown.data), [128, 0, 0, 255, 128, 128, 255, 255]);
  const plain = displayedHeatmap([1, -1], [1, 2], input, { ...display, overlay: false });
  assert.deepEqual(Array.from(plain.data), [255, 0, 0, 255, 0, 0, 255, 255]);
  // opacity 0.6 over an RGB input: 0.6·heat + 0.4·input per channel
  const rgb = { width: 1, height: 1, channels: 3, pixels: Uint8Array.from([0, 100, 200]) };
  const blended = displayedHeatmap([1], [1, 1], rgb, { ...display, opacity: 0.6 });
  assert.deepEqual(Array.from(blended.data), [153, 40, 80, 255]); // red (255,0,0) over (0,100,200)
  // a map whose size differs from the input is shown without the overlay rather than misaligned
  const mismatched = displayedHeatmap([1, 1, 1, 1], [2, 2], input, display);
  assert.deepEqual(Array.from(mismatched.data.subarray(0, 4)), [255, 0, 0, 255]); // plain red, no gray input mixed in
  // the scale argument enlarges like upscale
  assert.deepEqual(Array.from(displayedHeatmap([1, -1], [1, 2], input, display, 3).data), Array.from(upscale(shown, 3).data));
});

test('isNonNegative', () => {
  assert.equal(isNonNegative([0, 1, 2]), true);
  assert.equal(isNonNegative([0, -1e-12]), false);
});
