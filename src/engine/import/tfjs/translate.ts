// Translates Keras layer calls (kerasTopology.ts) into graph nodes with the GraphBuilder: one function per
// layer class, writing the node specs in the engine's layout (graph/nodes.ts). Activations become ReLU
// nodes, a Dropout is its input, BatchNormalization a batchNorm node (the builder folds it or makes it
// affine), a final softmax a softmax node (dropped). Weights come from a `KerasWeights` lookup, so the same
// translation serves any file that stores a Keras topology (tfjs Layers, and Keras' own files).
import * as tf from '@tensorflow/tfjs';
import { listCut, UserError } from '../../errors';
import { GraphBuilder, type NodeRef } from '../../graph/builder';
import type { BuiltNetwork, NodeSpec, PaddingSpec } from '../../graph/nodes';
import { leakyReluSpec } from '../../layers/leakyRelu';
import type { KerasCall, KerasGraph, KerasLayer } from './kerasTopology';

/**
 * Keras / tfjs activation strings of the smooth activations (layers/activation.ts). `hard_sigmoid` is
 * Keras 2's and tfjs' clip(0.2·x + 0.5, 0, 1); Keras 3 changed it to relu6(x + 3)/6 (KERAS3_ACTIVATIONS),
 * and its `hard_swish` is torch's; tfjs' `gelu` is the erf form, `gelu_new` the tanh approximation.
 */
const SMOOTH_ACTIVATIONS: Record<string, NodeSpec> = {
  sigmoid: { kind: 'activation', fn: 'sigmoid' },
  tanh: { kind: 'activation', fn: 'tanh' },
  swish: { kind: 'activation', fn: 'silu' },
  silu: { kind: 'activation', fn: 'silu' },
  hard_sigmoid: { kind: 'activation', fn: 'hardSigmoid', alpha: 0.2, beta: 0.5 },
  hard_swish: { kind: 'activation', fn: 'hardSwish' },
  hard_silu: { kind: 'activation', fn: 'hardSwish' },
  elu: { kind: 'activation', fn: 'elu', alpha: 1 },
  softplus: { kind: 'activation', fn: 'softplus' },
  gelu: { kind: 'activation', fn: 'gelu' },
  gelu_new: { kind: 'activation', fn: 'geluTanh' },
};

/** Where Keras 3 (a layer serialised with a `module`) means something else by the same string. */
const KERAS3_ACTIVATIONS: Record<string, NodeSpec> = {
  hard_sigmoid: { kind: 'activation', fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 },
};

export const SUPPORTED_LAYERS = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'Reshape',
  'Permute',
  'ZeroPadding2D',
  'Add',
  'Concatenate',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'Softmax',
  'Rescaling',
  'Normalization',
  'Dropout',
  'Multiply',
  'LayerNormalization',
  'GroupNormalization',
  'LayerScale',
  'UpSampling2D',
  'Conv2DTranspose',
];

/** Older Keras names of the same layers, and layers that are the identity at inference. */
const ALIASES: Record<string, string> = {
  Convolution2D: 'Conv2D',
  SeparableConvolution2D: 'SeparableConv2D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  SpatialDropout2D: 'Dropout',
  SpatialDropout1D: 'Dropout',
  GaussianDropout: 'Dropout',
  GaussianNoise: 'Dropout',
  AlphaDropout: 'Dropout',
  ActivityRegularization: 'Dropout',
  // keras.applications' ConvNeXt: the identity at inference.
  StochasticDepth: 'Dropout',
  Convolution2DTranspose: 'Conv2DTranspose',
};

/** Where a layer's weights come from: `key` is Keras' weight name (kernel, bias, gamma, moving_mean, ...). */
export interface KerasWeights {
  /** The weight; a UserError naming the layer when there is none. */
  get(layer: KerasLayer, key: string): tf.Tensor;
  find(layer: KerasLayer, key: string): tf.Tensor | undefined;
}

