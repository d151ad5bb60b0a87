// The network as a graph: what every front end (tfjs Layers, ONNX, Keras) builds, what the forward pass,
// the backward walker and the relevance rules read. Plain data plus weight tensors; the behaviour of each
// kind lives in `src/engine/layers/<kind>.ts`, the table of kinds in `layers/index.ts`.
//
// Layout (the engine's, whatever the source format):
// - Shapes never include the batch: an image is [height, width, channels] (NHWC activations, channels last),
//   a vector is [n]. Axis numbers (`concat.axis`, `transpose.perm`) index these batch-free shapes.
// - Dense kernels are [in, out], y = x·W + b.
// - Conv kernels are [kh, kw, in / groups, out]. Output channels are grouped contiguously: group g reads input
//   channels [g·in/groups, (g+1)·in/groups) and writes output channels [g·out/groups, (g+1)·out/groups) (the
//   PyTorch/ONNX convention). A depthwise convolution is groups = in channels, out = in × multiplier; Keras'
//   DepthwiseConv2D kernel [kh, kw, in, multiplier] is the same memory reshaped to [kh, kw, 1, in·multiplier].
// - Padding is explicit, [top, left, bottom, right] (ONNX `pads` order for two spatial axes). Front ends may
//   also say 'same' / 'valid' (TF, ONNX auto_pad SAME_UPPER: the odd pixel at the end) or 'same-lower' (ONNX
//   SAME_LOWER: at the start); the builder resolves them from the input size.
//
// Front ends use `GraphBuilder` (builder.ts): `input(name, shape)`, then `add(name, spec, inputs, label?)`
// once per node in data-flow order (each returns a `NodeRef` with the node's inferred output shape), then
// `build(output)`. A spec that does not fit its inputs fails at `add` with a one-line UserError naming the
// file and the node (`node "<name>" (<kind>)`, or the front end's `label`, e.g. `layer "conv1" (Conv2D)`).
// `build` canonises (canonise.ts) and returns the `Network`:
// - `identity` nodes (Dropout, ONNX Identity) are removed;
// - a `softmax` at the output is dropped (`endsWithSoftmax`; explanations start from the logits); anywhere
//   else it stays a node (attention weights), a log-softmax anywhere else is an error;
// - `batchNorm` is folded into the Dense/Conv that feeds it when nothing else reads that node's output,
//   otherwise it becomes an `affine` node y = s ⊙ x + t (s = γ/√(σ² + ε), t = β − μ·s);
// - a transpose → flatten → Dense (PyTorch's C, H, W flatten after NHWC maps) becomes a plain flatten with
//   the Dense kernel's rows permuted at load, so no transpose runs per call;
// - nodes the output does not depend on are dropped.
//
// Weights: `nodeWeights(node)` (weights.ts) lists a node's tensors by name; `withWeights` makes a copy of a
// network with some of them replaced (for weight randomisation tests). Tensors handed to the builder belong
// to it from then on: `build` keeps those the network uses (the network's `dispose` frees them) and frees
// the rest; `dispose` on the builder frees everything when a front end gives up half way.
import type * as tf from '@tensorflow/tfjs';

/** Zero padding around the two spatial axes: [top, left, bottom, right]. */
export type Pads = [number, number, number, number];

/** Padding as a front end may give it: explicit, or resolved from the input size at build time. */
export type PaddingSpec = Pads | 'valid' | 'same' | 'same-lower';

