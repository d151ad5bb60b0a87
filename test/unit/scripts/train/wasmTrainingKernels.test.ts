// The kernels the training scripts register for wasm (conv2d gradients, matMul with transposed operands),
// against plain loops from the definitions, and against the tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { registerWasmTrainingKernels } from '../../../../scripts/train/wasmTrainingKernels';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';

before(async () => {
  const backend = await initBackend(nodeModulesWasmDir());
  assert.match(backend.name, /^wasm/);
  registerWasmTrainingKernels();
});

interface Case {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kh: number;
  kw: number;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { batch: 2, height: 7, width: 6, inChannels: 3, outChannels: 4, kh: 3, kw: 3, stride: 1, pad: 'same' },
  { batch: 2, height: 7, width: 6, inChannels: 3, outChannels: 4, kh: 3, kw: 2, stride: 1, pad: 'valid' },
  { batch: 3, height: 8, width: 7, inChannels: 2, outChannels: 5, kh: 3, kw: 3, stride: 2, pad: 'same' },
  { batch: 1, height: 9, width: 9, inChannels: 1, outChannels: 3, kh: 5, kw: 4, stride: 2, pad: 'valid' },
  { batch: 4, height: 5, width: 5, inChannels: 6, outChannels: 2, kh: 1, kw: 1, stride: 1, pad: 'same' },
];

/** Smooth, sign-changing test values that differ per position and per seed. */
function values(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed * 1.3) + 0.25 * Math.cos(i * 1.71 - seed));
}

/** Output size and top/left padding of a conv along one axis, as TensorFlow defines 'same' and 'valid'. */
function axis(size: number, k: number, stride: number, pad: 'same' | 'valid'): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - k + 1) / stride), before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/**
 * y[b, oy, ox, o] = Σ_{i, j, c} x[b, oy·s + i − top, ox·s + j − left, c] · w[i, j, c, o] (zero outside),
 * so ∂L/∂w[i, j, c, o] = Σ x[...] · dy[b, oy, ox, o] and ∂L/∂x[...] = Σ w[i, j, c, o] · dy[b, oy, ox, o].
 */
function gradientsByLoops(c: Case, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const ay = axis(c.height, c.kh, c.stride, c.pad);
  const ax = axis(c.width, c.kw, c.stride, c.pad);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const xAt = (b: number, y: number, xx: number, ch: number) => ((b * c.height + y) * c.width + xx) * c.inChannels + ch;
  const wAt = (i: number, j: number, ch: number, o: number) => ((i * c.kw + j) * c.inChannels + ch) * c.outChannels + o;
  const dyAt = (b: number, oy: number, ox: number, o: number) => ((b * ay.out + oy) * ax.out + ox) * c.outChannels + o;
  for (let b = 0; b < c.batch; b++)
    for (let oy = 0; oy < ay.out; oy++)
      for (let ox = 0; ox < ax.out; ox++)
        for (let i = 0; i < c.kh; i++)
          for (let j = 0; j < c.kw; j++) {
            const y = oy * c.stride + i - ay.before;
            const xx = ox * c.stride + j - ax.before;
            if (y < 0 || y >= c.height || xx < 0 || xx >= c.width) continue;
            for (let ch = 0; ch < c.inChannels; ch++)
              for (let o = 0; o < c.outChannels; o++) {
                const g = dy[dyAt(b, oy, ox, o)];
                dw[wAt(i, j, ch, o)] += x[xAt(b, y, xx, ch)] * g;
                dx[xAt(b, y, xx, ch)] += w[wAt(i, j, ch, o)] * g;
              }
          }
  return { dx, dw, outShape: [c.batch, ay.out, ax.out, c.outChannels] };
}

/** ∂/∂x and ∂/∂w of Σ conv2d(x, w) · dy on the current backend. */
function gradientsByTf(c: Case, x: Float32Array, w: Float32Array, dy: Float32Array, outShape: number[]) {
  const xt = tf.tensor4d(x, [c.batch, c.height, c.width, c.inChannels]);
  const wt = tf.tensor4d(w, [c.kh, c.kw, c.inChannels, c.outChannels]);
  const dyt = tf.tensor(dy, outShape);
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dyt)),
  )([xt, wt]);
  const result = { dx: gx.dataSync<'float32'>().slice(), dw: gw.dataSync<'float32'>().slice() };
  tf.dispose([xt, wt, dyt, gx, gw]);
  return result;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const c of CASES) {
  const name = `${c.kh}×${c.kw} conv ${c.inChannels}→${c.outChannels} on ${c.height}×${c.width}, stride ${c.stride}, ${c.pad}`;
  test(`wasm conv2d gradients match plain loops and the CPU backend: ${name}`, async () => {
    const x = values(c.batch * c.height * c.width * c.inChannels, 1);
    const w = values(c.kh * c.kw * c.inChannels * c.outChannels, 2);
    const reference = gradientsByLoops(c, x, w, values(1, 0));
    const dy = values(reference.outShape.reduce((p, q) => p * q, 1), 3);
    const loops = gradientsByLoops(c, x, w, dy);

    assert.equal(tf.getBackend(), 'wasm');
    const before = tf.memory().numTensors;
    const wasm = gradientsByTf(c, x, w, dy, loops.outShape);
    assert.equal(tf.memory().numTensors, before, 'the kernels leak no tensors');

    await tf.setBackend('cpu');
    let cpu: { dx: Float32Array; dw: Float32Array };
    try {
      cpu = gradientsByTf(c, x, w, dy, loops.outShape);
    } finally {
      await tf.setBackend('wasm');
    }

    assert.ok(maxAbsDiff(wasm.dw, loops.dw) < 1e-4, `dW vs loops: ${maxAbsDiff(wasm.dw, loops.dw)}`);
    assert.ok(maxAbsDiff(wasm.dx, loops.dx) < 1e-4, `dx vs loops: ${maxAbsDiff(wasm.dx, loops.dx)}`);
    assert.ok(maxAbsDiff(wasm.dw, cpu.dw) < 1e-4, `dW vs cpu: ${maxAbsDiff(wasm.dw, cpu.dw)}`);
    assert.ok(maxAbsDiff(wasm.dx, cpu.dx) < 1e-4, `dx vs cpu: ${maxAbsDiff(wasm.dx, cpu.dx)}`);
    // The gradients are not trivially zero: the comparison above means something.
    assert.ok(Math.max(...loops.dw.map(Math.abs)) > 0.1);
  });
}