/** The network of `graph` for an input of `inputShape` (no batch). */
export function translateKeras(graph: KerasGraph, inputShape: number[], weights: KerasWeights, file: string): BuiltNetwork {
  const builder = new GraphBuilder(file);
  try {
    const values = new Map<string, NodeRef>([[graph.input.name, builder.input(graph.input.name, inputShape)]]);
    for (const call of graph.calls) {
      const inputs = call.inputs.map((name) => values.get(name)!);
      values.set(call.name, new CallTranslator(builder, call, inputs, weights, file).translate());
    }
    return builder.build(values.get(graph.output)!);
  } catch (e) {
    builder.dispose();
    throw e;
  }
}

class CallTranslator {
  private readonly layer: KerasLayer;
  private readonly config: Record<string, unknown>;
  /** How errors name this layer: `layer "<name>" (<class>)`. */
  private readonly label: string;

  constructor(
    private readonly b: GraphBuilder,
    private readonly call: KerasCall,
    private readonly inputs: NodeRef[],
    private readonly weights: KerasWeights,
    private readonly file: string,
  ) {
    this.layer = call.layer;
    this.config = call.layer.config;
    this.label = `layer "${call.name}" (${call.layer.className})`;
  }

  translate(): NodeRef {
    const className = ALIASES[this.layer.className] ?? this.layer.className;
    if (!SUPPORTED_LAYERS.includes(className) || className === 'InputLayer') {
      throw new UserError(`layer "${this.call.name}" (${this.layer.className}) is not supported; supported: ${listCut(SUPPORTED_LAYERS, 110)}; the README's Models section lists them all`, this.file);
    }
    if (className !== 'Add' && className !== 'Concatenate' && className !== 'Multiply' && this.inputs.length !== 1) {
      throw this.error(`is called with ${this.inputs.length} inputs; it takes one`);
    }
    switch (className) {
      case 'Dropout':
        return this.inputs[0];
      case 'Dense':
        return this.dense();
      case 'Conv2D':
        return this.conv2d();
      case 'DepthwiseConv2D':
        return this.depthwise();
      case 'SeparableConv2D':
        return this.separable();
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return this.pool(className === 'MaxPooling2D' ? 'maxPool' : 'avgPool');
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        return this.globalPool(className === 'GlobalMaxPooling2D' ? 'globalMaxPool' : 'globalAvgPool');
      case 'Flatten':
        return this.flatten();
      case 'Reshape':
        return this.reshape();
      case 'Permute':
        return this.permute();
      case 'ZeroPadding2D':
        return this.zeroPadding();
      case 'Add':
        return this.node(this.call.name, { kind: 'add' }, this.inputs);
      case 'Concatenate':
        return this.concatenate();
      case 'BatchNormalization':
        return this.batchNorm();
      case 'Activation':
        return this.activation(this.inputs[0], this.config.activation, this.call.name);
      case 'ReLU':
        return this.relu();
      case 'LeakyReLU':
        return this.leakyRelu();
      case 'PReLU':
        return this.prelu();
      case 'ELU': {
        const alpha = this.config.alpha ?? 1;
        if (typeof alpha !== 'number' || !Number.isFinite(alpha)) this.unsupported(`alpha ${JSON.stringify(alpha)}`, 'a finite number is needed');
        return this.node(this.call.name, { kind: 'activation', fn: 'elu', alpha }, this.inputs);
      }
      case 'Softmax':
        return this.node(this.call.name, { kind: 'softmax' }, this.inputs);
      case 'Rescaling':
        return this.rescaling();
      case 'Normalization':
        return this.normalization();
      case 'Multiply':
        return this.multiply();
      case 'LayerNormalization':
        return this.layerNormalization();
      case 'GroupNormalization':
        return this.groupNormalization();
      case 'LayerScale':
        return this.layerScale();
      case 'UpSampling2D':
        return this.upSampling();
      case 'Conv2DTranspose':
        return this.conv2dTranspose();
      default:
        throw new Error(`no translation for ${className}`);
    }
  }

  /** Dense over the last axis (Keras applies it per position to a map: ConvNeXt's pointwise layers). */
  private dense(): NodeRef {
    const units = this.positiveInt('units');
    const x = this.inputs[0];
    const kernel = this.weight('kernel', [x.shape[x.shape.length - 1], units]) as tf.Tensor2D;
    const z = this.node(this.call.name, { kind: 'dense', kernel, bias: this.bias(units) }, [x]);
    return this.activation(z, this.config.activation);
  }

