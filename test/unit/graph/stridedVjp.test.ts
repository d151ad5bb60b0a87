// The VJP of strided convolutions (layers/stridedVjp.ts: one correlation per phase instead of tfjs's slow
// conv2dTranspose) against a plain-loop float64 reference written here, over kernel sizes 1–7, strides 2–3
// (also unequal per axis), symmetric, asymmetric and 'same' pads, and input sizes that the stride does
// and does not divide (the output's last rows and columns then see only part of the input, or padding).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import type { Conv2dNode, PaddingSpec } from '../../../src/engine/graph/nodes';
import { conv2d } from '../../../src/engine/layers/conv2d';
import { usesPolyphaseVjp } from '../../../src/engine/layers/stridedVjp';
import { random, randomArray } from '../methods/reference';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

interface Case {
  input: [number, number, number];
  kernel: [number, number];
  out: number;
  strides: [number, number];
  padding: PaddingSpec;
}

function makeNode(c: Case, kernel: tf.Tensor4D): Conv2dNode {
  const fail = (problem: string): never => {
    throw new Error(problem);
  };
  const made = conv2d.create({ kind: 'conv2d', kernel, strides: c.strides, padding: c.padding }, { inputShapes: [c.input], fail, checkOutputShape: () => undefined });
  return { ...made, name: 'conv', inputs: [0] } as Conv2dNode;
}

/** dx[n, y, x, i] = Σ dy[n, oy, ox, o] · w[ky, kx, i, o] over y = s·oy + ky − top, x = s·ox + kx − left. */
function referenceVjp(node: Conv2dNode, w: number[], dy: number[], n: number, [h, wd, cin]: number[]): Float64Array {
  const [kh, kw, , cout] = node.kernel.shape;
  const [oh, ow] = node.shape;
  const [sh, sw] = node.strides;
  const [top, left] = node.pads;
  const dx = new Float64Array(n * h * wd * cin);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const y = sh * oy + ky - top;
            const x = sw * ox + kx - left;
            if (y < 0 || y >= h || x < 0 || x >= wd) continue;
            for (let i = 0; i < cin; i++) {
              let total = 0;
              for (let o = 0; o < cout; o++) total += dy[((b * oh + oy) * ow + ox) * cout + o] * w[((ky * kw + kx) * cin + i) * cout + o];
              dx[((b * h + y) * wd + x) * cin + i] += total;
            }
          }
  return dx;
}

const CASES: Case[] = [
  { input: [224, 224, 3], kernel: [7, 7], out: 8, strides: [2, 2], padding: [3, 3, 3, 3] }, // ResNet stem
  { input: [16, 16, 4], kernel: [3, 3], out: 6, strides: [2, 2], padding: [1, 1, 1, 1] },
  { input: [15, 13, 3], kernel: [3, 3], out: 5, strides: [2, 2], padding: [1, 1, 1, 1] },
  { input: [16, 16, 5], kernel: [1, 1], out: 7, strides: [2, 2], padding: 'valid' }, // projection shortcut
  { input: [9, 11, 2], kernel: [1, 1], out: 3, strides: [3, 2], padding: 'valid' },
  { input: [17, 14, 3], kernel: [5, 4], out: 4, strides: [3, 2], padding: [0, 2, 3, 1] },
  { input: [12, 10, 3], kernel: [2, 2], out: 4, strides: [2, 2], padding: 'valid' },
  { input: [11, 11, 3], kernel: [3, 3], out: 4, strides: [2, 2], padding: 'same' },
  { input: [10, 9, 2], kernel: [4, 3], out: 3, strides: [3, 3], padding: [3, 0, 0, 2] },
  { input: [8, 8, 3], kernel: [3, 3], out: 4, strides: [1, 2], padding: [1, 1, 1, 1] },
  // Eight input channels and more: one correlation per phase (fewer share one joint correlation).
  { input: [14, 14, 8], kernel: [3, 3], out: 16, strides: [2, 2], padding: [1, 1, 1, 1] }, // ResNet stage entry
  { input: [15, 13, 9], kernel: [3, 3], out: 5, strides: [2, 2], padding: [1, 1, 1, 1] },
  { input: [16, 16, 12], kernel: [1, 1], out: 7, strides: [2, 2], padding: 'valid' },
  { input: [17, 14, 10], kernel: [5, 4], out: 4, strides: [3, 2], padding: [0, 2, 3, 1] },
  { input: [11, 11, 8], kernel: [3, 3], out: 4, strides: [2, 2], padding: 'same' },
  { input: [12, 10, 8], kernel: [7, 7], out: 3, strides: [2, 2], padding: [3, 3, 3, 3] },
  { input: [10, 9, 8], kernel: [4, 3], out: 3, strides: [3, 3], padding: [3, 0, 0, 2] },
];

describe('VJP of strided convolutions: polyphase correlation against a float64 loop', () => {
  for (const c of CASES) {
    const name = `${c.input.join('×')}, kernel ${c.kernel.join('×')} → ${c.out}, strides ${c.strides.join('×')}, pads ${JSON.stringify(c.padding)}`;
    test(name, () => {
      const rand = random(c.input[0] * 31 + c.kernel[0]);
      const [kh, kw] = c.kernel;
      const cin = c.input[2];
      const wValues = randomArray(rand, kh * kw * cin * c.out);
      const node = makeNode(c, tf.tensor4d(wValues, [kh, kw, cin, c.out]));
      assert.ok(usesPolyphaseVjp(node));
      const n = 2;
      const [oh, ow] = node.shape;
      const dyValues = randomArray(rand, n * oh * ow * c.out);
      const dy = tf.tensor4d(dyValues, [n, oh, ow, c.out]);
      const kernel = conv2d.linear.backwardKernel(node, node.kernel);
      const dx = conv2d.linear.vjp(node, kernel, dy, [n, ...c.input]);
      assert.deepEqual(dx.shape, [n, ...c.input]);
      const got = dx.dataSync();
      const want = referenceVjp(node, wValues, dyValues, n, c.input);
      let scale = 0;
      for (const v of want) scale = Math.max(scale, Math.abs(v));
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      assert.ok(worst <= 1e-5 * scale, `max error ${worst} of max |dx| ${scale}`);
      // Every input position that some window covers gets a non-zero gradient: the phases are all placed.
      const covered = want.filter((v) => v !== 0).length;
      assert.equal(Array.from(got).filter((v, i) => v !== 0 && want[i] !== 0).length, covered);
      tf.dispose([dy, kernel, dx, node.kernel, node.bias]);
    });
  }
});