/** What a front end asks for; `GraphBuilder.add` validates it and infers the output shape. */
export type NodeSpec =
  /**
   * y = x·kernel + bias over the last axis: a vector input [in], or per position of a map [..., in] (torch's
   * nn.Linear on tokens or after a permute to channels last); kernel [in, out]; no bias means zeros.
   */
  | { kind: 'dense'; kernel: tf.Tensor2D; bias?: tf.Tensor1D }
  /** 2-D convolution (cross-correlation, as every framework computes it) on [h, w, c]. */
  | {
      kind: 'conv2d';
      kernel: tf.Tensor4D;
      bias?: tf.Tensor1D;
      /** Default [1, 1]. */
      strides?: [number, number];
      /** Default 'valid'. */
      padding?: PaddingSpec;
      /** Default [1, 1]. */
      dilations?: [number, number];
      /** Default 1. */
      groups?: number;
    }
  | { kind: 'relu' }
  /**
   * y = min(max(x, min), max): ReLU6 (0, 6), HardTanh (−1, 1), ONNX Clip, Keras ReLU(max_value). Either
   * bound may be infinite; a clip to [0, ∞) is spelled `relu` (front ends use `clipSpec`, layers/clip.ts).
   */
  | { kind: 'clip'; min: number; max: number }
  /** y = x for x > 0, α·x otherwise (α ≥ 0; PyTorch's default α is 0.01, Keras' 0.3 or 0.2). */
  | { kind: 'leakyRelu'; alpha: number }
  /**
   * A smooth elementwise activation (layers/activation.ts has the table of f and f′): `alpha`/`beta` are
   * hardSigmoid's y = clip(α·x + β, 0, 1) (ONNX default 0.2, 0.5; torch's 1/6, 0.5) and elu's α (default 1).
   */
  | { kind: 'activation'; fn: ActivationFn; alpha?: number; beta?: number }
  /** PReLU: y = x for x > 0, a_c·x otherwise; `slope` one value per channel (last axis) or one for all. */
  | { kind: 'prelu'; slope: number[] }
  /** Max pooling; padded positions never win. Strides default to the pool size, padding to 'valid'. */
  | { kind: 'maxPool'; poolSize: [number, number]; strides?: [number, number]; padding?: PaddingSpec }
  /**
   * Average pooling. `countIncludePad`: whether padded zeros count in each window's divisor (PyTorch
   * AvgPool2d's default: true; ONNX AveragePool's and TF's: false, the default here).
   */
  | { kind: 'avgPool'; poolSize: [number, number]; strides?: [number, number]; padding?: PaddingSpec; countIncludePad?: boolean }
  /** [h, w, c] → [c]. (Keras' keepdims: add a reshape to [1, 1, c] after it.) */
  | { kind: 'globalAvgPool' }
  | { kind: 'globalMaxPool' }
  /** Same values in row-major order, another shape; one entry may be −1 (inferred). */
  | { kind: 'reshape'; shape: number[] }
  /** Reshape to one vector (row-major: h, w, c order for an NHWC map). */
  | { kind: 'flatten' }
  /** Output axis k is input axis perm[k] (batch-free axes). */
  | { kind: 'transpose'; perm: number[] }
  /** Zero padding of an [h, w, c] map (ZeroPadding2D, ONNX Pad with constant 0). */
  | { kind: 'pad'; pads: Pads }
  /**
   * y = scale ⊙ x + offset, each a number or one value per channel (the last axis): Rescaling, Keras
   * Normalization, ONNX Sub/Mul/Div/Add by constants. In front of the first Dense/Conv it is an input map.
   */
  | { kind: 'affine'; scale: number | number[]; offset: number | number[] }
  /** Inference-time BatchNormalization over the channel (last) axis; folded or made affine at build. */
  | { kind: 'batchNorm'; mean: tf.Tensor1D; variance: tf.Tensor1D; gamma?: tf.Tensor1D; beta?: tf.Tensor1D; epsilon: number }
  /** Elementwise sum of n ≥ 2 inputs of one shape (a residual connection). */
  | { kind: 'add' }
  /** Inputs joined along `axis` (batch-free, negative counts from the end); other dimensions equal. */
  | { kind: 'concat'; axis: number }
  /**
   * Softmax over one batch-free axis (default the last; negative counts from the end). At the output it is
   * dropped (explanations start from the logits); inside the network it is a node (attention weights).
   * `log`: a log-softmax, supported at the output only.
   */
  | { kind: 'softmax'; axis?: number; log?: boolean }
  /**
   * O = A·B of two activations over their last two axes, the leading (batch-free) axes batched and equal
   * (attention heads): A [..., m, k], B [..., k, n] → [..., m, n]; `transposeB` reads B as [..., n, k] (Q·Kᵀ),
   * `transposeA` A as [..., k, m].
   */
  | { kind: 'matmul'; transposeA?: boolean; transposeB?: boolean }
  /**
   * Transposed convolution on [h, w, c] (layers/convTranspose.ts); kernel [kh, kw, out / groups, in] (the
   * adjoint convolution's, i.e. ONNX's [in, out / groups, kh, kw] with in and out swapped). Explicit pads only.
   */
  | {
      kind: 'convTranspose';
      kernel: tf.Tensor4D;
      bias?: tf.Tensor1D;
      strides?: [number, number];
      pads?: Pads;
      /** Extra rows / columns at the end of the output (below the stride); default [0, 0]. */
      outputPadding?: [number, number];
      dilations?: [number, number];
      groups?: number;
    }
  /** y = a ⊙ b of two activations, each axis equal or 1 in one of them (layers/product.ts). */
  | { kind: 'product' }
  /**
   * (x − μ)/σ ⊙ scale + offset (layers/layerNorm.ts): over the last axis per position, or with `groups` over
   * each group of channels at every position (GroupNorm; 1 group normalises everything but the batch); `rms`
   * without centring (RMSNorm, last axis only). scale and offset: one value, or one per channel (last axis).
   */
  | { kind: 'layerNorm'; epsilon: number; scale?: number[]; offset?: number[]; groups?: number; rms?: boolean }
  /** Picks `indices` (distinct) along a batch-free axis: slices, splits, gathers, channel permutations. */
  | { kind: 'gather'; axis: number; indices: number[] }
  /**
   * Nearest or bilinear resize of an [h, w, c] map to `size` (layers/resize.ts), with ONNX Resize's
   * coordinate transformation (default half_pixel) and nearest rounding (default round_prefer_floor);
   * `scales` default to size / input size.
   */
  | { kind: 'resize'; size: [number, number]; mode: 'nearest' | 'linear'; coordinates?: ResizeCoordinates; nearest?: ResizeNearest; scales?: [number, number] }
  /** Passes its input (Dropout, ONNX Identity); removed at build. */
  | { kind: 'identity' };

