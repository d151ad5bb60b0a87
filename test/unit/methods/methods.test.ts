// Every method id, preset and non-default parameter, on small networks, against maps computed here with
// plain loops (reference.ts), to 1e-5.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { integratedGradients, occlusion, smoothGrad, smoothGradNoise, type AttributionBatch } from '../../../src/engine/methods/attributors';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { formatMethodSpec, parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { MethodSpec, Network } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { mixedConvNet, randomImages, TINY_DENSE, TINY_DENSE_INPUTS, tinyConvNet } from './nets';
import {
  argMax,
  assertClose,
  channelSumRef,
  forwardRef,
  gradientRef,
  integratedGradientsRef,
  logitsRef,
  lrpRef,
  occlusionRef,
  smoothGradRef,
  toNetwork,
  type RefLayer,
  type RefNet,
  type RefRule,
} from './reference';

const SPECS = [
  'sensitivity',
  'gradient',
  'simple-taylor',
  'guided-backprop',
  'deconvnet',
  'deep-taylor',
  'lrp-a1.2b0.2',
  'lrp-a1.5b0.5',
  'lrp-a2b1',
  'lrp-a1b0',
  'lrp-ab:alpha=3,beta=2',
  'lrp-z',
  'lrp-epsilon',
  'lrp-epsilon:epsilon=0.01',
  'lrp-gamma',
  'lrp-gamma:gamma=1',
  'epsilon-plus-flat',
  'epsilon-plus-flat:epsilon=0.5',
  'epsilon-gamma-box',
  'epsilon-gamma-box:epsilon=0.1,gamma=0.5',
  // On a chain without attention the transformer methods are LRP-ε or LRP-γ on every layer.
  'attnlrp:epsilon=0.1',
  'cp-lrp:gamma=0.5',
  'integrated-gradients',
  'integrated-gradients:steps=5',
  'smoothgrad',
  'smoothgrad:samples=5,sigma=0.3,seed=7',
  'occlusion',
  'occlusion:patch=2,stride=1',
  'occlusion:patch=3,stride=2',
];

/** The bounds of the first Dense/Conv input: the network-input box mapped through leading rescales. */
function firstLayerBounds(net: RefNet, bounds: [number, number]): [number, number] {
  let [l, h] = bounds;
  for (const layer of net.layers) {
    if (layer.kind === 'dense' || layer.kind === 'conv2d') break;
    if (layer.kind === 'rescale') {
      const a = l * layer.scale + layer.offset;
      const b = h * layer.scale + layer.offset;
      [l, h] = [Math.min(a, b), Math.max(a, b)];
    }
  }
  return [l, h];
}

/** The reference map (h × w) of one method for one image and target. */
function referenceMap(
  net: RefNet,
  x: number[],
  target: number,
  spec: MethodSpec,
  imageShape: ImageShape,
  bounds: [number, number] | null,
): number[] {
  const channels = imageShape[2];
  const p = spec.params;
  const box = (): RefRule => {
    if (!bounds) return { rule: 'w2' };
    const [low, high] = firstLayerBounds(net, bounds);
    return { rule: 'zB', low, high };
  };
  const lrp = (ruleFor: (layer: RefLayer, first: boolean) => RefRule) => channelSumRef(lrpRef(net, x, target, ruleFor), channels);
  switch (spec.id) {
    case 'sensitivity':
      return channelSumRef(
        gradientRef(net, x, target).map((g) => g * g),
        channels,
      );
    case 'gradient':
      return channelSumRef(gradientRef(net, x, target), channels);
    case 'simple-taylor':
      return channelSumRef(
        gradientRef(net, x, target).map((g, i) => g * x[i]),
        channels,
      );
    case 'guided-backprop':
      return channelSumRef(gradientRef(net, x, target, 'guided'), channels);
    case 'deconvnet':
      return channelSumRef(gradientRef(net, x, target, 'deconvnet'), channels);
    case 'lrp-z':
      return lrp(() => ({ rule: 'z' }));
    case 'lrp-epsilon':
      return lrp(() => ({ rule: 'epsilon', epsilon: p.epsilon }));
    case 'lrp-gamma':
      return lrp(() => ({ rule: 'gamma', gamma: p.gamma }));
    case 'lrp-ab':
      return lrp(() => ({ rule: 'ab', alpha: p.alpha, beta: p.beta }));
    case 'deep-taylor':
      return lrp((_layer, first) => (first ? box() : { rule: 'ab', alpha: 1, beta: 0 }));
    case 'epsilon-plus-flat':
      return lrp((layer, first) =>
        first ? { rule: 'flat' } : layer.kind === 'conv2d' ? { rule: 'ab', alpha: 1, beta: 0 } : { rule: 'epsilon', epsilon: p.epsilon },
      );
    case 'epsilon-gamma-box':
      return lrp((layer, first) =>
        first ? box() : layer.kind === 'conv2d' ? { rule: 'gamma', gamma: p.gamma } : { rule: 'epsilon', epsilon: p.epsilon },
      );
    case 'attnlrp':
    case 'cp-lrp':
      return lrp(() => (p.gamma > 0 ? { rule: 'gamma', gamma: p.gamma } : { rule: 'epsilon', epsilon: p.epsilon }));
    case 'integrated-gradients':
      return channelSumRef(integratedGradientsRef(net, x, target, p.steps), channels);
    case 'smoothgrad': {
      const noiseTensor = smoothGradNoise(p.samples, x.length, p.seed);
      const noise = noiseTensor.arraySync();
      noiseTensor.dispose();
      const range = bounds ? bounds[1] - bounds[0] : Math.max(...x) - Math.min(...x);
      return channelSumRef(smoothGradRef(net, x, target, noise, p.sigma * range), channels);
    }
    case 'occlusion':
      return occlusionRef(net, x, target, imageShape, p.patch, p.stride);
  }
}

