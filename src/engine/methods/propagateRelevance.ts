// Layer-wise relevance propagation: the one routine that evaluates any rule on any Dense/Conv2D layer, and
// the walk from the logits down to the input that applies it (Zennit's `BasicHook` and its hooks).
import * as tf from '@tensorflow/tfjs';
import type { NetLayer, Network } from '../types';
import type { Composite } from './composites';
import {
  avgPoolBackward,
  globalAvgPoolBackward,
  isLinear,
  linearForward,
  linearVjp,
  maxPoolBackward,
  type LinearLayer,
} from './layerOps';
import { preparedLayer, type PreparedLayer } from './preparedNetwork';
import { stabilise, type LayerInput, type Rule } from './rules';

/**
 * Relevance at the input of one Dense/Conv2D layer, given the relevance at its output:
 * z_k = layer(a'_k; W'_k, b'_k) for every term, s = mapper(z, R), c_k = VJP of the linear map with W'_k
 * applied to s_k, and R_in = reducer(a', c). Terms whose modified input is identically zero are skipped.
 */
export function propagateRelevance(
  rule: Rule,
  layer: LinearLayer,
  prepared: PreparedLayer,
  input: LayerInput,
  relevance: tf.Tensor,
): tf.Tensor {
  const inputs = rule.terms.map((term) => term.input.apply(input));
  const outputs = rule.terms.map((term, k) => {
    const a = inputs[k];
    return a && linearForward(layer, prepared.weights(term.weight), prepared.bias(term.bias), a);
  });
  const signals = rule.mapper(outputs, relevance);
  const contributions = rule.terms.map((term, k) => {
    const s = signals[k];
    return inputs[k] && s ? linearVjp(layer, prepared.weights(term.weight), s, input.a.shape) : null;
  });
  return rule.reducer(inputs, contributions);
}

/**
 * Propagates `relevance` (shaped like the logits) from the top of `network` to its input. `inputs[i]` is
 * the input of layer i for the same batch rows, `output` the logits. `bounds` is the [l, h] box of the
 * network input (or null) for the z^B rule.
 */
export function lrpBackward(
  network: Network,
  inputs: tf.Tensor[],
  output: tf.Tensor,
  relevance: tf.Tensor,
  composite: Composite,
  bounds: [number, number] | null,
): tf.Tensor {
  const { layers } = network;
  const nonNegative = nonNegativeInputs(layers);
  const first = layers.findIndex(isLinear);
  const firstBounds = bounds && boundsBefore(layers, first, bounds);
  let r = relevance;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const a = inputs[i];
    const out = i + 1 < layers.length ? inputs[i + 1] : output;
    const rOut = r;
    r = tf.tidy(() => {
      switch (layer.kind) {
        case 'dense':
        case 'conv2d': {
          const rule = composite(layer, { first: i === first });
          const input: LayerInput = {
            a,
            nonNegative: nonNegative[i] || allNonNegative(a),
            bounds: i === first ? firstBounds : null,
          };
          return propagateRelevance(rule, layer, preparedLayer(network, i), input, rOut);
        }
        case 'relu':
        case 'rescale':
          // ReLU passes relevance unchanged (its output is its relevant input); a rescale is a bijection
          // that LRP treats as part of the input encoding.
          return rOut;
        case 'maxPool':
          return maxPoolBackward(layer, a, out, rOut);
        case 'avgPool':
          // The z-rule with equal weights: R_i = a_i · Σ_j (1/n) R_j / z_j.
          return tf.mul(a, avgPoolBackward(layer, a, tf.div(rOut, stabilise(out))));
        case 'globalAvgPool':
          return tf.mul(a, globalAvgPoolBackward(a, tf.div(rOut, stabilise(out))));
        case 'reshape':
          return tf.reshape(rOut, a.shape);
      }
    });
  }
  return r;
}

/** A runtime look at inputs not known to be ≥ 0 (pixels in [0, 1] usually are): when they are, the rules
 *  can skip their a⁻ terms, which halves the αβ cost of the first layer. One reduction, exact either way. */
function allNonNegative(a: tf.Tensor): boolean {
  const min = tf.min(a);
  const value = min.dataSync()[0];
  min.dispose();
  return value >= 0;
}

/** Which layers are known to receive a ≥ 0: those after a ReLU, through sign-preserving layers. */
function nonNegativeInputs(layers: NetLayer[]): boolean[] {
  const result: boolean[] = [];
  let nonNegative = false;
  for (const layer of layers) {
    result.push(nonNegative);
    switch (layer.kind) {
      case 'relu':
        nonNegative = true;
        break;
      case 'maxPool':
      case 'avgPool':
      case 'globalAvgPool':
      case 'reshape':
        break;
      case 'rescale':
        nonNegative = nonNegative && layer.scale >= 0 && layer.offset >= 0;
        break;
      default:
        nonNegative = false;
    }
  }
  return result;
}

/** Maps the network-input box [l, h] through the layers before layer `index` (rescales, ReLUs, pooling). */
function boundsBefore(layers: NetLayer[], index: number, bounds: [number, number]): [number, number] {
  let [low, high] = bounds;
  for (const layer of layers.slice(0, Math.max(index, 0))) {
    if (layer.kind === 'rescale') {
      const a = low * layer.scale + layer.offset;
      const b = high * layer.scale + layer.offset;
      [low, high] = [Math.min(a, b), Math.max(a, b)];
    } else if (layer.kind === 'relu') {
      [low, high] = [Math.max(low, 0), Math.max(high, 0)];
    }
  }
  return [low, high];
}
