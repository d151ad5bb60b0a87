// The WASM and CPU backends give the same maps for every method (each backend builds its own tensors).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain } from '../../../src/engine/methods/explain';
import { listMethods, listPresets, parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { Explanation } from '../../../src/protocol/explanation';
import type { ImageShape } from '../../../src/protocol/model';
import { mixedConvNet, randomImages, TINY_DENSE, TINY_DENSE_INPUTS, tinyConvNet } from './nets';
import { forwardRef, toNetwork, type RefNet } from './reference';

const SPECS = [
  ...listMethods().map((m) => m.id),
  ...listPresets().map((p) => p.name),
  'lrp-epsilon:epsilon=0.01',
  'lrp-gamma:gamma=1',
  'integrated-gradients:steps=8',
  'smoothgrad:samples=8,seed=5',
  'occlusion:patch=2,stride=1',
].map(parseMethodSpec);

const CASES: Array<{ name: string; net: RefNet; imageShape: ImageShape; images: number[][]; bounds: [number, number] | null }> = [
  { name: 'tiny dense', net: TINY_DENSE, imageShape: [2, 2, 1], images: TINY_DENSE_INPUTS, bounds: [-1, 1] },
  { name: 'tiny conv', net: tinyConvNet(9), imageShape: [5, 5, 1], images: randomImages(59, 3, 25), bounds: [0, 1] },
  { name: 'mixed conv', net: mixedConvNet(3), imageShape: [6, 6, 2], images: randomImages(53, 3, 72), bounds: [0, 1] },
  { name: 'mixed conv, unbounded', net: mixedConvNet(9), imageShape: [6, 6, 2], images: randomImages(59, 3, 72), bounds: null },
];

/**
 * The smallest |z_j| / Σ_i |a_i w'_ij| over the live Dense/Conv columns, for w' = w + γw⁺ with γ ∈ {0, 0.25, 1}
 * (LRP-0 and LRP-γ have no ε to absorb it). A column that cancels to 1e-4 of its terms makes z_j, and
 * the relevance divided by it, float32-accurate to ~1e-3 only, and the two backends sum in different
 * orders: comparing at 1e-5 needs nets and images without such columns.
 */
function worstCancellation(net: RefNet, x: number[]): number {
  const t = forwardRef(net, x);
  let worst = Infinity;
  for (const [index, lin] of t.linear) {
    const layer = net.layers[index];
    if (layer.kind !== 'dense' && layer.kind !== 'conv2d') continue;
    const a = t.acts[index];
    for (const gamma of [0, 0.25, 1]) {
      const boost = (v: number) => v + gamma * Math.max(v, 0);
      lin.conns.forEach((list, j) => {
        if (t.acts[index + 1][j] === 0) return; // a column at exactly 0 is a dead ReLU: no relevance flows through it
        const z = list.reduce((s, { i, w }) => s + a[i] * boost(w), 0) + boost(lin.bias[j]);
        const size = list.reduce((s, { i, w }) => s + Math.abs(a[i] * boost(w)), 0) + Math.abs(boost(lin.bias[j]));
        if (size > 0) worst = Math.min(worst, Math.abs(z) / size);
      });
    }
  }
  return worst;
}

async function runOn(backend: 'wasm' | 'cpu'): Promise<Explanation[][]> {
  await initBackend(nodeModulesWasmDir(), backend);
  return CASES.map((c) => {
    const network = toNetwork(c.net);
    try {
      return explain(network, c.imageShape, {
        images: c.images.map((x) => Float32Array.from(x)),
        methods: SPECS,
        targets: c.images.map((_, i) => (i === 0 ? [null, 0] : null)),
        bounds: c.bounds,
      });
    } finally {
      network.dispose();
    }
  });
}

describe('wasm and cpu agree', () => {
  after(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  test('the test nets have no live denominator cancelling below 1e-3 of its terms', () => {
    for (const c of CASES) {
      for (const x of c.images) assert.ok(worstCancellation(c.net, x) > 1e-3, `${c.name}: ${worstCancellation(c.net, x)}`);
    }
  });

  test('every method, relative 1e-5 of the map maximum', async () => {
    const wasm = await runOn('wasm');
    const cpu = await runOn('cpu');
    const back = await runOn('wasm');
    const failures: string[] = [];
    CASES.forEach((c, k) => {
      assert.equal(wasm[k].length, cpu[k].length);
      wasm[k].forEach((w, i) => {
        const other = cpu[k][i];
        const label = `${c.name}: ${w.method}, image ${w.image}, target ${w.target}`;
        assert.equal(other.method, w.method, label);
        assert.equal(other.target, w.target, label);
        const scale = Math.max(...Array.from(w.relevance, Math.abs), 1e-30);
        const worst = Math.max(...Array.from(w.relevance, (v, p) => Math.abs(v - other.relevance[p])));
        if (worst > 1e-5 * scale) failures.push(`${label}: max |wasm − cpu| = ${(worst / scale).toExponential(2)} of max |R|`);
        // Switching back to wasm reproduces the first wasm run exactly.
        assert.deepEqual(Array.from(back[k][i].relevance), Array.from(w.relevance), label);
      });
    });
    assert.deepEqual(failures, []);
  });
});