  private conv2d(): NodeRef {
    this.requireChannelsLast();
    const filters = this.positiveInt('filters');
    const [kh, kw] = this.intPair('kernel_size');
    const x = this.image();
    const groups = this.config.groups ?? 1;
    if (!Number.isInteger(groups) || (groups as number) < 1) throw this.error(`has groups ${JSON.stringify(groups)}; a positive integer is needed`);
    const kernel = this.weight('kernel', [kh, kw, x.shape[2] / (groups as number), filters]) as tf.Tensor4D;
    const z = this.node(this.call.name, { kind: 'conv2d', kernel, bias: this.bias(filters), groups: groups as number, ...this.window() }, [x]);
    return this.activation(z, this.config.activation);
  }

  /** DepthwiseConv2D: kernel [kh, kw, c, multiplier] is the grouped kernel [kh, kw, 1, c·multiplier]. */
  private depthwise(): NodeRef {
    this.requireChannelsLast();
    const x = this.image();
    const channels = x.shape[2];
    const kernel = this.depthwiseKernel(channels);
    const spec: NodeSpec = { kind: 'conv2d', kernel, bias: this.bias(kernel.shape[3]), groups: channels, ...this.window() };
    return this.activation(this.node(this.call.name, spec, [x]), this.config.activation);
  }

  /** SeparableConv2D: a depthwise convolution (no bias) and a 1×1 convolution with the layer's bias. */
  private separable(): NodeRef {
    this.requireChannelsLast();
    const x = this.image();
    const channels = x.shape[2];
    const filters = this.positiveInt('filters');
    const depthwise = this.depthwiseKernel(channels);
    const d = this.node(`${this.call.name}/depthwise`, { kind: 'conv2d', kernel: depthwise, groups: channels, ...this.window() }, [x]);
    const pointwise = this.weight('pointwise_kernel', [1, 1, depthwise.shape[3], filters]) as tf.Tensor4D;
    const z = this.node(this.call.name, { kind: 'conv2d', kernel: pointwise, bias: this.bias(filters) }, [d]);
    return this.activation(z, this.config.activation);
  }

  /**
   * The depthwise kernel [kh, kw, c, multiplier] as the grouped kernel [kh, kw, 1, c·multiplier] (same memory).
   * The multiplier is read from the kernel: tfjs leaves `depth_multiplier` out of a SeparableConv2D's config.
   */
  private depthwiseKernel(channels: number): tf.Tensor4D {
    const [kh, kw] = this.intPair('kernel_size');
    const t = this.weights.get(this.layer, 'depthwise_kernel');
    const multiplier = t.shape[3] ?? 0;
    const declared = this.config.depth_multiplier;
    if (t.rank !== 4 || t.shape[0] !== kh || t.shape[1] !== kw || t.shape[2] !== channels || (declared != null && declared !== multiplier)) {
      const expected = `[${kh},${kw},${channels},${declared ?? 'multiplier'}]`;
      throw this.error(`has weight "depthwise_kernel" of shape [${t.shape}] but the layer needs ${expected}`);
    }
    return tf.reshape(t, [kh, kw, 1, channels * multiplier]) as tf.Tensor4D;
  }

  /** Strides, padding and dilation of a Conv2D-like layer. */
  private window(): { strides: [number, number]; padding: PaddingSpec; dilations: [number, number] } {
    return { strides: this.intPair('strides', 1), padding: this.padding(), dilations: this.intPair('dilation_rate', 1) };
  }

  /** A zero bias stands in for `use_bias: false` (the builder adds it). */
  private bias(units: number): tf.Tensor1D | undefined {
    return this.config.use_bias === false ? undefined : (this.weight('bias', [units]) as tf.Tensor1D);
  }