export type SpecKind = NodeSpec['kind'];

// ---- the built graph ------------------------------------------------------------------------------------

interface NodeBase {
  /** Unique within the network: the layer or node name in the model file. */
  name: string;
  /** Indices (into `Network.nodes`, all smaller than this node's) of the nodes it reads, in order. */
  inputs: number[];
  /** Output shape without batch. */
  shape: number[];
}

export type InputNode = NodeBase & { kind: 'input' };
export type DenseNode = NodeBase & { kind: 'dense'; kernel: tf.Tensor2D; bias: tf.Tensor1D };
export type Conv2dNode = NodeBase & {
  kind: 'conv2d';
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D;
  strides: [number, number];
  pads: Pads;
  dilations: [number, number];
  groups: number;
};
export type ReluNode = NodeBase & { kind: 'relu' };
/** `min` < `max`; either may be ±Infinity (never both). */
export type ClipNode = NodeBase & { kind: 'clip'; min: number; max: number };
export type LeakyReluNode = NodeBase & { kind: 'leakyRelu'; alpha: number };
/**
 * The smooth activations: sigmoid, tanh, silu (x·σ(x), Swish), hardSigmoid, hardSwish (x·clip(x/6 + ½, 0, 1)),
 * elu, softplus (log(1 + eˣ)), gelu (erf form), geluTanh (the tanh approximation).
 */
