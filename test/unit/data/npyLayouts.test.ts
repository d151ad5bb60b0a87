// NumPy arrays of colour and odd-sized images: every layout and dtype, the ambiguous shape, and the label
// file beside an .npy. Expected pixels come from valueOf (datasetWriters.ts), never from the reader.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { makeChw, makeHwc, makeLabels, npyBytes, tempDir, valueOf } from './datasetWriters';

function write(dir: string, name: string, bytes: Uint8Array): string {
  fs.writeFileSync(path.join(dir, name), bytes);
  return path.join(dir, name);
}

/** Stored values for one dtype: uint8 as is, float32 in [0,1], float64 in [0,255]. */
function stored(descr: '|u1' | '<f4' | '<f8', pixels: Uint8Array): ArrayBufferView {
  if (descr === '|u1') return pixels;
  if (descr === '<f4') return Float32Array.from(pixels, (p) => p / 255);
  return Float64Array.from(pixels);
}

test('npy: every layout × dtype reads back as HWC pixels with the right height, width and channels', async () => {
  const dir = tempDir();
  const n = 6;
  const [h, w] = [5, 7]; // not square: a swapped height and width shows
  const cases: Array<{ shape: number[]; channels: 1 | 3; data: Uint8Array }> = [
    { shape: [n, h, w], channels: 1, data: makeHwc(n, h, w, 1) },
    { shape: [n, h, w, 1], channels: 1, data: makeHwc(n, h, w, 1) },
    { shape: [n, 1, h, w], channels: 1, data: makeChw(n, h, w, 1) },
    { shape: [n, h, w, 3], channels: 3, data: makeHwc(n, h, w, 3) },
    { shape: [n, 3, h, w], channels: 3, data: makeChw(n, h, w, 3) },
  ];
  for (const descr of ['|u1', '<f4', '<f8'] as const) {
    for (const { shape, channels, data } of cases) {
      const what = `${descr} ${shape.join('×')}`;
      const d = await openDataset(write(dir, 'x.npy', npyBytes(descr, shape, stored(descr, data))));
      assert.deepEqual([d.count, d.height, d.width, d.channels], [n, h, w, channels], what);
      assert.equal(d.valueScale, descr === '<f4' ? 1 : 255, what);
      assert.deepEqual(d.notes, [], what);
      const all = await d.read(0, n);
      assert.equal(all.length, n * h * w * channels, what);
      // Pixel (y, x) channel c of image i sits at ((i·h + y)·w + x)·channels + c.
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < h * w; p++) {
          for (let c = 0; c < channels; c++) assert.equal(all[(i * h * w + p) * channels + c], valueOf(i, p, c), `${what} image ${i} pixel ${p} channel ${c}`);
        }
      }
      assert.deepEqual(await d.read(4, 2), all.subarray(4 * h * w * channels), what);
      await d.close();
    }
  }
});

test('npy: flat rows of a square count are square grey images; flat colour rows are refused as ambiguous', async () => {
  const dir = tempDir();
  const pixels = makeHwc(3, 10, 10, 1);
  const d = await openDataset(write(dir, 'flat.npy', npyBytes('|u1', [3, 100], pixels)));
  assert.deepEqual([d.height, d.width, d.channels], [10, 10, 1]);
  assert.deepEqual(await d.read(0, 3), pixels);
  await d.close();
  await assert.rejects(
    openDataset(write(dir, 'cifar.npy', npyBytes('|u1', [2, 3072], new Uint8Array(2 * 3072)))),
    /cifar\.npy: flat shape \(2, 3072\) could be 32×32 RGB as planes or as interleaved pixels; save it as \(N, 32, 32, 3\) or \(N, 3, 32, 32\)/,
  );
  // Rows too short to be images (a table of 16 features) are not read as 4×4 pictures.
  await assert.rejects(openDataset(write(dir, 'features.npy', npyBytes('|u1', [2, 16], new Uint8Array(32)))), /16 values per row is not a square grey image/);
});

