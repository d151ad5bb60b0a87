// The per-network cache of kernel variants is bounded (network/prepared.ts): a user trying one γ after
// another keeps at most PREPARED_BUDGET.bytes of variants between calls, the variants used longest ago are
// the ones freed, and freeing changes no map (a freed variant is made again, bit for bit the same).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { PREPARED_BUDGET } from '../../../src/engine/network/prepared';
import { mixedConvNet, randomImages } from './nets';
import { toNetwork } from './reference';

const GAMMAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3];

describe('kernel variants kept within a budget', () => {
  const defaultBudget = PREPARED_BUDGET.bytes;
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });
  after(() => {
    PREPARED_BUDGET.bytes = defaultBudget;
  });

  test('ten γ values in turn: memory stays bounded under a small budget, grows without one, same maps', () => {
    const network = toNetwork(mixedConvNet());
    const images = randomImages(7, 2, 72).map((x) => Float32Array.from(x));
    const run = (gamma: number) =>
      explain(network, [6, 6, 2], { images, methods: [parseMethodSpec(`lrp-gamma:gamma=${gamma}`)], bounds: [0, 1] }).map((e) => e.relevance);
    const start = tf.memory().numBytes;

    // Unbounded (the default budget is far above this net): every γ adds its variants.
    const reference = GAMMAS.map(run);
    const unbounded = tf.memory().numBytes - start;
    releasePrepared(network);
    assert.equal(tf.memory().numBytes, start);

    // One γ's variants (boosted kernel and bias, forward and backward layouts) as the budget.
    run(GAMMAS[0]);
    const first = tf.memory().numBytes;
    run(GAMMAS[1]);
    const oneGamma = tf.memory().numBytes - first;
    releasePrepared(network);
    PREPARED_BUDGET.bytes = oneGamma;
    const peaks: number[] = [];
    GAMMAS.forEach((gamma, k) => {
      const maps = run(gamma);
      peaks.push(tf.memory().numBytes - start);
      maps.forEach((m, i) => assert.deepEqual(m, reference[k][i], `γ = ${gamma}, image ${i}: the same map after freeing`));
    });
    // Between calls at most the budget is kept, plus what the current call made: two γ's worth, and what
    // every call shares (the plain kernels' backward layout).
    const shared = first - start - oneGamma;
    assert.ok(Math.max(...peaks) <= shared + 2 * oneGamma, `peaks ${peaks} for one γ's ${oneGamma} bytes (+ ${shared} shared)`);
    assert.ok(unbounded >= shared + 10 * oneGamma, `without a budget all ten γ stay (${unbounded} bytes)`);

    // Going back to a γ whose variants were freed makes them again, with the same map.
    run(GAMMAS[0]).forEach((m, i) => assert.deepEqual(m, reference[0][i]));
    PREPARED_BUDGET.bytes = defaultBudget;
    releasePrepared(network);
    assert.equal(tf.memory().numBytes, start);
    network.dispose();
  });
});
