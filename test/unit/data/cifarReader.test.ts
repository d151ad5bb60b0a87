// CIFAR-10 / CIFAR-100 binary batches written by cifarBytes (from the format's description): pixels,
// labels, label names, the errors of damaged files, and a 50,000-record file opened without its pixels.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { datasetFormatOfName, openDataset } from '../../../src/engine/data/datasetFile';
import { cifarBytes, tempDir, valueOf } from './datasetWriters';

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function writeIn(dir: string, name: string, bytes: Uint8Array | string): string {
  fs.writeFileSync(path.join(dir, name), bytes);
  return path.join(dir, name);
}

/** Checks sample i of `pixels` (32×32×3, HWC) against valueOf: R, G, B of pixel p at 3p, 3p+1, 3p+2. */
function assertImage(pixels: Uint8Array, i: number, at = 0) {
  for (let p = 0; p < 1024; p++) {
    for (let c = 0; c < 3; c++) {
      const got = pixels[at + 3 * p + c];
      if (got !== valueOf(i, p, c)) assert.fail(`image ${i} pixel ${p} channel ${c}: ${got}, expected ${valueOf(i, p, c)}`);
    }
  }
}

test('CIFAR file names: the archives names, with a prefix too; other .bin files are not claimed', () => {
  for (const name of ['data_batch_1.bin', 'data_batch_5.bin', 'test_batch.bin', 'cifar10-test_batch.bin']) assert.equal(datasetFormatOfName(name), 'cifar10', name);
  for (const name of ['train.bin', 'test.bin', 'cifar100_train.bin']) assert.equal(datasetFormatOfName(name), 'cifar100', name);
  for (const name of ['model.bin', 'group1-shard1of1.bin', 'data_batch.bin', 'retrain.bin']) assert.equal(datasetFormatOfName(name), undefined, name);
});

test('CIFAR-10: colour planes become HWC pixels, labels from each record, names from batches.meta.txt', async () => {
  const dir = tempDir();
  const n = 12;
  const file = writeIn(dir, 'data_batch_1.bin', cifarBytes(n, 10, (i) => (i * 3) % 10));
  writeIn(dir, 'batches.meta.txt', CIFAR10_NAMES.join('\n') + '\n\n'); // as shipped: names, then blank lines
  const d = await openDataset(file);
  assert.deepEqual([d.format, d.count, d.height, d.width, d.channels, d.valueScale], ['cifar10', n, 32, 32, 3, 255]);
  assert.deepEqual(Array.from(d.labels!), Array.from({ length: n }, (_, i) => (i * 3) % 10));
  assert.deepEqual(d.labelNames, CIFAR10_NAMES);
  assert.deepEqual(d.notes, []);
  const all = await d.read(0, n);
  assert.equal(all.length, n * 3072);
  for (let i = 0; i < n; i++) assertImage(all, i, i * 3072);
  assertImage(await d.read(7, 1), 7);
  await d.close();
});

test('CIFAR-100: the fine label is the label (coarse ignored), names from fine_label_names.txt', async () => {
  const dir = tempDir();
  const n = 9;
  const names = Array.from({ length: 100 }, (_, k) => `class_${k}`);
  const file = writeIn(dir, 'train.bin', cifarBytes(n, 100, (i) => 99 - i * 11, (i) => i % 20));
  writeIn(dir, 'fine_label_names.txt', names.join('\r\n') + '\r\n');
  writeIn(dir, 'coarse_label_names.txt', Array.from({ length: 20 }, (_, k) => `super_${k}`).join('\n'));
  const d = await openDataset(file);
  assert.deepEqual([d.format, d.count, d.channels, d.labelSource], ['cifar100', n, 3, 'fine labels']);
  assert.deepEqual(Array.from(d.labels!), Array.from({ length: n }, (_, i) => 99 - i * 11));
  assert.deepEqual(d.labelNames, names);
  for (let i = 0; i < n; i++) assertImage(await d.read(i, 1), i);
  await d.close();
});

