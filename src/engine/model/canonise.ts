// Canonisation: turns the Keras chain into the engine's NetLayer list, the form the relevance rules see.
// Activations become separate `relu` layers, BatchNormalization is folded into the Dense/Conv2D before it,
// identities (InputLayer, Dropout, `linear`) vanish, a final softmax is dropped (explanations start from the
// logits), and Flatten/Reshape get explicit shapes. Shapes are tracked layer by layer so that a weight or
// a configuration that does not fit fails here, with the layer's name, and not later inside a tfjs kernel.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { NetLayer, Padding } from '../types';
import { foldBatchNorm } from '../graph/foldBatchNorm';
import type { KerasLayer } from './kerasTopology';
import type { LayerWeights } from './layerWeights';

export const SUPPORTED_LAYERS = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'Flatten',
  'Reshape',
  'Dropout',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'Rescaling',
];

/** Older Keras names of the same layers. */
const ALIASES: Record<string, string> = {
  Convolution2D: 'Conv2D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
};

// A type, not an interface, so that it is a tf.TensorContainer and can be returned from tf.tidy.
export type Canonised = {
  layers: NetLayer[];
  /** Shape of the network's output without batch: always [number of logits]. */
  outputShape: number[];
  endsWithSoftmax: boolean;
  notes: string[];
};

/**
 * Canonises `chain` for an input of `inputShape` (no batch). Tensors in the result are the decoded weight
 * tensors or new ones; call inside `tf.tidy` so that whatever is not kept (folded BN weights) is freed.
 */
export function canonise(chain: KerasLayer[], inputShape: number[], weights: LayerWeights, file: string): Canonised {
  const c = new Canoniser(inputShape, weights, file);
  for (const layer of chain) c.add(layer);
  if (c.shape.length !== 1) {
    throw new UserError(`the model's output has shape [${c.shape}]; a vector of logits is needed`, file);
  }
  return { layers: c.layers, outputShape: c.shape, endsWithSoftmax: c.softmaxLayer !== undefined, notes: c.notes };
}

class Canoniser {
  readonly layers: NetLayer[] = [];
  readonly notes: string[] = [];
  /** Name of the layer whose softmax was dropped; nothing but identities may follow it. */
  softmaxLayer?: string;

  constructor(
    public shape: number[],
    private readonly weights: LayerWeights,
    private readonly file: string,
  ) {}

  add(l: KerasLayer): void {
    const className = ALIASES[l.className] ?? l.className;
    switch (className) {
      case 'InputLayer':
      case 'Dropout':
        return;
      case 'Dense':
        return this.dense(l);
      case 'Conv2D':
        return this.conv2d(l);
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return this.pool(l, className === 'MaxPooling2D' ? 'maxPool' : 'avgPool');
      case 'GlobalAveragePooling2D':
        return this.globalAvgPool(l);
      case 'Flatten':
        return this.flatten(l);
      case 'Reshape':
        return this.reshape(l);
      case 'BatchNormalization':
        return this.batchNorm(l);
      case 'Activation':
        return this.activation(l, activationName(l.config.activation));
      case 'ReLU':
        return this.plainRelu(l);
      case 'Rescaling':
        return this.rescaling(l);
      default:
        throw new UserError(
          `layer "${l.name}" (${l.className}) is not supported; supported: ${SUPPORTED_LAYERS.join(', ')}`,
          this.file,
        );
    }
  }

  private emit(layer: NetLayer, shape: number[]): void {
    if (this.softmaxLayer !== undefined) this.softmaxNotFinal();
    this.layers.push(layer);
    this.shape = shape;
  }

  private dense(l: KerasLayer): void {
    this.requireRank(l, 1, 'a flat input (add a Flatten before it)');
    const units = positiveInt(l, 'units', undefined, this.file);
    const kernel = this.weights.getShaped(l, 'kernel', [this.shape[0], units]) as tf.Tensor2D;
    this.emit({ kind: 'dense', name: l.name, kernel, bias: this.bias(l, units) }, [units]);
    this.activation(l, activationName(l.config.activation));
  }

  private conv2d(l: KerasLayer): void {
    this.requireRank(l, 3, 'an image input [height, width, channels]');
    this.requireChannelsLast(l);
    const filters = positiveInt(l, 'filters', undefined, this.file);
    const [kh, kw] = intPair(l, 'kernel_size', undefined, this.file);
    const strides = intPair(l, 'strides', 1, this.file);
    const padding = paddingOf(l, this.file);
    const dilation = intPair(l, 'dilation_rate', 1, this.file);
    if (dilation[0] !== 1 || dilation[1] !== 1) this.unsupported(l, `dilation_rate [${dilation}]`, 'only 1 is supported');
    const groups = l.config.groups ?? 1;
    if (groups !== 1) this.unsupported(l, `groups ${JSON.stringify(groups)}`, 'only 1 is supported');
    const [h, w, channels] = this.shape;
    const kernel = this.weights.getShaped(l, 'kernel', [kh, kw, channels, filters]) as tf.Tensor4D;
    const outShape = [this.outSize(l, h, kh, strides[0], padding), this.outSize(l, w, kw, strides[1], padding), filters];
    this.emit({ kind: 'conv2d', name: l.name, kernel, bias: this.bias(l, filters), strides, padding }, outShape);
    this.activation(l, activationName(l.config.activation));
  }