interface Case {
  name: string;
  net: RefNet;
  imageShape: ImageShape;
  images: number[][];
  targets: Array<Array<number | null> | null>;
  bounds: [number, number] | null;
}

const CASES: Case[] = [
  {
    name: 'tiny dense 4-3-2 (negative input, empty αβ columns)',
    net: TINY_DENSE,
    imageShape: [2, 2, 1],
    images: TINY_DENSE_INPUTS,
    targets: [[null, 1], null],
    bounds: [-1, 1],
  },
  {
    name: 'tiny dense 4-3-2, unbounded inputs',
    net: TINY_DENSE,
    imageShape: [2, 2, 1],
    images: TINY_DENSE_INPUTS,
    targets: [null, [0, 1]],
    bounds: null,
  },
  {
    name: 'conv 5×5 → conv 2×2 → relu → maxpool → dense',
    net: tinyConvNet(),
    imageShape: [5, 5, 1],
    images: randomImages(11, 3, 25),
    targets: [null, [2], [0, null]],
    bounds: [0, 1],
  },
  {
    name: 'conv net with all-zero max-pool windows (deconvnet ties at 0)',
    net: tinyConvNet(5),
    imageShape: [5, 5, 1],
    images: randomImages(51, 3, 25),
    targets: [[null, 0], [0, 1, 2], [0, 1, 2]],
    bounds: [0, 1],
  },
  {
    name: 'mixed conv net (rescale, same padding, avgpool, stride 2, global avgpool)',
    net: mixedConvNet(),
    imageShape: [6, 6, 2],
    images: randomImages(12, 2, 72),
    targets: [null, [1, 2]],
    bounds: [0, 1],
  },
  {
    name: 'mixed conv net, unbounded inputs',
    net: mixedConvNet(3),
    imageShape: [6, 6, 2],
    images: randomImages(13, 2, 72),
    targets: [null, null],
    bounds: null,
  },
];

