// The forward pass of a canonised network, layer by layer, keeping what the backward passes need.
import * as tf from '@tensorflow/tfjs';
import { graphFacts } from '../graph/analysis';
import { isLinear, type GraphNode, type LinearNode, type Network as GraphNetwork, type NodeKind } from '../graph/nodes';
import { LAYERS } from '../layers/index';
import type { LayerKind, LinearKind, LinearOps } from '../layers/layerKind';
import type { NetLayer, Network as ChainNetwork } from '../types';

/** Applies one layer to a batch. */
export function forwardLayer(layer: NetLayer, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (layer.kind) {
      case 'dense':
        return tf.add(tf.matMul(x as tf.Tensor2D, layer.kernel), layer.bias);
      case 'conv2d':
        return tf.add(tf.conv2d(x as tf.Tensor4D, layer.kernel, layer.strides, layer.padding), layer.bias);
      case 'relu':
        return tf.relu(x);
      case 'maxPool':
        return tf.maxPool(x as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
      case 'avgPool':
        return tf.avgPool(x as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
      case 'globalAvgPool':
        return tf.mean(x, [1, 2]);
      case 'reshape':
        return tf.reshape(x, [x.shape[0], ...layer.shape]);
      case 'rescale':
        return tf.add(tf.mul(x, layer.scale), layer.offset);
    }
  });
}

/**
 * A Dense/Conv2D layer with its bias and, when `relu`, the ReLU after it, as one fused op: the wasm
 * backend adds the bias and clamps inside its XNNPACK kernel, so this costs one op instead of three
 * (tfjs dispatches each op for ~10–50 µs, which dominates at batch 1).
 */
export function linearLayer(layer: Extract<NetLayer, { kind: 'dense' | 'conv2d' }>, x: tf.Tensor, relu: boolean): tf.Tensor {
  const activation = relu ? 'relu' : 'linear';
  return layer.kind === 'dense'
    ? tf.fused.matMul({ a: x as tf.Tensor2D, b: layer.kernel, bias: layer.bias, activation })
    : tf.fused.conv2d({ x: x as tf.Tensor4D, filter: layer.kernel, strides: layer.strides, pad: layer.padding, bias: layer.bias, activation });
}

/**
 * Runs the network on a batch shaped [batch, ...network.inputShape]. Returns the input of every layer
 * (`inputs[i]` feeds `layers[i]`, `inputs[0]` is `x` itself, not a copy) and the logits. The caller owns
 * every returned tensor except `inputs[0]`.
 */
export function forward(network: ChainNetwork, x: tf.Tensor): { inputs: tf.Tensor[]; logits: tf.Tensor2D } {
  const inputs: tf.Tensor[] = [];
  let a = x;
  for (const layer of network.layers) {
    inputs.push(a);
    a = forwardLayer(layer, a);
  }
  return { inputs, logits: a as tf.Tensor2D };
}

/**
 * The forward pass the explanations share. Like `forward`, except that a Dense/Conv2D followed by a ReLU
 * runs as one fused op, so the ReLU's input (the pre-activation) is never materialised: `inputs[i]` is
 * null for such a ReLU. The backward passes only need a ReLU's output (z > 0 exactly where relu(z) > 0).
 * The caller owns every returned tensor except `inputs[0]`.
 */
export function forwardActivations(network: ChainNetwork, x: tf.Tensor): { inputs: Array<tf.Tensor | null>; logits: tf.Tensor2D } {
  const { layers } = network;
  const inputs: Array<tf.Tensor | null> = [];
  let a = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    inputs.push(a);
    if ((layer.kind === 'dense' || layer.kind === 'conv2d') && layers[i + 1]?.kind === 'relu') {
      inputs.push(null);
      a = tf.tidy(() => linearLayer(layer, a, true));
      i++;
    } else {
      a = layer.kind === 'dense' || layer.kind === 'conv2d' ? tf.tidy(() => linearLayer(layer, a, false)) : forwardLayer(layer, a);
    }
  }
  return { inputs, logits: a as tf.Tensor2D };
}

/** Logits only, freeing the intermediates. */
export function logitsOf(network: ChainNetwork, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => forwardActivations(network, x).logits);
}

// ---- graphs (replacing the chain functions above) -------------------------------------------------------

/** One node's output for a batch (a Dense/Conv without its ReLU). */
export function forwardNode(node: GraphNode, inputs: tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => (LAYERS[node.kind] as LayerKind<NodeKind>).forward(node as never, inputs));
}

/** A Dense/Conv node, optionally with the ReLU after it fused into the same op. */
function linearNode(node: LinearNode, x: tf.Tensor, relu: boolean): tf.Tensor {
  return tf.tidy(() => {
    const ops = (LAYERS[node.kind] as LinearKind<NodeKind>).linear as LinearOps<LinearNode>;
    return ops.apply(node, ops.forwardKernel(node, ops.kernel(node)), ops.bias(node), x, relu);
  });
}

/**
 * The forward pass the explanations share: the output of every node, values[0] = x itself (not a copy).
 * A Dense/Conv whose only reader is a ReLU runs fused with it (one XNNPACK op with bias and clamp instead of
 * three), so its own output, the pre-activation, is never materialised: values[i] is null for it. The
 * backward passes only need the ReLU's output (z > 0 exactly where relu(z) > 0). The caller owns every
 * returned tensor except values[0].
 */
export function forwardNodes(network: GraphNetwork, x: tf.Tensor): Array<tf.Tensor | null> {
  return runNodes(network, x, false);
}

/** Logits only, each intermediate freed as soon as its last reader has run. */
export function graphLogits(network: GraphNetwork, x: tf.Tensor): tf.Tensor2D {
  const values = runNodes(network, x, true);
  return values[values.length - 1] as tf.Tensor2D;
}

function runNodes(network: GraphNetwork, x: tf.Tensor, freeEarly: boolean): Array<tf.Tensor | null> {
  const { nodes } = network;
  const { fusedRelu, readers } = graphFacts(network);
  const values = new Array<tf.Tensor | null>(nodes.length).fill(null);
  const done = new Array<boolean>(nodes.length).fill(false);
  const pending = readers.map((r) => r.length);
  values[0] = x;
  done[0] = true;
  const consumed = (j: number) => {
    if (freeEarly && j !== 0 && --pending[j] === 0) values[j]?.dispose();
  };
  for (let i = 1; i < nodes.length; i++) {
    if (done[i]) continue;
    const node = nodes[i];
    const relu = fusedRelu.get(i);
    if (relu !== undefined) {
      values[relu] = linearNode(node as LinearNode, values[node.inputs[0]]!, true);
      done[relu] = true;
      consumed(node.inputs[0]);
      continue;
    }
    values[i] = isLinear(node) ? linearNode(node, values[node.inputs[0]]!, false) : forwardNode(node, node.inputs.map((j) => values[j]!));
    node.inputs.forEach(consumed);
  }
  return values;
}