  /** A zero bias stands in for `use_bias: false`, so every affine layer has one (and BN can fold into it). */
  private bias(l: KerasLayer, units: number): tf.Tensor1D {
    if (l.config.use_bias === false) return tf.zeros([units]);
    return this.weights.getShaped(l, 'bias', [units]) as tf.Tensor1D;
  }

  private pool(l: KerasLayer, kind: 'maxPool' | 'avgPool'): void {
    this.requireRank(l, 3, 'an image input [height, width, channels]');
    this.requireChannelsLast(l);
    const poolSize = intPair(l, 'pool_size', 2, this.file);
    const strides = l.config.strides == null ? poolSize : intPair(l, 'strides', undefined, this.file);
    const padding = paddingOf(l, this.file);
    const [h, w, channels] = this.shape;
    const outShape = [
      this.outSize(l, h, poolSize[0], strides[0], padding),
      this.outSize(l, w, poolSize[1], strides[1], padding),
      channels,
    ];
    this.emit({ kind, name: l.name, poolSize, strides, padding }, outShape);
  }

  private globalAvgPool(l: KerasLayer): void {
    this.requireRank(l, 3, 'an image input [height, width, channels]');
    this.requireChannelsLast(l);
    const channels = this.shape[2];
    this.emit({ kind: 'globalAvgPool', name: l.name }, [channels]);
    // Keras 3's keepdims keeps a 1×1 image of channels.
    if (l.config.keepdims === true) this.emit({ kind: 'reshape', name: `${l.name}/keepdims`, shape: [1, 1, channels] }, [1, 1, channels]);
  }

  private flatten(l: KerasLayer): void {
    // channels_first would flatten in a different element order than the channels_last tensors hold.
    if (this.shape.length > 2) this.requireChannelsLast(l);
    if (this.shape.length === 1) return;
    const size = product(this.shape);
    this.emit({ kind: 'reshape', name: l.name, shape: [size] }, [size]);
  }

