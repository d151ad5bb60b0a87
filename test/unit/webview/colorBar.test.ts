import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorBarModel, colorBarPixels } from '../../../webview/colorBar';
import { titleText } from '../../../src/protocol/methodTitle';

const column = (data: Uint8ClampedArray, x: number) => Array.from(data.subarray(x * 4, x * 4 + 3));

test('signed bwr bar: blue … white … red, labelled R_i ≪ 0, 0, R_i ≫ 0 with a real subscript', () => {
  const model = colorBarModel('bwr', false);
  assert.equal(model.from, 0);
  assert.equal(model.to, 1);
  assert.deepEqual(model.labels.map((l) => [l.at, titleText(l.title), l.align]), [
    [0, 'Ri ≪ 0', 'start'],
    [0.5, '0', 'center'],
    [1, 'Ri ≫ 0', 'end'],
  ]);
  assert.deepEqual(model.labels[0].title[1], { text: 'i', sub: true });
  assert.match(model.description, /blue for Ri ≪ 0, white for 0, red for Ri ≫ 0/);

  const pixels = colorBarPixels(model, 257, 2);
  assert.equal(pixels.width, 257);
  assert.deepEqual(column(pixels.data, 0), [0, 0, 255]);
  assert.deepEqual(column(pixels.data, 128), [255, 255, 255]);
  assert.deepEqual(column(pixels.data, 256), [255, 0, 0]);
  // second row repeats the first
  assert.deepEqual(column(pixels.data, 257 + 64), column(pixels.data, 64));
});

test('non-negative maps show the upper half only, starting at 0', () => {
  const model = colorBarModel('bwr', true);
  assert.equal(model.from, 0.5);
  assert.deepEqual(model.labels.map((l) => titleText(l.title)), ['0', 'Ri ≫ 0']);
  const pixels = colorBarPixels(model, 101, 1);
  assert.deepEqual(column(pixels.data, 0), [255, 255, 255]);
  assert.deepEqual(column(pixels.data, 100), [255, 0, 0]);
  // every column is white → red: r = 255 and g = b
  for (let x = 0; x < 101; x++) {
    const [r, g, b] = column(pixels.data, x);
    assert.equal(r, 255);
    assert.equal(g, b);
  }
});

test('other colour maps describe their own colours', () => {
  assert.match(colorBarModel('gray', false).description, /black for Ri ≪ 0, gray for 0, white/);
  assert.deepEqual(column(colorBarPixels(colorBarModel('coldnhot', false), 3, 1).data, 1), [0, 0, 0]);
});