  private pool(kind: 'maxPool' | 'avgPool'): NodeRef {
    this.requireChannelsLast();
    const poolSize = this.intPair('pool_size', 2);
    const strides = this.config.strides == null ? poolSize : this.intPair('strides');
    return this.node(this.call.name, { kind, poolSize, strides, padding: this.padding() }, [this.image()]);
  }

  private globalPool(kind: 'globalAvgPool' | 'globalMaxPool'): NodeRef {
    this.requireChannelsLast();
    const pooled = this.node(this.call.name, { kind }, [this.image()]);
    // Keras 3's keepdims keeps a 1×1 image of channels.
    if (this.config.keepdims !== true) return pooled;
    return this.node(`${this.call.name}/keepdims`, { kind: 'reshape', shape: [1, 1, pooled.shape[0]] }, [pooled]);
  }

  /** channels_first flattens in c, h, w order: a transpose first (folded into a following Dense at build). */
  private flatten(): NodeRef {
    const x = this.inputs[0];
    if (x.shape.length === 1) return x;
    const format = this.config.data_format;
    if (format === 'channels_first' && x.shape.length === 3) {
      const t = this.node(`${this.call.name}/channels_first`, { kind: 'transpose', perm: [2, 0, 1] }, [x]);
      return this.node(this.call.name, { kind: 'flatten' }, [t]);
    }
    if (format != null && format !== 'channels_last') this.unsupported(`data_format "${format}"`, 'only channels_last and channels_first are supported');
    return this.node(this.call.name, { kind: 'flatten' }, [x]);
  }

  private reshape(): NodeRef {
    const target = this.config.target_shape;
    if (!Array.isArray(target)) this.unsupported(`target_shape ${JSON.stringify(target)}`, 'it must be a list of positive integers and at most one -1');
    return this.node(this.call.name, { kind: 'reshape', shape: target as number[] }, this.inputs);
  }

  /** Keras' dims count from 1, the batch left out. */
  private permute(): NodeRef {
    const dims = this.config.dims;
    if (!Array.isArray(dims) || !dims.every(Number.isInteger)) this.unsupported(`dims ${JSON.stringify(dims)}`, 'a permutation of 1…rank is needed');
    return this.node(this.call.name, { kind: 'transpose', perm: (dims as number[]).map((d) => d - 1) }, this.inputs);
  }

  /** padding: n, [rows, cols] or [[top, bottom], [left, right]]. */
  private zeroPadding(): NodeRef {
    this.requireChannelsLast();
    const p = this.config.padding ?? 1;
    const pair = (v: unknown): [number, number] | null => (typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 && v.every(Number.isInteger) ? [v[0], v[1]] : null);
    let rows: [number, number] | null = null;
    let cols: [number, number] | null = null;
    if (typeof p === 'number') rows = cols = [p, p];
    else if (Array.isArray(p) && p.length === 2) [rows, cols] = [pair(p[0]), pair(p[1])];
    if (!rows || !cols) this.unsupported(`padding ${JSON.stringify(p)}`, 'n, [rows, cols] or [[top, bottom], [left, right]] is needed');
    return this.node(this.call.name, { kind: 'pad', pads: [rows![0], cols![0], rows![1], cols![1]] }, [this.image()]);
  }