/** c[q, i, j] = Σ_k a[q, i, k] · b[q, k, j] for a stack of matrices given as nested arrays. */
function matMulByLoops(a: number[][][], b: number[][][]): number[] {
  const out: number[] = [];
  for (let q = 0; q < a.length; q++)
    for (let i = 0; i < a[q].length; i++)
      for (let j = 0; j < b[q][0].length; j++) {
        let sum = 0;
        for (let k = 0; k < b[q].length; k++) sum += a[q][i][k] * b[q][k][j];
        out.push(sum);
      }
  return out;
}

function transposed(m: number[][][]): number[][][] {
  return m.map((rows) => rows[0].map((_, j) => rows.map((row) => row[j])));
}

for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
  for (const batch of [0, 3]) {
    test(`wasm matMul matches plain loops: transposeA ${transposeA}, transposeB ${transposeB}, ${batch ? `batch of ${batch}` : 'rank 2'}`, () => {
      const [m, k, n] = [5, 7, 4];
      const stack = Math.max(batch, 1);
      const toNested = (v: Float32Array, rows: number, cols: number) =>
        Array.from({ length: stack }, (_, q) => Array.from({ length: rows }, (_, r) => Array.from(v.subarray((q * rows + r) * cols, (q * rows + r + 1) * cols))));
      // a is m×k and b is k×n as multiplied; stored transposed where the flag says so.
      const aStored = values(stack * m * k, 4);
      const bStored = values(stack * k * n, 5);
      const aNested = transposeA ? transposed(toNested(aStored, k, m)) : toNested(aStored, m, k);
      const bNested = transposeB ? transposed(toNested(bStored, n, k)) : toNested(bStored, k, n);
      const shapeOf = (rows: number, cols: number) => (batch ? [batch, rows, cols] : [rows, cols]);
      const a = tf.tensor(aStored, transposeA ? shapeOf(k, m) : shapeOf(m, k));
      const b = tf.tensor(bStored, transposeB ? shapeOf(n, k) : shapeOf(k, n));
      const before = tf.memory().numTensors;
      const c = tf.matMul(a, b, transposeA, transposeB);
      assert.equal(tf.memory().numTensors, before + 1, 'the kernel leaks no tensors');
      assert.deepEqual(c.shape, shapeOf(m, n));
      const diff = maxAbsDiff(c.dataSync(), matMulByLoops(aNested, bNested));
      tf.dispose([a, b, c]);
      assert.ok(diff < 1e-5, `max |tf − loops| = ${diff}`);
    });
  }
}

test('a Keras conv net trains on wasm: one SGD step moves conv and dense weights as on the CPU backend', async () => {
  const build = () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
      ],
    });
  const step = async () => {
    const model = build();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const initial = model.getWeights()[0].dataSync<'float32'>().slice();
    const x = tf.tensor4d(values(4 * 36, 8), [4, 6, 6, 1]);
    const y = tf.tensor2d(values(8, 9), [4, 2]);
    await model.trainOnBatch(x, y);
    const kernels = model.getWeights().map((t) => t.dataSync<'float32'>().slice());
    assert.ok(maxAbsDiff(kernels[0], initial) > 1e-4, 'the first conv kernel moved');
    tf.dispose([x, y]);
    model.dispose();
    return kernels;
  };
  const onWasm = await step();
  await tf.setBackend('cpu');
  let onCpu: Float32Array[];
  try {
    onCpu = await step();
  } finally {
    await tf.setBackend('wasm');
  }
  assert.equal(onWasm.length, onCpu.length);
  for (let i = 0; i < onWasm.length; i++) assert.ok(maxAbsDiff(onWasm[i], onCpu[i]) < 1e-5, `weight ${i}`);
});
