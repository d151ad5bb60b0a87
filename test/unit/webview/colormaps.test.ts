import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorAt, COLORMAP_STOPS } from '../../../webview/heatmap/colormaps';
import { COLORMAPS } from '../../../src/protocol/webviewMessages';

test('bwr: blue at −max, exact white at 0, red at +max, linear in between', () => {
  assert.deepEqual(colorAt('bwr', 0), [0, 0, 255]);
  assert.deepEqual(colorAt('bwr', 0.5), [255, 255, 255]);
  assert.deepEqual(colorAt('bwr', 1), [255, 0, 0]);
  // halfway from white to red: 255 − 127.5 rounds to 128
  assert.deepEqual(colorAt('bwr', 0.75), [255, 128, 128]);
  assert.deepEqual(colorAt('bwr', 0.25), [128, 128, 255]);
  // a tenth of the way from blue to white
  assert.deepEqual(colorAt('bwr', 0.05), [26, 26, 255]);
});

test('values outside [0, 1] clamp to the ends; NaN is the neutral middle', () => {
  assert.deepEqual(colorAt('bwr', -3), [0, 0, 255]);
  assert.deepEqual(colorAt('bwr', 7), [255, 0, 0]);
  assert.deepEqual(colorAt('bwr', Number.NaN), [255, 255, 255]);
});

test('every map passes exactly through its stops', () => {
  for (const name of COLORMAPS) {
    for (const stop of COLORMAP_STOPS[name]) assert.deepEqual(colorAt(name, stop.at), stop.rgb, `${name} at ${stop.at}`);
  }
});

test('gray is monotone and equal in all channels', () => {
  let previous = -1;
  for (let i = 0; i <= 100; i++) {
    const [r, g, b] = colorAt('gray', i / 100);
    assert.equal(r, g);
    assert.equal(g, b);
    assert.ok(r >= previous);
    previous = r;
  }
  assert.equal(colorAt('gray', 0.5)[0], 128);
});

test('coldnhot is black at 0 (t = 0.5), viridis has its documented ends', () => {
  assert.deepEqual(colorAt('coldnhot', 0.5), [0, 0, 0]);
  assert.deepEqual(colorAt('coldnhot', 0), [0, 255, 255]);
  assert.deepEqual(colorAt('coldnhot', 1), [255, 255, 255]);
  assert.deepEqual(colorAt('viridis', 0), [0x44, 0x01, 0x54]);
  assert.deepEqual(colorAt('viridis', 1), [0xfd, 0xe7, 0x25]);
  assert.deepEqual(colorAt('viridis', 0.5), [0x21, 0x91, 0x8c]);
});
