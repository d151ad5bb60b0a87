// Concepts (CRP) against the float64 graph reference (test/unit/graph/graphReference.ts, `lrpAtNodeGraph`):
// the relevance at a node's output summed per channel, the peak position of each channel, each channel's
// conditional heatmap; and the conservation law of the definition: the conditional maps of all channels of
// a node that every path crosses add up to the full heatmap (explain()), 1e-5 of its largest value. Inside a
// residual block they add up to the part of the map that flows through the node, which the reference
// gives as its walk from that node down.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { conceptNode } from '../../../src/engine/concepts/conceptNodes';
import { conceptRelevance } from '../../../src/engine/concepts/conditionalRelevance';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { InputBounds } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { lrpAtNodeGraph, lrpRulesRef, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { vitBlockGraph } from '../graph/attentionGraphs';
import { convNode, denseNode, identityResidualGraph } from '../graph/graphs';
import { randomImages } from '../methods/nets';
import { assertClose, channelSumRef, random } from '../methods/reference';

const METHODS = ['epsilon-plus-flat', 'lrp-a2b1', 'deep-taylor', 'lrp-epsilon', 'epsilon-gamma-box', 'lrp-a1b0'];

/** [8, 8, 1] → conv 3×3 pad 1 (4) → ReLU → max pool 2 → conv 3×3 pad 1 (6) → ReLU → flatten → dense 16 → ReLU → dense 3. */
function chainCnn(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [8, 8, 1],
    nodes: [
      convNode(rand, 0, [3, 3], 1, 4, { pads: [1, 1, 1, 1] }),
      { kind: 'relu', input: 1 },
      { kind: 'maxPool', input: 2, pool: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
      convNode(rand, 3, [3, 3], 4, 6, { pads: [1, 1, 1, 1] }),
      { kind: 'relu', input: 4 },
      { kind: 'flatten', input: 5 },
      denseNode(rand, 6, 96, 16),
      { kind: 'relu', input: 7 },
      denseNode(rand, 8, 16, 3),
    ],
  };
}

interface Case {
  name: string;
  graph: RefGraph;
  imageShape: ImageShape;
  bounds: InputBounds | null;
  /** Reference node numbers (the engine names them `<kind><number>`). */
  layers: number[];
  /** Layers every path from the input to the logits crosses: there Σ conditional = the full map. */
  cuts: number[];
  targets: Array<number | null>;
  seed: number;
  /** The LRP methods checked (default METHODS). */
  methods?: string[];
}

const CASES: Case[] = [
  { name: 'conv chain', graph: chainCnn(51), imageShape: [8, 8, 1], bounds: [0, 1], layers: [1, 4, 7, 9], cuts: [1, 4, 7, 9], targets: [null, 2, 0], seed: 61 },
  { name: 'identity residual block', graph: identityResidualGraph(52), imageShape: [6, 6, 2], bounds: [0, 1], layers: [1, 3, 5, 9], cuts: [1, 9], targets: [null, 1], seed: 62 },
  // A ViT block: the patch embedding (every path crosses it), the value projection, A·V (a matmul: its
  // channels are a head's dimensions), the output projection, the MLP's first layer, the logits.
  { name: 'ViT block', graph: vitBlockGraph(55), imageShape: [4, 4, 3], bounds: [0, 1], layers: [1, 9, 15, 18, 20, 25], cuts: [1, 25], targets: [null, 3], seed: 65, methods: ['attnlrp', 'cp-lrp', 'lrp-epsilon', 'lrp-a2b1'] },
];

/** Σ over positions of each channel (the last axis). */
function sumPerChannel(values: number[], channels: number): number[] {
  const sums = new Array<number>(channels).fill(0);
  values.forEach((v, i) => (sums[i % channels] += v));
  return sums;
}

function conditioned(graph: RefGraph, seed: number, count: number): number[][] {
  const size = graph.inputShape.reduce((a, b) => a * b, 1);
  const good = randomImages(seed, 40, size).filter((x) => worstCancellation(graph, x) >= 3e-4).slice(0, count);
  assert.equal(good.length, count);
  return good;
}

describe('concepts: channel relevances and conditional heatmaps', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  for (const c of CASES) {
    for (const method of c.methods ?? METHODS) {
      test(`${c.name}, ${method}`, () => {
        const images = conditioned(c.graph, c.seed, c.targets.length);
        const { network } = toGraphNetwork(c.graph);
        const spec = parseMethodSpec(method);
        const bounds: [number[], number[]] | null = c.bounds && [[c.bounds[0] as number], [c.bounds[1] as number]];
        const perChannelBounds = bounds && ([new Array(c.imageShape[2]).fill(bounds[0][0]), new Array(c.imageShape[2]).fill(bounds[1][0])] as [number[], number[]]);
        const ruleFor = lrpRulesRef(spec, bounds !== null);
        const attention = method === 'cp-lrp' ? 'cp-lrp' : 'attnlrp';
        try {
          const full = explain(network, c.imageShape, { images: images.map((x) => Float32Array.from(x)), methods: [spec], targets: c.targets.map((t) => [t]), bounds: c.bounds });
          for (const number of c.layers) {
            const layer = conceptNode(network, `${c.graph.nodes[number - 1].kind}${number}`);
            const all = Array.from({ length: layer.channels }, (_, k) => k);
            const rows = conceptRelevance(network, c.imageShape, {
              images: images.map((x) => Float32Array.from(x)),
              spec,
              layer,
              targets: c.targets,
              bounds: c.bounds,
              conditional: images.map(() => all),
            });
            let bypass = 0;
            images.forEach((x, n) => {
              const label = `${c.name}, ${method}, node ${number}, image ${n}`;
              const target = rows.targets[n];
              assert.equal(target, full[n].target, label);
              const ref = lrpAtNodeGraph(c.graph, x, target, ruleFor, perChannelBounds, number, attention);
              const expected = sumPerChannel(ref.atNode, layer.channels);
              assertClose(rows.channelRelevance.subarray(n * layer.channels, (n + 1) * layer.channels), expected, 1e-5, `${label}: channel relevances`);
              for (let ch = 0; ch < layer.channels; ch++) {
                // The engine's peak holds the channel's largest reference value (a float32 tie may pick another index).
                const values = ref.atNode.filter((_, i) => i % layer.channels === ch);
                const peak = rows.peaks[n * layer.channels + ch];
                assert.ok(Math.abs(values[peak] - Math.max(...values)) <= 1e-5 * Math.max(1, ...values.map(Math.abs)), `${label}: peak of channel ${ch}`);
                assertClose(rows.conditional[n][ch], channelSumRef(ref.conditional(ch), c.imageShape[2]), 1e-5, `${label}: conditional map of channel ${ch}`);
              }
              const sum = new Float64Array(c.imageShape[0] * c.imageShape[1]);
              for (const map of rows.conditional[n]) map.forEach((v, i) => (sum[i] += v));
              if (c.cuts.includes(number)) {
                assertClose(sum, Array.from(full[n].relevance), 1e-5, `${label}: Σ of the conditional maps = the full map`);
              } else {
                const expectedThrough = new Array(sum.length).fill(0);
                for (let ch = 0; ch < layer.channels; ch++) channelSumRef(ref.conditional(ch), c.imageShape[2]).forEach((v, i) => (expectedThrough[i] += v));
                assertClose(sum, expectedThrough, 1e-5, `${label}: Σ of the conditional maps = the part through the node`);
                // What bypasses the node: the full map minus the part through it, the same in both.
                bypass = Math.max(bypass, ...Array.from(full[n].relevance, (v, i) => Math.abs(v - expectedThrough[i])));
              }
            });
            if (!c.cuts.includes(number)) assert.ok(bypass > 1e-3, `${c.name}, ${method}, node ${number}: relevance bypasses the node, so Σ conditional ≠ full map`);
          }
        } finally {
          network.dispose();
        }
      });
    }
  }

  test('a chunk of channel blocks per walk gives the same maps as one walk per channel', () => {
    const graph = chainCnn(53);
    const images = conditioned(graph, 63, 2);
    const { network } = toGraphNetwork(graph);
    try {
      const layer = conceptNode(network, 'conv2d4');
      const spec = parseMethodSpec('lrp-a2b1');
      const request = { images: images.map((x) => Float32Array.from(x)), spec, layer, bounds: [0, 1] as InputBounds };
      // Uneven lists: image 0 asks for channels 5, 0, 3; image 1 for 2 only.
      const together = conceptRelevance(network, [8, 8, 1], { ...request, conditional: [[5, 0, 3], [2]] });
      assert.deepEqual(together.conditional.map((m) => m.length), [3, 1]);
      const single = (n: number, ch: number) => conceptRelevance(network, [8, 8, 1], { ...request, images: [request.images[n]], conditional: [[ch]] }).conditional[0][0];
      assertClose(together.conditional[0][0], Array.from(single(0, 5)), 1e-6, 'image 0, channel 5');
      assertClose(together.conditional[0][2], Array.from(single(0, 3)), 1e-6, 'image 0, channel 3');
      assertClose(together.conditional[1][0], Array.from(single(1, 2)), 1e-6, 'image 1, channel 2');
    } finally {
      network.dispose();
    }
  });

  test('bad requests fail with one line: unknown node, a node without channels, a non-LRP method, a channel out of range', () => {
    const graph = chainCnn(54);
    const { network } = toGraphNetwork(graph);
    try {
      assert.throws(() => conceptNode(network, 'nope'), /the model has no node "nope"; nodes with concepts: conv2d1, conv2d4, dense7, dense9/);
      assert.throws(() => conceptNode(network, 'maxPool3'), /node "maxPool3" is a maxPool node; concepts are the channels of Dense, Conv and attention \(A·V\) nodes/);
      const layer = conceptNode(network, 'conv2d1');
      const image = new Float32Array(64).fill(0.5);
      assert.throws(() => conceptRelevance(network, [8, 8, 1], { images: [image], spec: parseMethodSpec('sensitivity'), layer, bounds: null }), /concepts need an LRP method/);
      assert.throws(() => conceptRelevance(network, [8, 8, 1], { images: [image], spec: parseMethodSpec('lrp-a2b1'), layer, bounds: null, conditional: [[4]] }), /channel 4 is out of range \(the node has 4 channels\)/);
    } finally {
      network.dispose();
    }
  });

  after(() => {
    assert.equal(tf.memory().numTensors, 0, 'tensors left behind');
  });
});