  private reshape(l: KerasLayer): void {
    const target = l.config.target_shape;
    if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) {
      this.unsupported(l, `target_shape ${JSON.stringify(target)}`, 'it must be a list of positive integers and at most one -1');
    }
    const dims = target as number[];
    const size = product(this.shape);
    const known = product(dims.filter((d) => d !== -1));
    const wildcards = dims.filter((d) => d === -1).length;
    const shape = dims.map((d) => (d === -1 ? size / known : d));
    if (wildcards > 1 || product(shape) !== size || !shape.every(Number.isInteger)) {
      throw new UserError(
        `layer "${l.name}" (Reshape) cannot reshape [${this.shape}] into [${dims}]`,
        this.file,
      );
    }
    this.emit({ kind: 'reshape', name: l.name, shape }, shape);
  }

  /** BN becomes part of the Dense/Conv2D just emitted: see foldBatchNorm. */
  private batchNorm(l: KerasLayer): void {
    const previous = this.layers[this.layers.length - 1];
    if (previous === undefined || (previous.kind !== 'dense' && previous.kind !== 'conv2d') || this.softmaxLayer) {
      throw new UserError(
        `layer "${l.name}" (BatchNormalization) is not preceded by a Dense or Conv2D layer with linear activation; ` +
          'BatchNormalization is only supported right after one, where it is folded into it',
        this.file,
      );
    }
    const axis = Array.isArray(l.config.axis) && l.config.axis.length === 1 ? l.config.axis[0] : (l.config.axis ?? -1);
    if (axis !== -1 && axis !== this.shape.length) {
      this.unsupported(l, `axis ${JSON.stringify(l.config.axis)}`, 'only the channel axis (-1) is supported');
    }
    const channels = [this.shape[this.shape.length - 1]];
    const epsilon = l.config.epsilon ?? 1e-3;
    if (typeof epsilon !== 'number' || !(epsilon >= 0)) this.unsupported(l, `epsilon ${JSON.stringify(epsilon)}`, 'it must be a number ≥ 0');
    const folded = foldBatchNorm(previous.kernel, previous.bias, {
      movingMean: this.weights.getShaped(l, 'moving_mean', channels) as tf.Tensor1D,
      movingVariance: this.weights.getShaped(l, 'moving_variance', channels) as tf.Tensor1D,
      gamma: l.config.scale === false ? undefined : (this.weights.getShaped(l, 'gamma', channels) as tf.Tensor1D),
      beta: l.config.center === false ? undefined : (this.weights.getShaped(l, 'beta', channels) as tf.Tensor1D),
      epsilon,
    });
    this.layers[this.layers.length - 1] = { ...previous, ...folded } as NetLayer;
    this.notes.push(`BatchNormalization "${l.name}" folded into "${previous.name}"`);
  }

  /** The activation of a Dense/Conv2D or an Activation layer. */
  private activation(l: KerasLayer, name: string): void {
    if (name === 'linear') return;
    if (name === 'relu') {
      this.emit({ kind: 'relu', name: l.className === 'Activation' ? l.name : `${l.name}/relu` }, this.shape);
      return;
    }
    if (name === 'softmax') {
      if (this.softmaxLayer !== undefined) this.softmaxNotFinal();
      this.softmaxLayer = l.name;
      this.notes.push(`final softmax of layer "${l.name}" dropped: explanations start from the logits`);
      return;
    }
    throw new UserError(
      `layer "${l.name}" (${l.className}) has activation "${name}", which is not supported; supported: relu, linear, softmax (final layer only)`,
      this.file,
    );
  }

  private softmaxNotFinal(): never {
    throw new UserError(
      `layer "${this.softmaxLayer}" applies softmax but is not the final layer; softmax is only supported at the output`,
      this.file,
    );
  }

  private plainRelu(l: KerasLayer): void {
    const { max_value, negative_slope, threshold } = l.config;
    if (max_value != null) this.unsupported(l, `max_value ${JSON.stringify(max_value)}`, PLAIN_RELU);
    if (negative_slope != null && negative_slope !== 0) this.unsupported(l, `negative_slope ${JSON.stringify(negative_slope)}`, PLAIN_RELU);
    if (threshold != null && threshold !== 0) this.unsupported(l, `threshold ${JSON.stringify(threshold)}`, PLAIN_RELU);
    this.emit({ kind: 'relu', name: l.name }, this.shape);
  }

  private rescaling(l: KerasLayer): void {
    const scale = l.config.scale;
    const offset = l.config.offset ?? 0;
    if (typeof scale !== 'number' || typeof offset !== 'number') {
      this.unsupported(l, `scale ${JSON.stringify(scale)} and offset ${JSON.stringify(offset)}`, 'only scalar scale and offset are supported');
    }
    this.emit({ kind: 'rescale', name: l.name, scale: scale as number, offset: offset as number }, this.shape);
  }

  private requireRank(l: KerasLayer, rank: number, needs: string): void {
    if (this.shape.length !== rank) {
      throw new UserError(`layer "${l.name}" (${l.className}) gets an input of shape [${this.shape}] but needs ${needs}`, this.file);
    }
  }

  private requireChannelsLast(l: KerasLayer): void {
    const format = l.config.data_format;
    if (format != null && format !== 'channels_last') this.unsupported(l, `data_format "${format}"`, 'only channels_last is supported');
  }

  /** Output length of a convolution or pooling window along one axis, as tf.conv2d/maxPool compute it. */
  private outSize(l: KerasLayer, n: number, k: number, stride: number, padding: Padding): number {
    const out = padding === 'same' ? Math.ceil(n / stride) : Math.ceil((n - k + 1) / stride);
    if (out < 1) throw new UserError(`layer "${l.name}" (${l.className}) gets an input of size ${n}, smaller than its window ${k}`, this.file);
    return out;
  }

  private unsupported(l: KerasLayer, setting: string, why: string): never {
    throw new UserError(`layer "${l.name}" (${l.className}) has ${setting}; ${why}`, this.file);
  }
}

const PLAIN_RELU = 'only the plain ReLU (no max_value, negative_slope 0, threshold 0) is supported';

/** Keras writes an activation as a name, or (Keras 3) as {class_name: 'function', config: 'relu'}. */
function activationName(v: unknown): string {
  if (v == null) return 'linear';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as { class_name?: unknown; config?: unknown };
    if (typeof o.config === 'string') return o.config;
    if (typeof o.class_name === 'string') return o.class_name;
  }
  return JSON.stringify(v);
}

function paddingOf(l: KerasLayer, file: string): Padding {
  const padding = l.config.padding ?? 'valid';
  if (padding !== 'same' && padding !== 'valid') {
    throw new UserError(`layer "${l.name}" (${l.className}) has padding ${JSON.stringify(padding)}; only same and valid are supported`, file);
  }
  return padding;
}

function positiveInt(l: KerasLayer, key: string, fallback: number | undefined, file: string): number {
  const v = l.config[key] ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 1) {
    throw new UserError(`layer "${l.name}" (${l.className}) has ${key} ${JSON.stringify(v)}; a positive integer is needed`, file);
  }
  return v as number;
}

/** Keras accepts 3 or [3, 3] for kernel_size, strides, pool_size and dilation_rate. */
function intPair(l: KerasLayer, key: string, fallback: number | undefined, file: string): [number, number] {
  const v = l.config[key] ?? fallback;
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(`layer "${l.name}" (${l.className}) has ${key} ${JSON.stringify(v)}; one or two positive integers are needed`, file);
  }
  return [pair[0], pair[1]];
}

function product(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}
