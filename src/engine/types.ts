// The shared vocabulary of the engine: the network (a graph, graph/nodes.ts), the model card, method specs
// and results.
// Everything here is plain data so it can cross worker boundaries (tensors stay inside the worker).
import type * as tf from '@tensorflow/tfjs';

/** Height, width, channels of one image as the model sees it (no batch dimension). */
export type ImageShape = [number, number, number];

/** The network as a graph of nodes: see graph/nodes.ts for the node kinds and the layout. */
export type { GraphNode, Network, NodeKind } from './graph/nodes';

/**
 * The box [low, high] of the network input that z^B (and SmoothGrad's σ) read: each end a number (every
 * channel) or one number per channel of the image, in network input space (after the card's mean/std).
 */
export type InputBounds = [number | number[], number | number[]];

/** One node of a network as the UI lists it (model-info). */
export interface NodeInfo {
  name: string;
  kind: string;
  /** One line, e.g. "conv 3×3, 32→64, stride 2, pad 1". */
  description: string;
  /** Output shape without batch. */
  shape: number[];
  /** Names of the nodes it reads. */
  inputs: string[];
  /** For the method asked about: the rule or treatment at this node ("z⁺", "winner-take-all", ...). */
  rule?: string;
}

/** `card.json` beside `model.json`: what the model is and what input it expects. */
export interface ModelCard {
  id: string;
  name: string;
  dataset?: string;
  /** One label per logit. */
  labels: string[];
  /** The image the model sees: [height, width, channels]. */
  inputShape: ImageShape;
  /** Value range of the model's input before mean/std; pixel 0 maps to the low end, 255 to the high end.
   *  `null` declares unbounded inputs (deep Taylor then uses the w² rule on the first layer). */
  inputRange: [number, number] | null;
  /** Optional normalisation applied after the range mapping: (x - mean) / std, per channel or scalar. */
  mean?: number | number[];
  std?: number | number[];
  /** Test accuracy in [0, 1], as measured by whoever trained the model. */
  accuracy?: number;
  /** Free-form training facts (epochs, optimiser, seed, split, command ...). */
  training?: Record<string, unknown>;
}

/** A method with its parameters, e.g. { id: 'lrp-ab', params: { alpha: 2, beta: 1 } }. */
export interface MethodSpec {
  id: MethodId;
  params: Record<string, number>;
}

export type MethodId =
  | 'sensitivity'
  | 'gradient'
  | 'simple-taylor'
  | 'guided-backprop'
  | 'deconvnet'
  | 'deep-taylor'
  | 'lrp-ab'
  | 'lrp-z'
  | 'lrp-epsilon'
  | 'lrp-gamma'
  | 'epsilon-plus-flat'
  | 'epsilon-gamma-box'
  | 'integrated-gradients'
  | 'smoothgrad'
  | 'occlusion';

/** A title with real subscripts: LRP-α₁.₂β₀.₂ is [{text:'LRP-α'},{text:'1.2',sub:true},{text:'β'},{text:'0.2',sub:true}]. */
export type MethodTitle = Array<{ text: string; sub?: boolean }>;

/** What to explain in one call. Images of one call go through each layer as one batch. */
export interface ExplainRequest {
  /** Each image in the network's input space, HWC order, length h*w*c of the card's inputShape. */
  images: Float32Array[];
  methods: MethodSpec[];
  /** Per image, the classes to explain; `null` or missing means the predicted class. */
  targets?: Array<Array<number | null> | null>;
  /** Input bounds in network input space for the z^B rule (per channel or for all); `null` means unbounded
   *  (w² rule). */
  bounds: InputBounds | null;
}

/** One heatmap: one image × one method × one target. */
export interface Explanation {
  /** Index into ExplainRequest.images. */
  image: number;
  /** The method spec formatted back to a string (`lrp-ab:alpha=2,beta=1` or a preset name). */
  method: string;
  target: number;
  predicted: number;
  /** f_c(x), the target's logit. */
  logit: number;
  /** Softmax of the logits, one per class. */
  probabilities: Float32Array;
  /** Height × width, channels summed, row-major. */
  relevance: Float32Array;
  shape: [number, number];
  relevanceSum: number;
  /** Wall time attributed to this heatmap (the batch's time divided among its heatmaps). */
  ms: number;
  /** Integrated gradients: |Σ R − (f_c(x) − f_c(x̄))|. */
  completenessError?: number;
}

/** Which tfjs backend computed a result, and why it is not wasm-simd when it is not. */
export interface BackendInfo {
  name: 'wasm-simd' | 'wasm' | 'cpu';
  reason?: string;
}
