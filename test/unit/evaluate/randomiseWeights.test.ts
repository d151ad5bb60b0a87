// The networks of the model randomisation check: which layers are re-drawn in which order, with what
// distribution, reproducibly, cascading (a re-drawn layer keeps its draw at later steps), leaving every
// other weight and the original network alone.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isUserError } from '../../../src/engine/errors';
import { randomisableLayers, randomisedNetwork, redraw } from '../../../src/engine/evaluate/randomiseWeights';
import { normalStream } from '../../../src/engine/seededRandom';
import type { GraphNode, LinearNode } from '../../../src/engine/graph/nodes';
import { mixedConvNet, tinyConvNet } from '../methods/nets';
import { toNetwork } from '../methods/reference';
import { residualBnGraph } from '../graph/graphs';
import { toGraphNetwork } from '../graph/graphReference';
import { predict } from '../../../src/engine/methods/explain';
import { isLinear } from '../../../src/engine/graph/nodes';

const values = (node: GraphNode, key: 'kernel' | 'bias') => Array.from((node as LinearNode)[key].dataSync());

describe('model randomisation: re-drawn weights', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  it('standard normals: mean 0, variance 1, reproducible by seed', () => {
    const draw = (seed: number) => {
      const next = normalStream(seed);
      return Array.from({ length: 20000 }, next);
    };
    const a = draw(3);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.04, `variance ${variance}`);
    assert.deepEqual(draw(3).slice(0, 50), a.slice(0, 50));
    assert.notDeepEqual(draw(4).slice(0, 50), a.slice(0, 50));
  });

  it('a re-drawn kernel is N(0, σ²) with σ the std of the original values; zeros stay zeros', () => {
    const original = Float32Array.from({ length: 5000 }, (_, i) => 0.3 + 0.05 * Math.sin(i) * (i % 7));
    const mean = original.reduce((s, v) => s + v, 0) / original.length;
    const sigma = Math.sqrt(original.reduce((s, v) => s + (v - mean) ** 2, 0) / original.length);
    const fresh = redraw(original, 9);
    const freshMean = fresh.reduce((s, v) => s + v, 0) / fresh.length;
    const freshSigma = Math.sqrt(fresh.reduce((s, v) => s + (v - freshMean) ** 2, 0) / fresh.length);
    assert.ok(Math.abs(freshMean) < 0.05 * sigma, 'centred at 0, not at the old mean');
    assert.ok(Math.abs(freshSigma / sigma - 1) < 0.05, `σ ${freshSigma} vs ${sigma}`);
    assert.deepEqual(Array.from(redraw(new Float32Array(4), 1)), [0, 0, 0, 0]);
  });

  it('re-draws the Dense/Conv layers from the logits down, one more per step, cascading, reproducibly', () => {
    const network = toNetwork(mixedConvNet());
    const names = randomisableLayers(network);
    // mixedConvNet: rescale, conv (layer1), relu, avgPool, conv (layer4), relu, globalAvgPool, dense (layer7).
    assert.deepEqual(names, ['layer7', 'layer4', 'layer1']);
    const start = tf.memory().numTensors;
    const steps = [0, 1, 2, 3].map((s) => randomisedNetwork(network, s, 42));
    const byName = (n: (typeof steps)[number], name: string) => n.nodes.find((node) => node.name === name)!;
    for (const name of names) assert.equal(byName(steps[0], name), byName(network, name), 'step 0 shares every layer');
    assert.notDeepEqual(values(byName(steps[1], 'layer7'), 'kernel'), values(byName(network, 'layer7'), 'kernel'));
    assert.equal(byName(steps[1], 'layer4'), byName(network, 'layer4'), 'layers below the step are untouched');
    // Cascading: the top layer's draw is the same at steps 1, 2, 3; layer4 the same at steps 2 and 3.
    assert.deepEqual(values(byName(steps[2], 'layer7'), 'kernel'), values(byName(steps[1], 'layer7'), 'kernel'));
    assert.deepEqual(values(byName(steps[3], 'layer7'), 'bias'), values(byName(steps[1], 'layer7'), 'bias'));
    assert.deepEqual(values(byName(steps[3], 'layer4'), 'kernel'), values(byName(steps[2], 'layer4'), 'kernel'));
    assert.notDeepEqual(values(byName(steps[3], 'layer1'), 'kernel'), values(byName(network, 'layer1'), 'kernel'));
    // Same seed, same weights; another seed, others.
    const again = randomisedNetwork(network, 3, 42);
    const other = randomisedNetwork(network, 3, 43);
    assert.deepEqual(values(byName(again, 'layer1'), 'kernel'), values(byName(steps[3], 'layer1'), 'kernel'));
    assert.notDeepEqual(values(byName(other, 'layer1'), 'kernel'), values(byName(steps[3], 'layer1'), 'kernel'));
    // Disposing the copies frees their weights only; the original is intact.
    for (const n of [...steps, again, other]) n.dispose();
    assert.equal(tf.memory().numTensors, start);
    assert.equal(values(byName(network, 'layer7'), 'kernel').length, 2 * 3);
    network.dispose();
  });

  it('a step beyond the layers is a clear error', () => {
    const network = toNetwork(tinyConvNet());
    assert.deepEqual(randomisableLayers(network), ['layer4', 'layer0']);
    assert.throws(
      () => randomisedNetwork(network, 3, 0),
      (e: unknown) => isUserError(e) && /step 3 is out of range: the model has 2 Dense\/Conv layers/.test((e as Error).message),
    );
    network.dispose();
  });

  it('on a residual graph: the Dense/Conv nodes last computed first (folded BatchNorms go with their conv), grouped kernels keep their shapes', () => {
    const { network } = toGraphNetwork(residualBnGraph(3));
    const linear = network.nodes.filter(isLinear);
    assert.equal(linear.length, 4);
    assert.deepEqual(randomisableLayers(network), linear.map((n) => n.name).reverse());
    const x = Float32Array.from({ length: 108 }, (_, i) => ((i * 7) % 11) / 10);
    const logits = (n: typeof network) => Array.from(predict(n, x, 1).logits);
    const trained = logits(network); // prepares what the original's forward pass caches, before counting
    const start = tf.memory().numTensors;
    const same = randomisedNetwork(network, 0, 1);
    assert.deepEqual(logits(same), trained);
    const all = randomisedNetwork(network, 4, 1);
    all.nodes.forEach((node, i) => {
      if (isLinear(node)) assert.deepEqual(node.kernel.shape, (network.nodes[i] as typeof node).kernel.shape);
      else assert.equal(node, network.nodes[i], 'nodes without weights are shared');
    });
    assert.notDeepEqual(logits(all), trained);
    same.dispose();
    all.dispose();
    assert.equal(tf.memory().numTensors, start);
    network.dispose();
  });
});
