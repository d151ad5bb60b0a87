// The model randomisation check's networks (Adebayo et al. 2018, "Sanity checks for saliency maps",
// cascading randomisation): a copy of the network with its top `layers` Dense/Conv nodes re-drawn,
// counting from the logits down (the reverse of the order the graph computes them; for a chain, layer by
// layer from the output). Each re-drawn kernel is N(0, σ²) with σ the standard deviation of that
// kernel's own values (population std over all its entries), each bias N(0, σ_b²) with σ_b the std of the
// layer's own bias (a bias of zeros stays zero). Draws are seeded per layer: seed and the layer's place
// from the top pick the stream, so step s + 1 re-draws the same values for the s layers above it as step s
// did, and adds one layer. Normals come from mulberry32 through Box–Muller, in double precision, stored
// as float32. A BatchNorm folded into the Dense/Conv before it is re-drawn with it; an unfolded one (an
// affine node) keeps its scale and offset, as every node without a kernel does.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { isLinear, type LinearNode, type Network } from '../graph/nodes';
import { withWeights } from '../graph/weights';
import { normalStream } from '../seededRandom';

/** Names of the nodes the check re-draws, in the order it re-draws them: the logits' node first. */
export function randomisableLayers(network: Network): string[] {
  return linearNodesTopDown(network).map(({ node }) => node.name);
}

/**
 * A network that shares everything with `network` except the top `layers` Dense/Conv nodes, whose
 * weights are re-drawn (graph/weights.ts `withWeights`). Its `dispose` frees only the new weights. `layers`
 * 0 gives a copy that computes exactly what `network` does.
 */
export function randomisedNetwork(network: Network, layers: number, seed: number): Network {
  const top = linearNodesTopDown(network);
  if (!Number.isInteger(layers) || layers < 0 || layers > top.length) {
    throw new UserError(`randomisation step ${layers} is out of range: the model has ${top.length} Dense/Conv layers`);
  }
  const replacements = new Map<number, Record<string, tf.Tensor>>();
  top.slice(0, layers).forEach(({ node, index }, fromTop) => {
    replacements.set(index, {
      kernel: tf.tensor(redraw(node.kernel.dataSync() as Float32Array, streamSeed(seed, fromTop, 0)), node.kernel.shape),
      bias: tf.tensor1d(redraw(node.bias.dataSync() as Float32Array, streamSeed(seed, fromTop, 1))),
    });
  });
  return withWeights(network, replacements);
}

/** The Dense/Conv nodes with their indices, last computed first (for a chain: from the logits down). */
function linearNodesTopDown(network: Network): Array<{ node: LinearNode; index: number }> {
  return network.nodes.flatMap((node, index) => (isLinear(node) ? [{ node, index }] : [])).reverse();
}

/** New values N(0, σ²), σ the population standard deviation of `values`. */
export function redraw(values: Float32Array, seed: number): Float32Array {
  let mean = 0;
  for (const v of values) mean += v / values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2 / values.length;
  const sigma = Math.sqrt(variance);
  if (sigma === 0) return new Float32Array(values.length);
  const normal = normalStream(seed);
  return Float32Array.from(values, () => sigma * normal());
}

/** The seed of one layer's kernel (part 0) or bias (part 1) stream. */
function streamSeed(seed: number, fromTop: number, part: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(2 * fromTop + part + 1, 0x85ebca6b)) >>> 0;
}
