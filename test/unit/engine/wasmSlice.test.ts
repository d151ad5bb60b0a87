// The wasm backend's Slice (engine/wasmSlice.ts) against slices taken by index in plain JS, for every rank
// the engine uses and the corner cases (whole axes, one element, empty, int32 and bool), and without reading
// the whole input out of wasm memory as tfjs-wasm's own Slice does.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { random } from '../methods/reference';

/** The slice by index: every output position mapped back to the input. */
function sliceByIndex(values: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const total = size.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    let rest = k;
    let flat = 0;
    let stride = 1;
    const position = new Array<number>(shape.length);
    for (let a = shape.length - 1; a >= 0; a--) {
      position[a] = rest % size[a];
      rest = Math.floor(rest / size[a]);
    }
    for (let a = shape.length - 1; a >= 0; a--) {
      flat += (begin[a] + position[a]) * stride;
      stride *= shape[a];
    }
    out.push(values[flat]);
  }
  return out;
}

describe('wasm Slice', () => {
  before(async () => {
    const info = await initBackend(nodeModulesWasmDir());
    assert.match(info.name, /^wasm/);
  });

  test('random slices of ranks 1 to 5 equal the slice by index', () => {
    const rand = random(17);
    const int = (n: number) => Math.floor(rand() * n);
    for (let trial = 0; trial < 300; trial++) {
      const rank = 1 + (trial % 5);
      const shape = Array.from({ length: rank }, () => 1 + int(6));
      const begin = shape.map((d) => int(d));
      // Whole axes now and then, so that runs of several axes are copied at once.
      const size = shape.map((d, a) => (rand() < 0.3 ? d - begin[a] : 1 + int(d - begin[a])));
      if (rand() < 0.2) begin.fill(0, 1), size.splice(1, rank - 1, ...shape.slice(1));
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand());
      const got = tf.tidy(() => tf.slice(tf.tensor(values, shape), begin, size).dataSync());
      assert.deepEqual(Array.from(got), sliceByIndex(values, shape, begin, size), `shape [${shape}] begin [${begin}] size [${size}]`);
    }
  });

  test('int32 and bool slices, a size of −1, an empty slice', () => {
    const ints = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32');
    assert.deepEqual(Array.from(tf.slice(ints, [0, 1, 0], [2, 1, 2]).dataSync()), [3, 4, 7, 8]);
    assert.deepEqual(Array.from(tf.slice(ints, [1, 0, 1], [-1, -1, -1]).dataSync()), [6, 8]);
    const bools = tf.tensor2d([true, false, false, true], [2, 2], 'bool');
    assert.deepEqual(Array.from(tf.slice(bools, [0, 1], [2, 1]).dataSync()), [0, 1]);
    const empty = tf.slice(tf.ones([3, 4]), [1, 0], [0, 4]);
    assert.deepEqual(empty.shape, [0, 4]);
    tf.dispose([ints, bools, empty]);
  });

  test('reads no more than the slice: the input is not copied out of wasm memory', () => {
    const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown };
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (...args: unknown[]) => {
      reads++;
      return readSync.apply(backend, args);
    };
    try {
      const x = tf.ones([4, 56, 56, 64]);
      const blocks = tf.slice(x, 1, 3);
      const crop = tf.slice(x, [0, 1, 1, 0], [4, 54, 54, 64]);
      assert.equal(reads, 0);
      assert.deepEqual(blocks.shape, [3, 56, 56, 64]);
      assert.equal(crop.sum().dataSync()[0], 4 * 54 * 54 * 64);
      tf.dispose([x, blocks, crop]);
    } finally {
      backend.readSync = readSync;
    }
  });
});