test('CIFAR: without a names file the labels are numbers; a names file of the wrong length is not used, with a note', async () => {
  const dir = tempDir();
  const file = writeIn(dir, 'test_batch.bin', cifarBytes(3, 10, (i) => i));
  const plain = await openDataset(file);
  assert.equal(plain.labelNames, undefined);
  assert.deepEqual(plain.notes, []);
  await plain.close();
  writeIn(dir, 'batches.meta.txt', CIFAR10_NAMES.slice(0, 9).join('\n'));
  const d = await openDataset(file);
  assert.equal(d.labelNames, undefined);
  assert.equal(d.notes.length, 1);
  assert.match(d.notes[0], /batches\.meta\.txt: not used as label names: it has 9 names, CIFAR-10 has 10 classes/);
  await d.close();
});

test('CIFAR: truncated files, labels out of range and a CIFAR-100 file under a CIFAR-10 name are one-line errors naming the file', async () => {
  const dir = tempDir();
  const whole = cifarBytes(4, 10, (i) => i);
  const cut = writeIn(dir, 'data_batch_2.bin', whole.subarray(0, whole.length - 100));
  await assert.rejects(openDataset(cut), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.equal(e.message, `${cut}: truncated or not a CIFAR-10 batch: 12192 bytes is 3 records of 3073 bytes (label + 32×32×3 pixels) and 2973 bytes more`);
    return true;
  });
  const bad = Buffer.from(whole);
  bad[2 * 3073] = 200;
  await assert.rejects(openDataset(writeIn(dir, 'data_batch_3.bin', bad)), /data_batch_3\.bin: record 2 has label 200, outside CIFAR-10's 0–9: a damaged file, or not a CIFAR-10 batch/);

  const hundred = cifarBytes(3, 100, () => 5, () => 1);
  await assert.rejects(openDataset(writeIn(dir, 'data_batch_4.bin', hundred)), /its size fits 3 CIFAR-100 records: CIFAR-100 files are named train\.bin or test\.bin/);
  const coarse = cifarBytes(3, 100, () => 5, (i) => (i === 1 ? 20 : 0));
  await assert.rejects(openDataset(writeIn(dir, 'test.bin', coarse)), /test\.bin: record 1 has coarse label 20, outside CIFAR-100's 0–19/);
});

test('a 50,000-record CIFAR-10 file opens without keeping its pixels: labels right, memory flat', async (t) => {
  const count = 50_000;
  const record = 3073;
  const file = path.join(tempDir(), 'data_batch_1.bin');
  // Labels written at each record's start; the pixels stay a hole of zeros (a sparse file), except two.
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, count * record);
  const labelAt = (i: number) => (i * 7) % 10;
  const labelBytes = Buffer.alloc(1);
  for (let i = 0; i < count; i++) {
    labelBytes[0] = labelAt(i);
    fs.writeSync(fd, labelBytes, 0, 1, i * record);
  }
  const last = cifarBytes(1, 10, () => labelAt(count - 1));
  fs.writeSync(fd, last, 0, last.length, (count - 1) * record);
  fs.closeSync(fd);
  try {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const d = await openDataset(file);
    const opened = performance.now() - started;
    const grewMB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const heldMB = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore) / 2 ** 20;
    t.diagnostic(`50,000 × 3,073 bytes (${((count * record) / 2 ** 20).toFixed(0)} MB): open ${opened.toFixed(0)} ms, rss ${grewMB >= 0 ? '+' : ''}${grewMB.toFixed(1)} MB`);
    assert.equal(d.count, count);
    for (const i of [0, 1, 12345, count - 1]) assert.equal(d.labels![i], labelAt(i), `label ${i}`);
    // The labels themselves are 50 KB; the pixels would be 150 MB.
    assert.ok(grewMB < 20, `rss grew by ${grewMB.toFixed(0)} MB while opening`);
    assert.ok(heldMB < 20, `${heldMB.toFixed(0)} MB more heap and buffers after opening`);
    assertImage(await d.read(count - 1, 1), 0);
    assert.ok((await d.read(20_000, 1)).every((v) => v === 0));
    await d.close();
  } finally {
    fs.rmSync(file);
  }
});
