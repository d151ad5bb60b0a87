// What one layer kind states about itself (one module per kind in this folder, the table in index.ts):
// how a spec becomes a node (validation and shape inference), its forward op, its one-line description, and
// how signals go back through it. Dense/Conv ("linear" kinds) state their linear map with modified weights,
// on which every LRP rule and the gradient are built (methods/rules.ts); every other kind states its
// gradient (VJP) and its fixed LRP propagation (METHODS.md, "Layers that are not Dense/Conv" and "Graphs").
import type * as tf from '@tensorflow/tfjs';
import type { GraphNode, NodeKind, NodeOf, NodeSpec } from '../graph/nodes';

/** What a kind's `create` gets from the builder. */
export interface CreateContext {
  /** Output shapes of the node's inputs, in order, without batch. */
  inputShapes: number[][];
  /** Throws the UserError for this node: `node "<name>" (<kind>): <problem>`, naming the file. */
  fail(problem: string): never;
  /** Refuses an output shape over the per-node budget (budgets.ts) before `create` allocates for it (a resize's interpolation rows). */
  checkOutputShape(shape: number[]): void;
}

/** The node's own fields, as `create` returns them (the builder adds name and inputs). */
export type NodeFields<K extends NodeKind> = Omit<NodeOf<K>, 'name' | 'inputs'>;

/**
 * How the backward signal g crosses a ReLU whose input is z:
 * - 'gradient': g·[z > 0] (the true gradient),
 * - 'guided': g·[z > 0]·[g > 0] (Springenberg et al. 2014),
 * - 'deconvnet': g·[g > 0] (Zeiler & Fergus 2014; the forward mask is ignored).
 */
export type ReluMode = 'gradient' | 'guided' | 'deconvnet';

/**
 * How an LRP method treats attention (softmax inside the network, the matrix product of two activations) and
 * gates (METHODS.md, "Gates, normalisation layers and attention"):
 * - 'attnlrp': AttnLRP (Achtibat et al. 2024): the softmax by its Taylor decomposition (Prop. 3.1), each
 *   factor of a product of activations half of the ε-rule's share (the uniform rule);
 * - 'cp-lrp': CP-LRP (Ali et al. 2022): attention weights (a softmax output) and gates are held constant, so
 *   they get no relevance and A·V is a linear map of V.
 * Every LRP method but `cp-lrp` uses 'attnlrp' (methods/methodTable.ts).
 */
export type AttentionRule = 'attnlrp' | 'cp-lrp';

/**
 * One node as a backward pass sees it. Signals (gradients, relevances) hold `blocks` stacked copies of the
 * call's rows (several methods at once, methods/trace.ts), activations hold the rows once.
 */
export interface NodeTrace<N extends GraphNode = GraphNode> {
  node: N;
  index: number;
  blocks: number;
  /** The forward activation of input k (the rows once). */
  input(k: number): tf.Tensor;
  /** This node's forward output. */
  output(): tf.Tensor;
  /** [rows, ...shape of input k]. */
  inputShape(k: number, rows: number): number[];
  /** [z > 0] of a ReLU as 0/1 floats, computed once per call. */
  reluMask(): tf.Tensor;
  /** f'(z) of an elementwise activation (clip, leaky ReLU), `make` of the node's output, made once per call. */
  derivative(make: (output: tf.Tensor) => tf.Tensor): tf.Tensor;
  /** Max pooling: for each output element, the flat input index it takes its value from (−1: none). */
  poolWinners(): Int32Array;
  /** The ReLU variant of each block (gradient family only). */
  reluModes: ReluMode[];
  /** The attention rule of each block (LRP family only). */
  attentionRules: AttentionRule[];
  /**
   * Which input holds attention weights, i.e. is a softmax output (through reshapes and transposes only),
   * which CP-LRP holds constant; null when none does (graph/analysis.ts).
   */
  attentionWeightsInput: number | null;
  /** This node lies between the model input and the first Dense/Conv layers (METHODS.md "input maps"). */
  beforeFirstLinear: boolean;
}

/** What an attention kind's `lrpTreatment` reads: the method's rule and the node's held operand. */
export interface AttentionContext {
  rule: AttentionRule;
  attentionWeightsInput: number | null;
}

/** How the rules of an LRP method, or a method's gradient, treat a node (for the model-info listing). */
export type Treatment = { family: 'gradient'; modes: ReluMode[] } | { family: 'lrp'; rule?: string };

