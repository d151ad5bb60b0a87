// Finds each layer's weights among the decoded tensors. Savers name weights "<scopes>/<layer>/<key>":
// tfjs writes `dense_Dense1/kernel`, the Python converter `conv2d_1/bias`, Keras 3 may prefix the model
// (`sequential/dense/kernel`) and TF 1 appended `:0`. The key (kernel, bias, gamma, beta, moving_mean,
// moving_variance) is the last segment and the layer's name is the segment just before it; the order of
// the weightsManifest is not relied on, because tfjs lists BN's moving statistics after all other weights.
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../../errors';
import type { KerasLayer } from './kerasTopology';

export class LayerWeights {
  /** layer name → weight key → tensor, in weightsManifest order. */
  private readonly byLayer = new Map<string, Map<string, tf.Tensor>>();

  constructor(
    named: tf.NamedTensorMap,
    private readonly file: string,
  ) {
    for (const [fullName, tensor] of Object.entries(named)) {
      const segments = fullName.replace(/:\d+$/, '').split('/');
      if (segments.length < 2) continue;
      const key = segments[segments.length - 1];
      const layer = segments[segments.length - 2];
      if (!this.byLayer.has(layer)) this.byLayer.set(layer, new Map());
      this.byLayer.get(layer)!.set(key, tensor);
    }
  }

  /** The weight `key` of `layer`; a UserError when the weightsManifest has none. */
  get(layer: KerasLayer, key: string): tf.Tensor {
    const tensor = this.find(layer, key);
    if (tensor === undefined) {
      const found = [...(this.byLayer.get(layer.name)?.keys() ?? [])];
      throw new UserError(
        `layer "${layer.name}" (${layer.className}) has no weight "${key}" in the weightsManifest` +
          (found.length > 0 ? ` (found: ${found.join(', ')})` : ''),
        this.file,
      );
    }
    return tensor;
  }

  /** The weight `key` of `layer`, or undefined. */
  find(layer: KerasLayer, key: string): tf.Tensor | undefined {
    return this.byLayer.get(layer.name)?.get(key);
  }

  /** `get` with a shape check, so a mismatched weight fails here and not deep inside a matMul. */
  getShaped(layer: KerasLayer, key: string, shape: number[]): tf.Tensor {
    const tensor = this.get(layer, key);
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new UserError(
        `weight "${key}" of layer "${layer.name}" (${layer.className}) has shape [${tensor.shape}] but the layer needs [${shape}]`,
        this.file,
      );
    }
    return tensor;
  }
}