  /** Keras counts the batch in `axis`; graph axes leave it out. */
  private concatenate(): NodeRef {
    const axis = this.config.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) this.unsupported(`axis ${JSON.stringify(axis)}`, 'an axis other than the batch is needed');
    const a = axis as number;
    return this.node(this.call.name, { kind: 'concat', axis: a > 0 ? a - 1 : a }, this.inputs);
  }

  private batchNorm(): NodeRef {
    const x = this.inputs[0];
    const rawAxis = this.config.axis;
    const axis = Array.isArray(rawAxis) && rawAxis.length === 1 ? rawAxis[0] : (rawAxis ?? -1);
    if (axis !== -1 && axis !== x.shape.length) this.unsupported(`axis ${JSON.stringify(rawAxis)}`, 'only the channel axis (-1) is supported');
    const epsilon = this.config.epsilon ?? 1e-3;
    if (typeof epsilon !== 'number' || !(epsilon >= 0)) this.unsupported(`epsilon ${JSON.stringify(epsilon)}`, 'it must be a number ≥ 0');
    const channels = [x.shape[x.shape.length - 1]];
    return this.node(
      this.call.name,
      {
        kind: 'batchNorm',
        mean: this.weight('moving_mean', channels) as tf.Tensor1D,
        variance: this.weight('moving_variance', channels) as tf.Tensor1D,
        gamma: this.config.scale === false ? undefined : (this.weight('gamma', channels) as tf.Tensor1D),
        beta: this.config.center === false ? undefined : (this.weight('beta', channels) as tf.Tensor1D),
        epsilon,
      },
      [x],
    );
  }

  /**
   * The activation of a layer (or an Activation layer): ReLU, ReLU6, leaky ReLU and softmax nodes, nothing
   * for linear. Keras 3's `leaky_relu` function has slope 0.2.
   */
  private activation(x: NodeRef, value: unknown, name = `${this.call.name}/${activationName(value)}`): NodeRef {
    const activation = activationName(value);
    if (activation === 'linear') return x;
    if (activation === 'relu') return this.node(name, { kind: 'relu' }, [x]);
    if (activation === 'relu6') return this.node(name, { kind: 'clip', min: 0, max: 6 }, [x]);
    if (activation === 'leaky_relu') return this.node(name, { kind: 'leakyRelu', alpha: 0.2 }, [x]);
    if (activation === 'softmax') return this.node(name, { kind: 'softmax' }, [x]);
    const smooth = (this.layer.keras3 ? KERAS3_ACTIVATIONS[activation] : undefined) ?? SMOOTH_ACTIVATIONS[activation];
    if (smooth) return this.node(name, smooth, [x]);
    throw this.error(
      `has activation "${activation}", which is not supported; supported: relu, relu6, leaky_relu, ${Object.keys(SMOOTH_ACTIVATIONS).join(', ')}, linear, softmax (final layer only)`,
    );
  }

  /**
   * Keras ReLU(max_value, negative_slope, threshold 0): a leaky ReLU of slope `negative_slope` (a plain ReLU
   * for 0), then a clip to max_value when there is one (ReLU6 is max_value 6).
   */
  private relu(): NodeRef {
    const { max_value, negative_slope, threshold } = this.config;
    if (threshold != null && threshold !== 0) this.unsupported(`threshold ${JSON.stringify(threshold)}`, 'only threshold 0 is supported');
    const slope = negative_slope ?? 0;
    if (typeof slope !== 'number' || !(slope >= 0)) this.unsupported(`negative_slope ${JSON.stringify(negative_slope)}`, 'a number ≥ 0 is needed');
    if (max_value != null && (typeof max_value !== 'number' || !(max_value > 0))) {
      this.unsupported(`max_value ${JSON.stringify(max_value)}`, 'a positive number (or none) is needed');
    }
    const max = (max_value as number | null | undefined) ?? Infinity;
    const x = this.inputs[0];
    if (slope === 0) return this.node(this.call.name, max === Infinity ? { kind: 'relu' } : { kind: 'clip', min: 0, max }, [x]);
    const leaky = leakyReluSpec(slope);
    const y = leaky ? this.node(max === Infinity ? this.call.name : `${this.call.name}/leaky`, leaky, [x]) : x;
    return max === Infinity ? y : this.node(this.call.name, { kind: 'clip', min: -Infinity, max }, [y]);
  }

  /** Keras LeakyReLU: slope `alpha` (Keras 2, tfjs) or `negative_slope` (Keras 3); both default to 0.3. */
  private leakyRelu(): NodeRef {
    const slope = this.config.negative_slope ?? this.config.alpha ?? 0.3;
    if (typeof slope !== 'number' || !(slope >= 0)) this.unsupported(`slope ${JSON.stringify(slope)}`, 'a number ≥ 0 is needed');
    const spec = leakyReluSpec(slope);
    return spec ? this.node(this.call.name, spec, this.inputs) : this.inputs[0];
  }

  /**
   * Keras PReLU: the `alpha` weight has the input's shape with the `shared_axes` set to 1; the engine's
   * PReLU has one slope per channel, so every axis but the channels must be shared (or the slopes equal
   * along it, which is checked).
   */
  private prelu(): NodeRef {
    const x = this.inputs[0];
    const alpha = this.weights.get(this.layer, 'alpha');
    const channels = x.shape[x.shape.length - 1];
    const values = alpha.dataSync();
    const last = alpha.shape[alpha.shape.length - 1] ?? 1;
    if (alpha.shape.length > x.shape.length || (last !== 1 && last !== channels) || values.length % last !== 0) {
      throw this.error(`has weight "alpha" of shape [${alpha.shape}] for an input [${x.shape}]`);
    }
    const slope = Array.from(values.slice(0, last));
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== slope[i % last]) {
        this.unsupported('slopes that vary over height or width (no shared_axes)', 'one slope per channel is supported (shared_axes [1, 2], as Keras applications use)');
      }
    }
    return this.node(this.call.name, { kind: 'prelu', slope }, this.inputs);
  }

  /** Rescaling: y = x·scale + offset, scalars or one value per channel. */
  private rescaling(): NodeRef {
    const scale = this.config.scale;
    const offset = this.config.offset ?? 0;
    const ok = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
    if (!ok(scale) || !ok(offset)) this.unsupported(`scale ${JSON.stringify(scale)} and offset ${JSON.stringify(offset)}`, 'numbers or one per channel are needed');
    return this.node(this.call.name, { kind: 'affine', scale: scale as number | number[], offset: offset as number | number[] }, this.inputs);
  }

  /**
   * Keras Normalization: (x − mean) / max(√variance, 1e-7) per channel, mean and variance from its weights
   * (adapted) or its config (given). `invert: true` undoes it: x·√variance + mean.
   */
  private normalization(): NodeRef {
    const x = this.inputs[0];
    const channels = x.shape[x.shape.length - 1];
    const rawAxis = this.config.axis;
    const axis = Array.isArray(rawAxis) && rawAxis.length === 1 ? rawAxis[0] : (rawAxis ?? -1);
    if (axis !== -1 && axis !== x.shape.length) this.unsupported(`axis ${JSON.stringify(rawAxis)}`, 'only the channel axis (-1) is supported');
    const values = (key: 'mean' | 'variance'): number[] => {
      const t = this.weights.find(this.layer, key);
      const v = t ? Array.from(t.dataSync()) : this.config[key];
      const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v.flat(4) : null;
      if (!list || !list.every((n) => typeof n === 'number') || (list.length !== 1 && list.length !== channels)) {
        throw this.error(`has no usable ${key} (weights or config): one value or one per channel (${channels}) is needed`);
      }
      return list as number[];
    };
    const mean = values('mean');
    const std = values('variance').map((v) => Math.max(Math.sqrt(v), 1e-7));
    const width = Math.max(mean.length, std.length);
    const m = (c: number) => (mean.length === 1 ? mean[0] : mean[c]);
    const s = (c: number) => (std.length === 1 ? std[0] : std[c]);
    const per = (f: (c: number) => number) => Array.from({ length: width }, (_, c) => f(c));
    const spec: NodeSpec =
      this.config.invert === true
        ? { kind: 'affine', scale: per(s), offset: per(m) }
        : { kind: 'affine', scale: per((c) => 1 / s(c)), offset: per((c) => -m(c) / s(c)) };
    return this.node(this.call.name, spec, [x]);
  }

  /** Multiply of two or more tensors (squeeze-excite: a map times its [1, 1, C] scale), broadcasting. */
  private multiply(): NodeRef {
    if (this.inputs.length < 2) throw this.error(`has ${this.inputs.length} input(s); Multiply takes two or more`);
    let y = this.inputs[0];
    for (let k = 1; k < this.inputs.length; k++) {
      y = this.node(k === this.inputs.length - 1 ? this.call.name : `${this.call.name}/${k}`, { kind: 'product' }, [y, this.inputs[k]]);
    }
    return y;
  }

  /** LayerNormalization over the last axis (or every axis but the batch); gamma and beta per channel. */
  private layerNormalization(): NodeRef {
    const x = this.inputs[0];
    const rank = x.shape.length;
    const raw = this.config.axis ?? -1;
    const axes = (Array.isArray(raw) ? raw : [raw]).map((a) => (typeof a === 'number' && a < 0 ? a + rank + 1 : a));
    const last = axes.length === 1 && axes[0] === rank;
    const all = axes.length === rank && axes.every((a, i) => a === i + 1);
    if (!last && !all) this.unsupported(`axis ${JSON.stringify(raw)}`, 'the last axis, or every axis but the batch, is supported');
    if (all && rank > 1 && (this.config.scale !== false || this.config.center !== false)) {
      this.unsupported(`axis ${JSON.stringify(raw)} with scale or center`, 'a norm over every axis is supported without gamma and beta');
    }
    const epsilon = this.epsilon(1e-3);
    const channels = [x.shape[rank - 1]];
    const values = (key: string, use: boolean) => (use ? Array.from(this.weight(key, channels).dataSync()) : undefined);
    const rms = this.config.rms_scaling === true;
    const spec: NodeSpec = {
      kind: 'layerNorm',
      epsilon,
      scale: values('gamma', this.config.scale !== false),
      offset: rms ? undefined : values('beta', this.config.center !== false),
      rms,
      groups: last ? undefined : 1,
    };
    return this.node(this.call.name, spec, [x]);
  }

  /** Keras 3 GroupNormalization over the channels (axis −1) of a map. */
  private groupNormalization(): NodeRef {
    const x = this.image();
    const groups = this.positiveInt('groups', 32);
    const axis = this.config.axis ?? -1;
    if (axis !== -1 && axis !== 3) this.unsupported(`axis ${JSON.stringify(axis)}`, 'only the channel axis (-1) is supported');
    const channels = [x.shape[2]];
    const values = (key: string, use: boolean) => (use ? Array.from(this.weight(key, channels).dataSync()) : undefined);
    const spec: NodeSpec = { kind: 'layerNorm', epsilon: this.epsilon(1e-3), groups, scale: values('gamma', this.config.scale !== false), offset: values('beta', this.config.center !== false) };
    return this.node(this.call.name, spec, [x]);
  }

  /** keras.applications' ConvNeXt LayerScale: x · gamma per channel, an affine map. */
  private layerScale(): NodeRef {
    const x = this.inputs[0];
    const gamma = Array.from(this.weight('gamma', [x.shape[x.shape.length - 1]]).dataSync());
    return this.node(this.call.name, { kind: 'affine', scale: gamma, offset: 0 }, [x]);
  }

  /** UpSampling2D: nearest repeats each pixel (asymmetric, floor); bilinear as TF 2's resize (half pixel). */
  private upSampling(): NodeRef {
    this.requireChannelsLast();
    const x = this.image();
    const [sh, sw] = this.intPair('size', 2);
    const interpolation = this.config.interpolation ?? 'nearest';
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') this.unsupported(`interpolation "${interpolation}"`, 'nearest and bilinear are supported');
    const spec: NodeSpec =
      interpolation === 'nearest'
        ? { kind: 'resize', size: [x.shape[0] * sh, x.shape[1] * sw], mode: 'nearest', coordinates: 'asymmetric', nearest: 'floor' }
        : { kind: 'resize', size: [x.shape[0] * sh, x.shape[1] * sw], mode: 'linear', coordinates: 'half_pixel' };
    return this.node(this.call.name, spec, [x]);
  }

  /**
   * Conv2DTranspose: Keras' kernel [kh, kw, filters, in] is the engine's (the adjoint convolution's) layout.
   * Sizes as Keras' deconv_output_length: without output_padding, 'same' gives in·s (the pads of a 'same'
   * convolution from that size back to in) and 'valid' in·s + max(k − s, 0) (rows past (in − 1)·s + k are
   * output padding); with it, (in − 1)·s + k − 2·pad + output_padding, pad = ⌊k/2⌋ for 'same'.
   */
  private conv2dTranspose(): NodeRef {
    this.requireChannelsLast();
    const x = this.image();
    const filters = this.positiveInt('filters');
    const [kh, kw] = this.intPair('kernel_size');
    const strides = this.intPair('strides', 1);
    const dilations = this.intPair('dilation_rate', 1);
    const kernel = this.weight('kernel', [kh, kw, filters, x.shape[2]]) as tf.Tensor4D;
    const padding = this.padding();
    const extents = [0, 1].map((a) => ([kh, kw][a] - 1) * dilations[a] + 1);
    const given = this.config.output_padding == null ? null : this.intPairAllowZero('output_padding');
    let pads: [number, number, number, number];
    let outputPadding: [number, number];
    if (given) {
      const pad = extents.map((k) => (padding === 'same' ? Math.floor(k / 2) : 0));
      pads = [pad[0], pad[1], pad[0], pad[1]];
      outputPadding = given;
    } else if (padding === 'same') {
      const total = extents.map((k, a) => Math.max(0, k - strides[a]));
      pads = [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
      outputPadding = [0, 1].map((a) => Math.max(0, strides[a] - extents[a])) as [number, number];
    } else {
      pads = [0, 0, 0, 0];
      outputPadding = [0, 1].map((a) => Math.max(0, strides[a] - extents[a])) as [number, number];
    }
    const spec: NodeSpec = { kind: 'convTranspose', kernel, bias: this.bias(filters), strides, pads, dilations, outputPadding };
    return this.activation(this.node(this.call.name, spec, [x]), this.config.activation);
  }

  private epsilon(fallback: number): number {
    const epsilon = this.config.epsilon ?? fallback;
    if (typeof epsilon !== 'number' || !(epsilon >= 0)) this.unsupported(`epsilon ${JSON.stringify(epsilon)}`, 'it must be a number ≥ 0');
    return epsilon as number;
  }

  private intPairAllowZero(key: string): [number, number] {
    const v = this.config[key];
    const pair = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d >= 0)) throw this.error(`has ${key} ${JSON.stringify(v)}; one or two integers ≥ 0 are needed`);
    return [pair[0], pair[1]];
  }

  private node(name: string, spec: NodeSpec, inputs: NodeRef[]): NodeRef {
    return this.b.add(name, spec, inputs, this.label);
  }

  /** The single input, which must be an image [h, w, c]. */
  private image(): NodeRef {
    const x = this.inputs[0];
    if (x.shape.length !== 3) throw this.error(`gets an input of shape [${x.shape}] but needs an image input [height, width, channels]`);
    return x;
  }

  private weight(key: string, shape: number[]): tf.Tensor {
    const t = this.weights.get(this.layer, key);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw this.error(`has weight "${key}" of shape [${t.shape}] but the layer needs [${shape}]`);
    }
    return t;
  }

  private padding(): PaddingSpec {
    const padding = this.config.padding ?? 'valid';
    if (padding !== 'same' && padding !== 'valid') this.unsupported(`padding ${JSON.stringify(padding)}`, 'only same and valid are supported');
    return padding as 'same' | 'valid';
  }

  private requireChannelsLast(): void {
    const format = this.config.data_format;
    if (format != null && format !== 'channels_last') this.unsupported(`data_format "${format}"`, 'only channels_last is supported');
  }

  private positiveInt(key: string, fallback?: number): number {
    const v = this.config[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 1) throw this.error(`has ${key} ${JSON.stringify(v)}; a positive integer is needed`);
    return v as number;
  }

  /** Keras accepts 3 or [3, 3] for kernel_size, strides, pool_size and dilation_rate. */
  private intPair(key: string, fallback?: number): [number, number] {
    const v = this.config[key] ?? fallback;
    const pair = typeof v === 'number' ? [v, v] : v;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d > 0)) {
      throw this.error(`has ${key} ${JSON.stringify(v)}; one or two positive integers are needed`);
    }
    return [pair[0], pair[1]];
  }

  private unsupported(setting: string, why: string): never {
    throw this.error(`has ${setting}; ${why}`);
  }

  private error(problem: string): UserError {
    return new UserError(`${this.label} ${problem}`, this.file);
  }
}

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
