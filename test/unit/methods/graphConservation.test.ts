// Conservation on bias-free graphs: residual blocks (identity and projection), concatenations, a tensor
// read by two branches, and random residual / concatenating nets. Σ R = f_c(x), 1e-4: Add splits
// relevance in proportion to its inputs, a tensor read twice sums what comes back, and every Dense/Conv
// rule conserves without biases. LRP-0 and simple Taylor conserve on every such graph. z⁺ (and deep
// Taylor, z⁺ above z^B) passes nothing through a column without a positive contribution, as Zennit's ZPlus
// does; an Add fed straight by a convolution can send relevance to such a column (its value is negative
// there), so z⁺ is checked on the same graphs with a ReLU before every merge (graphs.ts
// `reluAfterEveryLinear`), where it conserves exactly, as ResNets with post-activation merges.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { ImageShape } from '../../../src/protocol/model';
import { logitsOfGraph, toGraphNetwork, type RefGraph } from '../graph/graphReference';
import { concatBranchesGraph, identityResidualGraph, projectionResidualGraph, randomGraph, reluAfterEveryLinear, sharedTensorGraph } from '../graph/graphs';
import { randomImages } from './nets';

const ALWAYS = ['simple-taylor', 'lrp-z'];
const Z_PLUS = ['lrp-a1b0', 'deep-taylor'];

const imageShapeOf = (g: RefGraph): ImageShape => (g.inputShape.length === 3 ? (g.inputShape as ImageShape) : [1, g.inputShape[0], 1]);

const GRAPHS: Array<[string, RefGraph]> = [
  ['identity residual block', identityResidualGraph(51, false)],
  ['residual block with a 1×1 stride-2 projection', projectionResidualGraph(52, false)],
  ['concatenation of two branches', concatBranchesGraph(53, false)],
  ['one tensor read by two branches', sharedTensorGraph(54, false)],
  ...[61, 62, 64, 65].map((seed): [string, RefGraph] => {
    const { graph, blocks } = randomGraph(seed, false);
    return [`random graph ${seed} (${blocks.join(', ')})`, graph];
  }),
];

describe('conservation on bias-free graphs', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  const cases = [
    ...GRAPHS.map(([name, graph]) => ({ name, graph, methods: ALWAYS })),
    ...GRAPHS.map(([name, graph]) => ({ name: `${name}, ReLU before every merge`, graph: reluAfterEveryLinear(graph), methods: [...ALWAYS, ...Z_PLUS] })),
  ];
  for (const { name, graph, methods } of cases) {
    test(`${name}: Σ R = f_c(x) for ${methods.join(', ')}`, () => {
      const { network } = toGraphNetwork(graph);
      try {
        const size = graph.inputShape.reduce((a, b) => a * b, 1);
        // Inputs inside the z^B box [0, 1], with a clearly positive predicted logit (the relevance of a
        // negative logit has no positive contribution to flow through under z⁺).
        const images = randomImages(71, 24, size).filter((x) => Math.max(...logitsOfGraph(graph, x)) > 0.01).slice(0, 6);
        assert.ok(images.length >= 4, 'enough images with a positive logit');
        const results = explain(network, imageShapeOf(graph), {
          images: images.map((x) => Float32Array.from(x)),
          methods: methods.map(parseMethodSpec),
          bounds: [0, 1],
        });
        assert.equal(results.length, images.length * methods.length);
        for (const r of results) {
          const logit = Math.max(...logitsOfGraph(graph, images[r.image]));
          const sum = r.relevance.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - logit) <= 1e-4 * Math.abs(logit), `${r.method} image ${r.image}: Σ R = ${sum}, logit ${logit}`);
        }
      } finally {
        network.dispose();
      }
    });
  }
});
