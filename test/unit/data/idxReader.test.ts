import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { findLabelFile } from '../../../src/engine/data/idxReader';
import { PIXELS, idxHeader, idxImages, idxLabels, makeHwc, makeImages, makeLabels, pixelOf, tempDir, valueOf } from './datasetWriters';

const N = 23;
const images = makeImages(N);
const labels = makeLabels(N);

test('IDX images round-trip exactly, read at any offset', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'train-images-idx3-ubyte');
  fs.writeFileSync(file, idxImages(images));
  const d = await openDataset(file);
  try {
    assert.equal(d.format, 'idx');
    assert.deepEqual([d.count, d.height, d.width, d.channels, d.valueScale], [N, 28, 28, 1, 255]);
    assert.equal(d.labels, null);
    assert.deepEqual(await d.read(0, N), images);
    const middle = await d.read(7, 3);
    for (let i = 0; i < 3; i++) for (let k = 0; k < PIXELS; k++) assert.equal(middle[i * PIXELS + k], pixelOf(7 + i, k));
    assert.equal((await d.read(N, 0)).length, 0);
    await assert.rejects(d.read(N - 1, 2), RangeError);
    await assert.rejects(d.read(-1, 1), RangeError);
  } finally {
    await d.close();
  }
});

test('IDX labels come from the idx1 file beside the images, for every naming scheme, .gz or not', async () => {
  const pairs: [string, string][] = [
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
    ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
    ['x-images.idx3-ubyte', 'x-labels.idx1-ubyte'],
    ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'],
    ['mnist-test-1k-images-idx3-ubyte.gz', 'mnist-test-1k-labels-idx1-ubyte.gz'],
    ['plain-images-idx3-ubyte.gz', 'plain-labels-idx1-ubyte'], // compressed images, plain labels
  ];
  for (const [imagesName, labelsName] of pairs) {
    const dir = tempDir();
    const gz = (name: string, bytes: Buffer) => (name.endsWith('.gz') ? zlib.gzipSync(bytes) : bytes);
    fs.writeFileSync(path.join(dir, imagesName), gz(imagesName, idxImages(images)));
    fs.writeFileSync(path.join(dir, labelsName), gz(labelsName, idxLabels(labels)));
    const d = await openDataset(path.join(dir, imagesName));
    assert.equal(d.labelSource, labelsName, imagesName);
    assert.deepEqual(d.labels, labels, imagesName);
    assert.deepEqual(await d.read(0, N), images, imagesName);
    await d.close();
  }
});

test('findLabelFile returns nothing when no idx1 file is beside the images', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxImages(images));
  fs.writeFileSync(path.join(dir, 'test-labels-idx1-ubyte'), idxLabels(labels)); // another split's labels
  assert.equal(await findLabelFile(path.join(dir, 'train-images-idx3-ubyte')), undefined);
});

test('IDX: a truncated file says how many bytes the header promised and how many there are', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'cut-images-idx3-ubyte');
  fs.writeFileSync(file, Buffer.concat([idxHeader(0x803, [10, 28, 28]), images.subarray(0, 9 * PIXELS + 100)]));
  await assert.rejects(openDataset(file), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.match(e.message, /truncated IDX/);
    assert.match(e.message, /10 images of 28×28 \(7840 bytes\)/);
    assert.match(e.message, /7156 bytes/);
    assert.ok(e.message.startsWith(file), 'names the file');
    return true;
  });
});

test('IDX: wrong magic numbers are printed in hex', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'odd-images-idx3-ubyte');
  fs.writeFileSync(file, Buffer.concat([idxHeader(0x00000d03, [1, 28, 28]), images.subarray(0, PIXELS)]));
  await assert.rejects(openDataset(file), /wrong magic number 0x00000d03, expected 0x00000803/);

  const labelsOpenedAsImages = path.join(dir, 'y.idx3-ubyte');
  fs.writeFileSync(labelsOpenedAsImages, idxLabels(labels));
  await assert.rejects(openDataset(labelsOpenedAsImages), /0x00000801.*idx1 label file/);
});

