// No tensor outlives an explain call: 100 calls over every method leave tf.memory() where it was, apart
// from the per-network prepared weights, which releasePrepared (or network.dispose) frees.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, predict, releasePrepared } from '../../../src/engine/methods/explain';
import { expandMethodList, listMethods, parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { isUserError } from '../../../src/engine/errors';
import { mixedConvNet, randomImages, TINY_DENSE } from './nets';
import { toNetwork } from './reference';

const METHODS = [
  ...listMethods().map((m) => parseMethodSpec(m.id)),
  ...expandMethodList('seed,integrated-gradients:steps=4,smoothgrad:samples=3,occlusion:patch=3,stride=3'),
];

describe('tensor hygiene', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  test('100 explain calls leak nothing; prepared weights are freed by releasePrepared', () => {
    const network = toNetwork(mixedConvNet());
    const images = randomImages(61, 3, 72).map((x) => Float32Array.from(x));
    const start = tf.memory().numTensors;
    let afterFirst = -1;
    for (let call = 0; call < 100; call++) {
      const spec = METHODS[call % METHODS.length];
      const results = explain(network, [6, 6, 2], {
        images: images.slice(0, 1 + (call % 3)),
        methods: [spec, METHODS[(call * 7) % METHODS.length]],
        targets: call % 2 ? [[0, 1], null, [2]] : undefined,
        bounds: call % 4 === 3 ? null : [0, 1],
      });
      assert.ok(results.length > 0);
      predict(network, images[0], 1);
      if (call === METHODS.length) afterFirst = tf.memory().numTensors;
    }
    // Once every method has run, the prepared cache is complete and stays constant.
    assert.equal(tf.memory().numTensors, afterFirst);
    assert.ok(afterFirst > start, 'weights were prepared');
    releasePrepared(network);
    assert.equal(tf.memory().numTensors, start);
    network.dispose();
  });

  test('network.dispose() also frees the prepared weights', () => {
    const start = tf.memory().numTensors;
    const network = toNetwork(TINY_DENSE);
    explain(network, [2, 2, 1], { images: [new Float32Array([1, -0.5, 0.75, 0.25])], methods: METHODS, bounds: [-1, 1] });
    network.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  test('a call that throws leaks nothing', () => {
    const network = toNetwork(TINY_DENSE);
    const start = tf.memory().numTensors;
    assert.throws(
      () =>
        explain(network, [2, 2, 1], {
          images: [new Float32Array(4)],
          methods: [parseMethodSpec('gradient')],
          targets: [[7]],
          bounds: null,
        }),
      (e: unknown) => isUserError(e) && /target class 7 .* out of range \(the model has 2 classes\)/.test((e as Error).message),
    );
    assert.throws(
      () => explain(network, [2, 2, 1], { images: [new Float32Array(5)], methods: [parseMethodSpec('gradient')], bounds: null }),
      (e: unknown) => isUserError(e) && /image 0 has 5 values; the model expects 4/.test((e as Error).message),
    );
    assert.equal(tf.memory().numTensors, start);
    network.dispose();
  });
});