test('npy: a shape that fits both layouts is read channels last, and a note says so', async () => {
  const dir = tempDir();
  const [n, h, w] = [2, 3, 5];
  const data = makeHwc(n, h, w, 3); // stored as (N, H=3, W=5, C=3): also looks like (N, C=3, H=5, W=3)
  const file = write(dir, 'tiny.npy', npyBytes('|u1', [n, h, w, 3], data));
  const d = await openDataset(file);
  assert.deepEqual([d.height, d.width, d.channels], [3, 5, 3]);
  assert.deepEqual(await d.read(0, n), data);
  assert.equal(d.notes.length, 1);
  assert.match(d.notes[0], /^.*tiny\.npy: shape \(2, 3, 5, 3\) fits both \(N, H, W, C\) and \(N, C, H, W\); read as channels last: 3×5 images with 3 channels$/);
  await d.close();
});

test('npy: labels from the .npy beside it, by every naming rule; a matching name that does not fit is an error', async () => {
  const n = 5;
  const labels = makeLabels(n);
  const images = npyBytes('|u1', [n, 4, 4, 3], makeHwc(n, 4, 4, 3));
  const pairs: Array<[string, string]> = [
    ['train_images.npy', 'train_labels.npy'],
    ['cifar-Images.npy', 'cifar-Labels.npy'],
    ['train_data.npy', 'train_labels.npy'],
    ['x_train.npy', 'y_train.npy'],
    ['X_test.npy', 'y_test.npy'],
    ['x.npy', 'y.npy'],
    ['photos.npy', 'photos_labels.npy'],
    ['photos.npy', 'photos.labels.npy'],
    ['stuff.npy', 'my-labels.npy'], // the folder's only *labels*.npy
  ];
  for (const [imagesName, labelsName] of pairs) {
    const dir = tempDir();
    const file = write(dir, imagesName, images);
    write(dir, labelsName, npyBytes('<i8', [n], BigInt64Array.from(labels, BigInt)));
    const d = await openDataset(file);
    assert.equal(d.labelSource, labelsName, imagesName);
    assert.deepEqual(d.labels, labels, imagesName);
    await d.close();
  }

  // "xray" is not x: no y-file is looked for, and with no other candidate there are no labels.
  const dir = tempDir();
  write(dir, 'xray.npy', images);
  write(dir, 'yray.npy', npyBytes('|u1', [n], labels));
  const unlabelled = await openDataset(path.join(dir, 'xray.npy'));
  assert.equal(unlabelled.labels, null);
  await unlabelled.close();

  const bad = tempDir();
  write(bad, 'train_images.npy', images);
  write(bad, 'train_labels.npy', npyBytes('|u1', [n - 1], labels.subarray(1)));
  await assert.rejects(openDataset(path.join(bad, 'train_images.npy')), /train_labels\.npy: has 4 labels but the image array beside it has 5 images/);

  // The only *labels*.npy of the folder, but of another length: not used, and a note says why.
  const other = tempDir();
  write(other, 'pictures.npy', images);
  write(other, 'some_labels.npy', npyBytes('|u1', [3], labels.subarray(0, 3)));
  const d = await openDataset(path.join(other, 'pictures.npy'));
  assert.equal(d.labels, null);
  assert.match(d.notes.join('\n'), /pictures\.npy: some_labels\.npy beside it is not used as its labels: shape \(3,\) is not one label for each of the 5 images/);
  await d.close();
});

test('npz: colour arrays channels first and last, stored and deflated', async () => {
  const [n, h, w] = [4, 6, 5];
  for (const level of [0, 6] as const) {
    for (const channelsFirst of [false, true]) {
      const data = channelsFirst ? makeChw(n, h, w, 3) : makeHwc(n, h, w, 3);
      const shape = channelsFirst ? [n, 3, h, w] : [n, h, w, 3];
      const file = path.join(tempDir(), 'rgb.npz');
      fs.writeFileSync(
        file,
        zipSync({
          'x_train.npy': [npyBytes('<f4', shape, Float32Array.from(data, (v) => v / 255)), { level }],
          'y_train.npy': [npyBytes('|u1', [n], makeLabels(n)), { level }],
        }),
      );
      const d = await openDataset(file);
      assert.deepEqual([d.height, d.width, d.channels, d.valueScale], [h, w, 3, 1]);
      assert.deepEqual(await d.read(0, n), makeHwc(n, h, w, 3), `level ${level} channels first ${channelsFirst}`);
      assert.deepEqual(d.labels, makeLabels(n));
      await d.close();
    }
  }
});