test('IDX: a label file with another count, or broken, is an error naming it', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a-images-idx3-ubyte'), idxImages(images));
  fs.writeFileSync(path.join(dir, 'a-labels-idx1-ubyte'), idxLabels(labels.subarray(0, N - 1)));
  await assert.rejects(openDataset(path.join(dir, 'a-images-idx3-ubyte')), (e: Error) => {
    assert.match(e.message, /a-labels-idx1-ubyte: has 22 labels but the images file has 23 images/);
    return true;
  });

  fs.writeFileSync(path.join(dir, 'b-images-idx3-ubyte'), idxImages(images));
  fs.writeFileSync(path.join(dir, 'b-labels-idx1-ubyte'), idxLabels(labels.subarray(0, 5), N)); // header says 23, has 5
  await assert.rejects(openDataset(path.join(dir, 'b-images-idx3-ubyte')), /b-labels-idx1-ubyte: truncated IDX label file: header says 23 labels, file has 5/);
});

test('IDX: images of any size are read, row-major; a header with no images or no pixels is refused', async () => {
  const dir = tempDir();
  const [h, w, n] = [5, 7, 4];
  const file = path.join(dir, 'odd-images-idx3-ubyte');
  const pixels = makeHwc(n, h, w, 1);
  fs.writeFileSync(file, Buffer.concat([idxHeader(0x803, [n, h, w]), pixels]));
  const d = await openDataset(file);
  assert.deepEqual([d.count, d.height, d.width, d.channels], [n, h, w, 1]);
  assert.deepEqual(await d.read(0, n), pixels);
  const third = await d.read(2, 1);
  for (let p = 0; p < h * w; p++) assert.equal(third[p], valueOf(2, p, 0));
  await d.close();

  const none = path.join(dir, 'none-images-idx3-ubyte');
  fs.writeFileSync(none, idxHeader(0x803, [0, 28, 28]));
  await assert.rejects(openDataset(none), /none-images-idx3-ubyte: header says the file holds 0 images/);
  const flat = path.join(dir, 'flat-images-idx3-ubyte');
  fs.writeFileSync(flat, Buffer.concat([idxHeader(0x803, [3, 0, 28]), Buffer.alloc(10)]));
  await assert.rejects(openDataset(flat), /header says the images are 0×28/);
});

test('IDX .gz: decompression stops at the limit with a clear error; corrupt gzip is a UserError', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'many-images-idx3-ubyte.gz');
  fs.writeFileSync(file, zlib.gzipSync(idxImages(images)));
  const limit = 10 * PIXELS; // the file holds 23 images
  await assert.rejects(openDataset(file, { maxInflatedBytes: limit }), /decompresses to more than 7840 bytes, the limit for compressed files/);
  const d = await openDataset(file, { maxInflatedBytes: N * PIXELS + 16 });
  assert.equal(d.count, N);
  await d.close();

  const corrupt = path.join(dir, 'corrupt-images-idx3-ubyte.gz');
  const bytes = zlib.gzipSync(idxImages(images));
  fs.writeFileSync(corrupt, bytes.subarray(0, bytes.length / 2));
  await assert.rejects(openDataset(corrupt), (e: Error) => e.name === 'UserError' && /not a valid gzip file/.test(e.message));
});

test('IDX: read returns a fresh array each time, even from a decompressed file (safe to transfer)', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'f-images-idx3-ubyte.gz');
  fs.writeFileSync(file, zlib.gzipSync(idxImages(images)));
  const d = await openDataset(file);
  const first = await d.read(2, 1);
  assert.equal(first.byteOffset, 0);
  assert.equal(first.buffer.byteLength, PIXELS);
  first.fill(0);
  assert.equal((await d.read(2, 1))[1], 255); // the stored copy is untouched
  await d.close();
});