export type ActivationFn = 'sigmoid' | 'tanh' | 'silu' | 'hardSigmoid' | 'hardSwish' | 'elu' | 'softplus' | 'gelu' | 'geluTanh';
export type ActivationNode = NodeBase & { kind: 'activation'; fn: ActivationFn; alpha: number; beta: number };
/** `slope` has one value per channel (the last axis) or a single value. */
export type PreluNode = NodeBase & { kind: 'prelu'; slope: number[] };
export type MaxPoolNode = NodeBase & { kind: 'maxPool'; poolSize: [number, number]; strides: [number, number]; pads: Pads };
export type AvgPoolNode = NodeBase & {
  kind: 'avgPool';
  poolSize: [number, number];
  strides: [number, number];
  pads: Pads;
  countIncludePad: boolean;
};
export type GlobalAvgPoolNode = NodeBase & { kind: 'globalAvgPool' };
export type GlobalMaxPoolNode = NodeBase & { kind: 'globalMaxPool' };
export type ReshapeNode = NodeBase & { kind: 'reshape' };
export type TransposeNode = NodeBase & { kind: 'transpose'; perm: number[] };
export type PadNode = NodeBase & { kind: 'pad'; pads: Pads };
/** `scale` and `offset` have one value, or one per channel (the last axis). */
export type AffineNode = NodeBase & { kind: 'affine'; scale: number[]; offset: number[] };
export type AddNode = NodeBase & { kind: 'add' };
/** `axis` is non-negative here. */
export type ConcatNode = NodeBase & { kind: 'concat'; axis: number };
/** A softmax inside the network; `axis` is non-negative. */
export type SoftmaxNode = NodeBase & { kind: 'softmax'; axis: number };
export type MatmulNode = NodeBase & { kind: 'matmul'; transposeA: boolean; transposeB: boolean };
/** ONNX Resize's coordinate_transformation_mode values the engine computes. */
export type ResizeCoordinates = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
/** ONNX Resize's nearest_mode values. */
export type ResizeNearest = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
export type ConvTransposeNode = NodeBase & {
  kind: 'convTranspose';
  /** [kh, kw, out / groups, in]: the adjoint convolution's kernel (layers/convTranspose.ts). */
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D;
  strides: [number, number];
  pads: Pads;
  dilations: [number, number];
  groups: number;
  outputPadding: [number, number];
};
/**
 * `gate`: the input (0 or 1) that is a gate (a sigmoid, hard sigmoid or softmax whose input does not depend
 * elementwise on the other factor: squeeze-excite), or null; set at build (graph/gates.ts).
 */
export type ProductNode = NodeBase & { kind: 'product'; gate: 0 | 1 | null };
/** `groups` null: LayerNorm over the last axis; else GroupNorm. `scale`/`offset`: one value or one per channel. */
export type LayerNormNode = NodeBase & { kind: 'layerNorm'; epsilon: number; scale: number[]; offset: number[]; groups: number | null; rms: boolean };
export type GatherNode = NodeBase & { kind: 'gather'; axis: number; indices: number[] };
/** `rowsH` / `rowsW`: the interpolation matrices [out, in] of the two axes, row-major. */
export type ResizeNode = NodeBase & {
  kind: 'resize';
  mode: 'nearest' | 'linear';
  coordinates: ResizeCoordinates;
  nearest: ResizeNearest;
  scales: [number, number];
  rowsH: Float32Array;
  rowsW: Float32Array;
};

export type GraphNode =
  | InputNode
  | DenseNode
  | Conv2dNode
  | ReluNode
  | ClipNode
  | LeakyReluNode
  | ActivationNode
  | PreluNode
  | MaxPoolNode
  | AvgPoolNode
  | GlobalAvgPoolNode
  | GlobalMaxPoolNode
  | ReshapeNode
  | TransposeNode
  | PadNode
  | AffineNode
  | AddNode
  | ConcatNode
  | SoftmaxNode
  | MatmulNode
  | ConvTransposeNode
  | ProductNode
  | LayerNormNode
  | GatherNode
  | ResizeNode;

export type NodeKind = GraphNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<GraphNode, { kind: K }>;

/** The nodes that carry a weight matrix and get the LRP rules of a composite. */
export type LinearNode = DenseNode | Conv2dNode | ConvTransposeNode;

export function isLinear(node: GraphNode): node is LinearNode {
  return node.kind === 'dense' || node.kind === 'conv2d' || node.kind === 'convTranspose';
}

/** A model ready to explain. */
export interface Network {
  /** Topological order: `nodes[0]` is the input, the last node gives the logits. */
  nodes: GraphNode[];
  /** Input shape without batch, as the model declares it: [784] or [28, 28, 1]. */
  inputShape: number[];
  /** Number of logits. */
  outputSize: number;
  /** The model ended with a softmax, which is not explained through (f_c is the logit). */
  endsWithSoftmax: boolean;
  /** Frees every tensor the network owns. */
  dispose(): void;
}

/** What `GraphBuilder.build` returns: the network and what canonisation changed (for the user). */
export interface BuiltNetwork {
  network: Network;
  notes: string[];
}
