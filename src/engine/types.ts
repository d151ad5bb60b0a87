// The engine's own vocabulary: the network (a graph, graph/nodes.ts), method specs and the batch request.
// What crosses a boundary (model card, shapes, results, backend, titles) is plain data in src/protocol/.

/** The network as a graph of nodes: see graph/nodes.ts for the node kinds and the layout. */
export type { GraphNode, Network, NodeKind } from './graph/nodes';
import type { MethodId } from './methods/methodTable';

/**
 * The box [low, high] of the network input that z^B (and SmoothGrad's σ) read: each end a number (every
 * channel) or one number per channel of the image, in network input space (after the card's mean/std).
 */
export type InputBounds = [number | number[], number | number[]];

/** A method with its parameters, e.g. { id: 'lrp-ab', params: { alpha: 2, beta: 1 } }. */
export interface MethodSpec {
  id: MethodId;
  params: Record<string, number>;
}

/** What to explain in one call. Images of one call go through each layer as one batch. */
export interface ExplainRequest {
  /** Each image in the network's input space, HWC order, length h*w*c of the card's inputShape. */
  images: Float32Array[];
  methods: MethodSpec[];
  /** Per image, the classes to explain; `null` or missing means the predicted class. */
  targets?: Array<Array<number | null> | null>;
  /** Per image, the class each of its maps is contrasted with ("why target and not this?"): the maps then
   *  explain f_target − f_contrast. `null` or missing: the target's logit alone. */
  contrasts?: Array<number | null>;
  /** Input bounds in network input space for the z^B rule (per channel or for all); `null` means unbounded
   *  (w² rule). */
  bounds: InputBounds | null;
}