interface KindBase<K extends NodeKind> {
  kind: K;
  /** Validates `spec` against the input shapes; returns the node's fields, its output `shape` included. */
  create(spec: Extract<NodeSpec, { kind: K }>, c: CreateContext): NodeFields<K>;
  /** The output for a batch; `inputs` are the activations of the node's inputs. */
  forward(node: NodeOf<K>, inputs: tf.Tensor[]): tf.Tensor;
  /** One line for the UI, e.g. "3×3 conv, 32→64, stride 2, pad 1". */
  describe(node: NodeOf<K>): string;
}

/** A kind with a fixed backward treatment. */
export interface FixedKind<K extends NodeKind> extends KindBase<K> {
  /** Gradient family: the signal for each input (null: nothing flows to it). */
  vjp(c: NodeTrace<NodeOf<K>>, g: tf.Tensor): Array<tf.Tensor | null>;
  /** LRP family: the relevance for each input (null: none). May return `r` itself (passes unchanged). */
  relevance(c: NodeTrace<NodeOf<K>>, r: tf.Tensor): Array<tf.Tensor | null>;
  /** What the LRP walk does here, in a few words ("passes", "winner-take-all", ...); the attention kinds
   *  also read the method's attention rule. */
  lrpTreatment(node: NodeOf<K>, beforeFirstLinear: boolean, attention: AttentionContext): string;
  /** What the gradient walk does here; default "exact gradient". */
  gradientTreatment?(node: NodeOf<K>, modes: ReluMode[]): string;
  /**
   * The box of the output for inputs in the boxes [low, high], one per input (z^B's bounds before the first
   * Dense/Conv, methods/inputBox.ts). Only kinds that are not monotone in each element state it (SiLU, GELU,
   * PReLU with a negative slope, products, normalisations); for the others the box of f(low), f(high) is
   * the answer.
   */
  box?(node: NodeOf<K>, inputs: Array<{ low: tf.Tensor; high: tf.Tensor }>): { low: tf.Tensor; high: tf.Tensor };
}

/** A Dense/Conv kind: a linear map x ↦ x ⊛ W (+ b) that the rules evaluate with modified weights W'. */
export interface LinearKind<K extends NodeKind> extends KindBase<K> {
  linear: LinearOps<NodeOf<K>>;
}

/** A kernel in the layout an op takes: one tensor, or several (a strided convolution's phases, which a
 *  convolution's VJP and a transposed convolution's forward map take). */
export type KernelLayout = tf.Tensor | tf.Tensor[];
export type BackwardKernel = KernelLayout;

export interface LinearOps<N extends GraphNode> {
  /** The layout `apply` takes a (modified) kernel in, from the node's layout; the identity where they agree. */
  forwardKernel(node: N, w: tf.Tensor): KernelLayout;
  /** The layout `vjp` takes, from a (modified) kernel in the node's layout. */
  backwardKernel(node: N, w: tf.Tensor): BackwardKernel;
  /** z = x ⊛ W' + b' (b' null: no bias), optionally followed by a ReLU, as few ops as possible. */
  apply(node: N, forwardKernel: KernelLayout, bias: tf.Tensor | null, x: tf.Tensor, relu?: boolean): tf.Tensor;
  /** s ↦ sᵀ ∂z/∂x for W' given in backward layout; `inputShape` is x's shape for s's rows. */
  vjp(node: N, backwardKernel: BackwardKernel, s: tf.Tensor, inputShape: number[]): tf.Tensor;
  /** The node's kernel (engine layout), which the modifiers of the rules start from. */
  kernel(node: N): tf.Tensor;
  /** True when `apply` and `vjp` take a rule's modified kernel as a placeholder and apply the modifier block
   *  by block inside the product (large dense layers, modifiedKernels.ts); prepared.ts then makes none. */
  modifiesInProduct?(node: N): boolean;
  /** For such a layer, the layout its forward products read a placeholder's kernel in, made from the node's
   *  kernel once and kept (weight-heavy convolutions: [out, kh·kw·in]); default the kernel itself. */
  productKernel?(node: N, w: tf.Tensor): tf.Tensor;
  bias(node: N): tf.Tensor;
  /** Composites distinguish convolutions from dense layers. */
  isConvolution: boolean;
}

export type LayerKind<K extends NodeKind> = FixedKind<K> | LinearKind<K>;

export function isLinearKind<K extends NodeKind>(kind: LayerKind<K>): kind is LinearKind<K> {
  return 'linear' in kind;
}