describe('every method matches its plain-loop reference', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  test('the tiny dense net has the empty αβ columns it is meant to have', () => {
    const t = forwardRef(TINY_DENSE, TINY_DENSE_INPUTS[0]);
    const w = (TINY_DENSE.layers[0] as { w: number[] }).w;
    const products = (j: number) => TINY_DENSE_INPUTS[0].map((a, i) => a * w[i * 3 + j]);
    assert.ok(products(0).every((v) => v >= 0), 'column 0: no negative contribution');
    assert.ok(products(2).every((v) => v <= 0), 'column 2: no positive contribution');
    assert.ok(t.acts[1][2] > 0, 'column 2 stays active through its bias');
  });

  test('the tie case has windows whose four values are all 0', () => {
    const c = CASES.find((k) => k.name.includes('ties at 0'))!;
    const zeroWindows = c.images.map((x) => {
      const t = forwardRef(c.net, x);
      return t.acts[3].filter((v) => v === 0).length; // max-pool outputs of the ReLU map
    });
    assert.ok(zeroWindows.some((n) => n > 0), `zero windows per image: ${zeroWindows}`);
  });

  for (const c of CASES) {
    test(c.name, () => {
      const network: Network = toNetwork(c.net);
      try {
        const specs = SPECS.map(parseMethodSpec);
        const results = explain(network, c.imageShape, {
          images: c.images.map((x) => Float32Array.from(x)),
          methods: specs,
          targets: c.targets,
          bounds: c.bounds,
        });

        // Order: image-major, then method, then target.
        const expectedOrder: string[] = [];
        c.images.forEach((x, image) => {
          const predicted = argMax(logitsRef(c.net, x));
          const targets = (c.targets[image] ?? [null]).map((t) => t ?? predicted);
          for (const spec of specs) for (const target of targets) expectedOrder.push(`${image}/${formatMethodSpec(spec)}/${target}`);
        });
        assert.deepEqual(
          results.map((r) => `${r.image}/${r.method}/${r.target}`),
          expectedOrder,
        );

        for (const r of results) {
          const x = c.images[r.image];
          const spec = parseMethodSpec(r.method);
          const label = `${c.name}: ${r.method}, image ${r.image}, target ${r.target}`;
          const logits = logitsRef(c.net, x);
          assert.equal(r.predicted, argMax(logits), label);
          assert.ok(Math.abs(r.logit - logits[r.target]) < 1e-5, label);
          assert.deepEqual(r.shape, [c.imageShape[0], c.imageShape[1]]);
          const expected = referenceMap(c.net, x, r.target, spec, c.imageShape, c.bounds);
          assertClose(r.relevance, expected, 1e-5, label);
          const sum = expected.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(r.relevanceSum - sum) <= 1e-5 * Math.max(1, Math.abs(sum)) * expected.length, label);
          assert.ok(r.ms >= 0 && Number.isFinite(r.ms), label);
          if (spec.id === 'integrated-gradients') {
            const completeness = Math.abs(sum - (logits[r.target] - logitsRef(c.net, x.map(() => 0))[r.target]));
            assert.ok(r.completenessError !== undefined && Math.abs(r.completenessError - completeness) < 1e-4, label);
          } else {
            assert.equal(r.completenessError, undefined, label);
          }
        }
      } finally {
        network.dispose();
      }
    });
  }

  test('IG, SmoothGrad and occlusion give the same maps in small chunks as in one', () => {
    const net = mixedConvNet();
    const network = toNetwork(net);
    try {
      const images = randomImages(14, 5, 72);
      const run = (chunkEvaluations: number) =>
        tf.tidy(() => {
          const x = tf.tensor(images.flat(), [5, 6, 6, 2]);
          const logits = tf.tensor2d(images.map((im) => logitsRef(net, im)));
          const targets = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1], 'int32'), 3).toFloat();
          const batch: AttributionBatch = { network, imageShape: [6, 6, 2], x, logits, targets, chunkEvaluations };
          return tf.concat([
            tf.reshape(integratedGradients(batch, 6).map, [-1]),
            tf.reshape(smoothGrad(batch, 4, 0.2, 1, null), [-1]),
            tf.reshape(occlusion(batch, 3, 2), [-1]),
          ]);
        });
      const whole = run(1e6);
      const chunked = run(7); // 1 row of IG (6 steps) or SmoothGrad (4 samples), 1 image of occlusion per chunk
      assertClose(chunked.dataSync(), Array.from(whole.dataSync()), 1e-6, 'chunked vs whole');
      whole.dispose();
      chunked.dispose();
    } finally {
      network.dispose();
    }
  });

  test('the probabilities are the softmax of the logits', () => {
    const network = toNetwork(TINY_DENSE);
    try {
      const [r] = explain(network, [2, 2, 1], {
        images: [Float32Array.from(TINY_DENSE_INPUTS[0])],
        methods: [parseMethodSpec('gradient')],
        bounds: null,
      });
      const logits = logitsRef(TINY_DENSE, TINY_DENSE_INPUTS[0]);
      const exp = logits.map((v) => Math.exp(v));
      const total = exp.reduce((a, b) => a + b, 0);
      assertClose(r.probabilities, exp.map((v) => v / total), 1e-6, 'softmax');
    } finally {
      network.dispose();
    }
  });

  after(() => {
    // Networks built above were disposed, which also frees their prepared weights.
    assert.equal(typeof releasePrepared, 'function');
    assert.equal(tf.memory().numTensors, 0);
  });
});
