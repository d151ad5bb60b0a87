import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { PIXELS, makeImages, npyBytes, pixelOf, tempDir } from './datasetWriters';

const N = 19;
const images = makeImages(N);

async function openBytes(name: string, bytes: Buffer) {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, bytes);
  return openDataset(file);
}

test('npy uint8 round-trips for every supported shape and header version', async () => {
  const shapes = [
    [N, 28, 28],
    [N, 784],
    [N, 28, 28, 1],
    [N, 1, 28, 28],
  ];
  for (const version of [1, 2, 3] as const) {
    for (const shape of shapes) {
      const d = await openBytes('x.npy', npyBytes('|u1', shape, images, { version }));
      assert.deepEqual([d.format, d.count, d.valueScale, d.labels], ['npy', N, 255, null], `v${version} ${shape}`);
      assert.deepEqual(await d.read(0, N), images, `v${version} ${shape}`);
      const one = await d.read(11, 1);
      for (let k = 0; k < PIXELS; k++) assert.equal(one[k], pixelOf(11, k));
      await d.close();
    }
  }
});

test('npy float32 in [0,1] is understood as [0,1] and comes back as the exact uint8 pixels', async () => {
  const floats = Float32Array.from(images, (p) => p / 255);
  const d = await openBytes('x.npy', npyBytes('<f4', [N, 28, 28], floats));
  assert.equal(d.valueScale, 1);
  assert.deepEqual(await d.read(0, N), images);
  await d.close();
});

test('npy float64 in [0,255] is understood as [0,255] and comes back exactly', async () => {
  const floats = Float64Array.from(images);
  const d = await openBytes('x.npy', npyBytes('<f8', [N, 784], floats));
  assert.equal(d.valueScale, 255);
  assert.deepEqual(await d.read(0, N), images);
  await d.close();
});

test('npy floats are rounded to nearest and clamped to 0..255; NaN becomes 0', async () => {
  // One image of hand-picked values in the [0,255] convention (300 > 1 decides the scale).
  const raw = new Float32Array(PIXELS);
  const cases: [number, number][] = [
    [12.4, 12],
    [12.6, 13],
    [-3, 0],
    [300, 255],
    [254.7, 255],
    [NaN, 0],
    [0.2, 0],
  ];
  cases.forEach(([v], i) => (raw[i] = v));
  const d = await openBytes('x.npy', npyBytes('<f4', [1, 784], raw));
  assert.equal(d.valueScale, 255);
  const px = await d.read(0, 1);
  cases.forEach(([v, want], i) => assert.equal(px[i], want, `${v}`));
  await d.close();

  // The same in the [0,1] convention: ×255 before rounding, values above 1 would clamp.
  const unit = new Float64Array(PIXELS);
  unit[0] = 0.5; // 127.5 → 128 (ties to even)
  unit[1] = 0.1; // 25.5 → 26 (25.500000000000004)
  unit[2] = 1;
  unit[3] = -0.2;
  const e = await openBytes('x.npy', npyBytes('<f8', [1, 784], unit));
  assert.equal(e.valueScale, 1);
  assert.deepEqual(Array.from((await e.read(0, 1)).subarray(0, 4)), [128, 26, 255, 0]);
  await e.close();
});

test('npy float scale is judged on rows spread over the whole array, not only the first ones', async () => {
  // 1,000 images: the first 900 are black, the last 100 hold values up to 255.
  const count = 1000;
  const raw = new Float32Array(count * PIXELS);
  for (let i = 900; i < count; i++) for (let k = 0; k < PIXELS; k++) raw[i * PIXELS + k] = pixelOf(i, k);
  const d = await openBytes('x.npy', npyBytes('<f4', [count, 784], raw));
  assert.equal(d.valueScale, 255);
  const last = await d.read(count - 1, 1);
  for (let k = 0; k < PIXELS; k++) assert.equal(last[k], pixelOf(count - 1, k));
  await d.close();
});

test('npy: Fortran order, unsupported dtypes and shapes are refused by name', async () => {
  await assert.rejects(openBytes('f.npy', npyBytes('|u1', [N, 28, 28], images, { fortranOrder: true })), /Fortran-order arrays are not supported/);
  await assert.rejects(openBytes('i.npy', npyBytes('<i4', [1, 784], new Int32Array(PIXELS))), /unsupported dtype int32 \('<i4'\) for images; supported: uint8 \(\|u1\), float32 \(<f4\), float64 \(<f8\)/);
  await assert.rejects(openBytes('b.npy', npyBytes('>f4', [1, 784], new Float32Array(PIXELS))), /unsupported dtype float32 \('>f4', big-endian\)/);
  await assert.rejects(openBytes('h.npy', npyBytes('<f2', [1, 784], new Uint16Array(PIXELS))), /unsupported dtype float16/);
  const supported = /supported: \(N, H, W\), \(N, H, W, C\) or \(N, C, H, W\) with C = 1 or 3, or \(N, S·S\) for square grey images/;
  await assert.rejects(openBytes('v.npy', npyBytes('|u1', [784], images.subarray(0, 784))), /v\.npy: unsupported array shape \(784,\); supported/);
  await assert.rejects(openBytes('c.npy', npyBytes('|u1', [2, 28, 28, 4], new Uint8Array(2 * 784 * 4))), /unsupported array shape \(2, 28, 28, 4\): no axis of 1 or 3 channels/);
  await assert.rejects(openBytes('r.npy', npyBytes('|u1', [2, 10, 28, 28, 3], new Uint8Array(2 * 10 * 784 * 3))), supported);
  await assert.rejects(openBytes('w.npy', npyBytes('|u1', [2, 783], new Uint8Array(2 * 783))), /783 values per row is not a square grey image/);
  await assert.rejects(openBytes('z.npy', npyBytes('|u1', [0, 28, 28], new Uint8Array(0))), /z\.npy: the array \(0, 28, 28\) holds no images/);
  await assert.rejects(openBytes('e.npy', npyBytes('|u1', [2, 0, 28], new Uint8Array(0))), /an image axis of length 0/);
});

test('npy: truncated data, bad magic, unknown version and broken headers are UserErrors', async () => {
  const whole = npyBytes('|u1', [N, 784], images);
  await assert.rejects(openBytes('t.npy', whole.subarray(0, whole.length - 1)), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.match(e.message, /truncated \.npy: shape \(19, 784\) of \|u1 needs 14896 bytes of data, there are 14895/);
    return true;
  });
  await assert.rejects(openBytes('m.npy', Buffer.from('PK\x03\x04 not numpy', 'latin1')), /not a NumPy \.npy array: starts with 0x504b0304206e/);
  const v9 = Buffer.from(whole);
  v9[6] = 9;
  await assert.rejects(openBytes('v.npy', v9), /unsupported \.npy format version 9\.0/);
  const broken = Buffer.from(whole);
  broken.write("{'dxsc", 10, 'latin1');
  await assert.rejects(openBytes('h.npy', broken), /malformed \.npy header/);
});
