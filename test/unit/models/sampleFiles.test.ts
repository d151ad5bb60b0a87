// The shipped sample data of models/samples/: the IDX, NPY and NPZ files have the headers their formats
// prescribe and hold the same 1,000 images and labels, and each PNG is its test image from the subset.
// Parsed here from the format descriptions, independently of the writers in scripts/train/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';

const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'models', 'samples');
const COUNT = 1000;
const PIXELS = 28 * 28;

/** IDX: 0x00 0x00, type 0x08 (unsigned byte), rank, the dimensions as big-endian uint32, the values. */
function readIdxGz(name: string, expectedShape: number[]): Uint8Array {
  const bytes = zlib.gunzipSync(fs.readFileSync(path.join(SAMPLES, name)));
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 0x08, expectedShape.length], `${name}: magic`);
  const shape = expectedShape.map((_, i) => bytes.readUInt32BE(4 + 4 * i));
  assert.deepEqual(shape, expectedShape, `${name}: shape`);
  const offset = 4 + 4 * shape.length;
  assert.equal(bytes.length, offset + expectedShape.reduce((a, b) => a * b, 1), `${name}: size`);
  return new Uint8Array(bytes.subarray(offset));
}

/**
 * NPY 1.0: "\x93NUMPY", 1, 0, the header length (uint16 LE), then the header, a dict literal padded with
 * spaces and ended by "\n" so that the data starts at a multiple of 64.
 */
function readNpy(bytes: Uint8Array, name: string, expectedShape: string): Uint8Array {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.deepEqual([...b.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], `${name}: magic and version`);
  const headerLength = b.readUInt16LE(8);
  const dataStart = 10 + headerLength;
  assert.equal(dataStart % 64, 0, `${name}: data aligned to 64 bytes`);
  const header = b.subarray(10, dataStart).toString('latin1');
  assert.ok(header.endsWith('\n'), `${name}: header ends with a newline`);
  assert.equal(header.trimEnd(), `{'descr': '|u1', 'fortran_order': False, 'shape': ${expectedShape}, }`, `${name}: header`);
  return new Uint8Array(b.subarray(dataStart));
}

for (const dataset of ['mnist', 'fashion']) {
  test(`${dataset}: the IDX, NPY and NPZ subsets hold the same 1,000 images and labels`, () => {
    const idxImages = readIdxGz(`${dataset}-test-1k-images-idx3-ubyte.gz`, [COUNT, 28, 28]);
    const idxLabels = readIdxGz(`${dataset}-test-1k-labels-idx1-ubyte.gz`, [COUNT]);
    const npyImages = readNpy(fs.readFileSync(path.join(SAMPLES, `${dataset}-test-1k-images.npy`)), 'images.npy', '(1000, 28, 28)');
    const npyLabels = readNpy(fs.readFileSync(path.join(SAMPLES, `${dataset}-test-1k-labels.npy`)), 'labels.npy', '(1000,)');

    const zip = unzipSync(fs.readFileSync(path.join(SAMPLES, `${dataset}-test-1k.npz`)));
    assert.deepEqual(Object.keys(zip).sort(), ['x.npy', 'y.npy']);
    const npzImages = readNpy(zip['x.npy'], 'x.npy', '(1000, 28, 28)');
    const npzLabels = readNpy(zip['y.npy'], 'y.npy', '(1000,)');

    assert.equal(idxImages.length, COUNT * PIXELS);
    assert.ok(Buffer.from(npyImages).equals(idxImages), 'npy images = idx images');
    assert.ok(Buffer.from(npzImages).equals(idxImages), 'npz x = idx images');
    assert.ok(Buffer.from(npyLabels).equals(idxLabels), 'npy labels = idx labels');
    assert.ok(Buffer.from(npzLabels).equals(idxLabels), 'npz y = idx labels');

    // Real images: ten classes, with both black and white pixels in every image.
    assert.deepEqual([...new Set(idxLabels)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 0; i < COUNT; i++) {
      const image = idxImages.subarray(i * PIXELS, (i + 1) * PIXELS);
      assert.ok(Math.min(...image) === 0 && Math.max(...image) > 200, `image ${i} has an ink range`);
    }
    if (dataset === 'mnist') {
      // The first labels of MNIST's t10k set, as everyone knows them.
      assert.deepEqual([...idxLabels.subarray(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    } else {
      // The FashionMNIST test split is interleaved by class (models/samples/README.md).
      idxLabels.forEach((label, i) => assert.equal(label, i % 10, `label of image ${i}`));
    }
  });

  test(`${dataset}: two PNGs per class, 8-bit grey, each the first or second of its class in the subset`, () => {
    const images = readIdxGz(`${dataset}-test-1k-images-idx3-ubyte.gz`, [COUNT, 28, 28]);
    const labels = readIdxGz(`${dataset}-test-1k-labels-idx1-ubyte.gz`, [COUNT]);
    const pngs = fs.readdirSync(SAMPLES).filter((n) => n.startsWith(`${dataset}-`) && n.endsWith('.png'));
    assert.equal(pngs.length, 20);

    const expected: string[] = [];
    const seen = new Array<number>(10).fill(0);
    labels.forEach((label, i) => {
      if (seen[label]++ < 2) expected.push(`${dataset}-${label}-${String(i).padStart(4, '0')}.png`);
    });
    assert.deepEqual(pngs.sort(), expected.sort());

    for (const name of pngs) {
      const index = Number(/-(\d{4})\.png$/.exec(name)![1]);
      const bytes = fs.readFileSync(path.join(SAMPLES, name));
      assert.equal(bytes[24], 8, `${name}: bit depth`);
      assert.equal(bytes[25], 0, `${name}: colour type grey`);
      const png = PNG.sync.read(bytes);
      assert.equal(png.width, 28);
      assert.equal(png.height, 28);
      for (let k = 0; k < PIXELS; k++) {
        // pngjs hands back RGBA whatever the file's colour type.
        if (png.data[4 * k] !== images[index * PIXELS + k]) assert.fail(`${name}: pixel ${k} differs from subset image ${index}`);
      }
    }
  });
}
