// A tfjs Layers functional model with the structure and the weights of a reference graph
// (graph/graphReference.ts), built with tfjs's own functional API: the same numbers reach the engine
// through model.save → loadModel, and tfjs's predict and the float64 reference both check them.
import * as tf from '@tensorflow/tfjs';
import type { Pads } from '../../../../src/engine/graph/nodes';
import { inputsOf, type RefGraph, type RefNode } from '../../graph/graphReference';

/** TF's padding name for explicit pads, or an error when the pads are not what 'same'/'valid' give. */
function paddingName(pads: Pads, [h, w]: number[], [kh, kw]: number[], [sh, sw]: number[]): 'same' | 'valid' {
  const [t, b] = samePads(h, kh, sh);
  const [l, r] = samePads(w, kw, sw);
  if (pads[0] === t && pads[1] === l && pads[2] === b && pads[3] === r) return 'same';
  if (pads.every((p) => p === 0)) return 'valid';
  throw new Error(`pads [${pads}] are neither TF 'same' nor 'valid' for this input`);
}

function samePads(n: number, k: number, s: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The graph as a tfjs model; `softmax` adds a final softmax (the engine drops it). Names: `<kind><k>` for
 * node k, as toGraphNetwork names them.
 */
export function tfjsFromGraph(g: RefGraph, softmax = true): tf.LayersModel {
  const input = tf.input({ shape: g.inputShape, name: 'input' });
  const values: tf.SymbolicTensor[] = [input];
  const shapes: number[][] = [g.inputShape];
  g.nodes.forEach((node, index) => {
    const name = `${node.kind}${index + 1}`;
    const ins = inputsOf(node).map((i) => values[i]);
    const shape = shapes[inputsOf(node)[0]];
    const { layer, weights } = layerOf(node, name, shape);
    const out = layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
    if (weights) layer.setWeights(weights);
    values.push(out);
    shapes.push(out.shape.slice(1) as number[]);
  });
  let output = values[values.length - 1];
  if (softmax) output = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(output) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'graph' });
}

function layerOf(node: RefNode, name: string, shape: number[]): { layer: tf.layers.Layer; weights?: tf.Tensor[] } {
  switch (node.kind) {
    case 'dense':
      return {
        layer: tf.layers.dense({ units: node.outputs, name }),
        weights: [tf.tensor2d(node.w, [shape[0], node.outputs]), tf.tensor1d(node.b)],
      };
    case 'conv2d': {
      const padding = paddingName(node.pads, shape, [node.kh, node.kw], node.strides);
      const inC = shape[2];
      if (node.groups === 1) {
        return {
          layer: tf.layers.conv2d({ filters: node.outC, kernelSize: [node.kh, node.kw], strides: node.strides, padding, dilationRate: node.dilations, name }),
          weights: [tf.tensor4d(node.w, [node.kh, node.kw, inC, node.outC]), tf.tensor1d(node.b)],
        };
      }
      if (node.groups !== inC) throw new Error('tfjs has no grouped Conv2D; only depthwise');
      // The grouped kernel [kh, kw, 1, c·m] is Keras' depthwise kernel [kh, kw, c, m], same memory.
      return {
        layer: tf.layers.depthwiseConv2d({ kernelSize: [node.kh, node.kw], depthMultiplier: node.outC / inC, strides: node.strides, padding, dilationRate: node.dilations, name }),
        weights: [tf.tensor4d(node.w, [node.kh, node.kw, inC, node.outC / inC]), tf.tensor1d(node.b)],
      };
    }
    case 'relu':
      return { layer: tf.layers.reLU({ name }) };
    case 'clip':
      // tfjs' ReLU layer takes max_value only (Keras' negative_slope and threshold it lacks).
      if (node.min !== 0) throw new Error('tfjs has no clip layer but ReLU(maxValue)');
      return { layer: tf.layers.reLU({ maxValue: node.max, name }) };
    case 'leakyRelu':
      return { layer: tf.layers.leakyReLU({ alpha: node.alpha, name }) };
    case 'activation': {
      if (node.fn === 'elu' && node.alpha !== undefined && node.alpha !== 1) throw new Error('tfjs runs ELU with α = 1 only');
      const names: Partial<Record<typeof node.fn, string>> = { sigmoid: 'sigmoid', tanh: 'tanh', silu: 'swish', elu: 'elu', softplus: 'softplus', gelu: 'gelu', geluTanh: 'gelu_new' };
      const activation = names[node.fn];
      if (!activation) throw new Error(`tfjs has no ${node.fn} activation`);
      return { layer: tf.layers.activation({ activation: activation as 'sigmoid', name }) };
    }
    case 'prelu': {
      const C = shape[shape.length - 1];
      const slope = node.slope.length === 1 ? new Array(C).fill(node.slope[0]) : node.slope;
      const shared = shape.length === 3 ? [1, 2] : undefined;
      return { layer: tf.layers.prelu({ sharedAxes: shared, name }), weights: [tf.tensor(slope, shape.length === 3 ? [1, 1, C] : [C])] };
    }
    case 'maxPool':
    case 'avgPool': {
      const padding = paddingName(node.pads, shape, node.pool, node.strides);
      if (node.kind === 'avgPool' && node.countIncludePad && padding === 'same' && node.pads.some((p) => p > 0)) throw new Error('tfjs does not count padding');
      const make = node.kind === 'maxPool' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      return { layer: make({ poolSize: node.pool, strides: node.strides, padding, name }) };
    }
    case 'globalAvgPool':
      return { layer: tf.layers.globalAveragePooling2d({ name }) };
    case 'globalMaxPool':
      return { layer: tf.layers.globalMaxPooling2d({ name }) };
    case 'flatten':
      return { layer: tf.layers.flatten({ name }) };
    case 'pad':
      return { layer: tf.layers.zeroPadding2d({ padding: [[node.pads[0], node.pads[2]], [node.pads[1], node.pads[3]]], name }) };
    case 'batchNorm':
      return {
        layer: tf.layers.batchNormalization({ epsilon: node.epsilon, name }),
        weights: [tf.tensor1d(node.gamma), tf.tensor1d(node.beta), tf.tensor1d(node.mean), tf.tensor1d(node.variance)],
      };
    case 'add':
      return { layer: tf.layers.add({ name }) };
    case 'concat':
      return { layer: tf.layers.concatenate({ axis: node.axis < 0 ? node.axis : node.axis + 1, name }) };
    case 'transpose':
      return { layer: tf.layers.permute({ dims: node.perm.map((p) => p + 1), name }) };
    case 'affine':
      if (node.scale.length !== 1 || node.offset.length !== 1) throw new Error('tfjs Rescaling takes scalars');
      return { layer: tf.layers.rescaling({ scale: node.scale[0], offset: node.offset[0], name }) };
    case 'product':
      return { layer: tf.layers.multiply({ name }) };
    case 'layerNorm': {
      if (node.groups !== null || node.rms) throw new Error('tfjs has LayerNormalization over the last axis only');
      const C = shape[shape.length - 1];
      const perChannel = (v: number[]) => (v.length === 1 ? new Array<number>(C).fill(v[0]) : v);
      return { layer: tf.layers.layerNormalization({ axis: -1, epsilon: node.epsilon, name }), weights: [tf.tensor1d(perChannel(node.scale)), tf.tensor1d(perChannel(node.offset))] };
    }
    case 'reshape':
      return { layer: tf.layers.reshape({ targetShape: node.shape, name }) };
    case 'convTranspose':
    case 'gather':
    case 'resize':
    case 'softmax':
    case 'matmul':
      throw new Error(`tfjsFromGraph: no ${node.kind} layer here`);
  }
}
