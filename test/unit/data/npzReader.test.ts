import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { openFileSource } from '../../../src/engine/data/byteSource';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { readZipDirectory } from '../../../src/engine/data/zipDirectory';
import {
  NUMPY_SAVEZ_COMPRESSED,
  NUMPY_SAVEZ_STORED,
  PIXELS,
  fromBase64,
  makeImages,
  makeLabels,
  npyBytes,
  tempDir,
} from './datasetWriters';

const N = 17;
const images = makeImages(N);
const labels = makeLabels(N);

type Arrays = Record<string, Buffer>;

/** An .npz written by fflate's zip writer: level 0 stores entries, level 6 deflates them. */
function writeNpz(arrays: Arrays, level: 0 | 6): string {
  const file = path.join(tempDir(), 'data.npz');
  const entries = Object.fromEntries(Object.entries(arrays).map(([name, bytes]) => [`${name}.npy`, [new Uint8Array(bytes), { level }]]));
  fs.writeFileSync(file, zipSync(entries as Parameters<typeof zipSync>[0]));
  return file;
}

const imagesNpy = (shape: number[] = [N, 28, 28]) => npyBytes('|u1', shape, images);
const labelsNpy = (descr = '|u1', values: Uint8Array | BigInt64Array | Int32Array = labels) => npyBytes(descr, [values.length], values);

test('npz fixtures really are stored (method 0) and deflated (method 8)', async () => {
  for (const level of [0, 6] as const) {
    const source = await openFileSource(writeNpz({ x: imagesNpy(), y: labelsNpy() }, level));
    const methods = (await readZipDirectory(source, 'npz')).map((e) => e.method);
    assert.deepEqual(methods, level === 0 ? [0, 0] : [8, 8]);
    await source.close();
  }
});

test('npz: images and labels round-trip from stored and deflated entries, under every name pair', async () => {
  const pairs = [
    ['x', 'y'],
    ['images', 'labels'],
    ['x_train', 'y_train'],
    ['x_test', 'y_test'],
  ];
  for (const level of [0, 6] as const) {
    for (const [x, y] of pairs) {
      // A decoy array first, so that picking by name is what finds the images.
      const file = writeNpz({ decoy: npyBytes('|u1', [3, 784], new Uint8Array(3 * 784)), [y]: labelsNpy(), [x]: imagesNpy() }, level);
      const d = await openDataset(file);
      assert.deepEqual([d.format, d.count, d.valueScale, d.labelSource], ['npz', N, 255, y], `${x} level ${level}`);
      assert.deepEqual(d.labels, labels);
      assert.deepEqual(await d.read(0, N), images);
      assert.deepEqual(await d.read(5, 2), images.subarray(5 * PIXELS, 7 * PIXELS));
      await d.close();
    }
  }
});

test('npz: with x_train and x_test, the training split is chosen', async () => {
  const test10 = makeImages(10).map((p) => 255 - p);
  const file = writeNpz({ x_test: npyBytes('|u1', [10, 784], test10), y_test: labelsNpy('|u1', makeLabels(10)), x_train: imagesNpy(), y_train: labelsNpy() }, 6);
  const d = await openDataset(file);
  assert.equal(d.count, N);
  assert.equal(d.labelSource, 'y_train');
  assert.deepEqual(await d.read(0, N), images);
  await d.close();
});

test('npz without known names: the first image-shaped array, and the first 1-D array of the same length as labels', async () => {
  const wide = BigInt64Array.from(labels, (v) => BigInt(v));
  for (const level of [0, 6] as const) {
    const file = writeNpz(
      {
        notes: npyBytes('<f8', [4], new Float64Array(4)),
        pictures: npyBytes('<f4', [N, 28, 28, 1], Float32Array.from(images, (p) => p / 255)),
        other: npyBytes('|u1', [N - 1], labels.subarray(1)),
        classes: labelsNpy('<i8', wide),
      },
      level,
    );
    const d = await openDataset(file);
    assert.deepEqual([d.count, d.valueScale, d.labelSource], [N, 1, 'classes']);
    assert.deepEqual(d.labels, labels);
    assert.deepEqual(await d.read(0, N), images);
    await d.close();
  }
});

test('npz: arrays written by numpy itself (ZIP64 local headers, int64 labels), compressed and stored', async () => {
  const dir = tempDir();
  const compressed = path.join(dir, 'compressed.npz');
  fs.writeFileSync(compressed, fromBase64(NUMPY_SAVEZ_COMPRESSED));
  const d = await openDataset(compressed);
  assert.deepEqual([d.count, d.labelSource], [2, 'y_train']);
  assert.deepEqual(Array.from(d.labels!), [3, 1]);
  const px = await d.read(0, 2);
  for (let j = 0; j < 2 * PIXELS; j++) assert.equal(px[j], (j * 7) % 256);
  await d.close();

  const stored = path.join(dir, 'stored.npz');
  fs.writeFileSync(stored, fromBase64(NUMPY_SAVEZ_STORED));
  const e = await openDataset(stored);
  assert.deepEqual([e.count, e.labelSource, Array.from(e.labels!)], [1, 'y', [3]]);
  const one = await e.read(0, 1);
  for (let j = 0; j < PIXELS; j++) assert.equal(one[j], (j * 7) % 256);
  await e.close();
});

test('npz: label count mismatch, missing images, deflate limit and bad zips are clear errors', async () => {
  await assert.rejects(
    openDataset(writeNpz({ x: imagesNpy(), y: labelsNpy('|u1', labels.subarray(0, N - 2)) }, 6)),
    /\(array 'y'\): has 15 labels but the image array has 17 images/,
  );
  await assert.rejects(
    openDataset(writeNpz({ a: npyBytes('<f4', [3, 4], new Float32Array(12)), b: labelsNpy() }, 0)),
    /no image array: found a \(3, 4\), b \(17,\); expected one named x, images, x_train or x_test/,
  );
  await assert.rejects(openDataset(writeNpz({ x: npyBytes('|u1', [N, 28, 27, 2], new Uint8Array(N * 28 * 27 * 2)) }, 6)), /\(array 'x'\): unsupported array shape \(17, 28, 27, 2\)/);
  await assert.rejects(openDataset(writeNpz({ y: labelsNpy() }, 0)), /no image array/);
  await assert.rejects(
    openDataset(writeNpz({ x: imagesNpy(), y: labelsNpy() }, 6), { maxInflatedBytes: 1000 }),
    /entry 'x\.npy' inflates to 13456 bytes, over the 1000 bytes limit/,
  );
  // The stored variant does not inflate, so the limit does not apply.
  const stored = await openDataset(writeNpz({ x: imagesNpy(), y: labelsNpy() }, 0), { maxInflatedBytes: 1000 });
  assert.equal(stored.count, N);
  await stored.close();

  const notZip = path.join(tempDir(), 'bad.npz');
  fs.writeFileSync(notZip, Buffer.from('this is not a zip file at all'));
  await assert.rejects(openDataset(notZip), /not a valid \.npz \(zip\) file: end of central directory not found/);
  const empty = path.join(tempDir(), 'none.npz');
  fs.writeFileSync(empty, zipSync({ 'readme.txt': new Uint8Array([104, 105]) }));
  await assert.rejects(openDataset(empty), /no \.npy arrays in this \.npz/);
});
