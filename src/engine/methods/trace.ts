// One explain call's forward pass and what its backward walks derive from it once and share: ReLU masks,
// max-pool winners, the sign of Dense/Conv inputs. Backward walks of several methods run as one batch of
// "stacked" rows: `blocks` copies of the call's N rows (layers/signals.ts).
import * as tf from '@tensorflow/tfjs';
import { graphFacts, type GraphFacts } from '../graph/analysis';
import type { GlobalMaxPoolNode, GraphNode, MaxPoolNode, Network } from '../graph/nodes';
import type { NodeTrace, ReluMode } from '../layers/layerKind';
import { maxPoolWinners, winnerWindow } from '../layers/pooling';
import { valuesOf } from '../layers/tensorMemory';
import { forwardNodes } from '../network/forward';

export class Trace {
  /** Rows of the forward pass (images, or (image, target) pairs). */
  readonly rows: number;
  private readonly masks = new Map<number, tf.Tensor>();
  private readonly winners = new Map<number, Int32Array>();
  private readonly signs = new Map<number, boolean>();
  private readonly owned: tf.Tensor[] = [];
  private readonly facts: GraphFacts;

  /**
   * `values[i]` is the output of node i (null for a Dense/Conv whose ReLU was fused into it), values[0] the
   * input. The trace owns them (except values[0] when `ownsInput` is false) and frees them in `dispose`.
   */
  constructor(
    readonly network: Network,
    readonly values: Array<tf.Tensor | null>,
    ownsInput: boolean,
  ) {
    this.rows = values[0]!.shape[0];
    this.facts = graphFacts(network);
    for (const t of values.slice(ownsInput ? 0 : 1)) if (t) this.owned.push(t);
  }

  /** The shared forward pass of `x` (not owned by the trace). */
  static of(network: Network, x: tf.Tensor): Trace {
    return new Trace(network, forwardNodes(network, x), false);
  }

  /** The network input. */
  get x(): tf.Tensor {
    return this.values[0]!;
  }

  get logits(): tf.Tensor {
    return this.values[this.values.length - 1]!;
  }

  /** The output of node i; every node has one but a Dense/Conv whose ReLU was fused into it. */
  output(i: number): tf.Tensor {
    const t = this.values[i];
    if (!t) throw new Error(`node ${i} (${this.network.nodes[i].kind}) has no materialised output`);
    return t;
  }

  /** [z > 0] of ReLU node i as 0/1 floats, from its output (relu(z) > 0 exactly where z > 0). */
  reluMask(i: number): tf.Tensor {
    return this.derivative(i, (y) => tf.step(y));
  }

  /** f'(z) of elementwise activation node i, `make` of its output, made once per call (every walk shares it). */
  derivative(i: number, make: (output: tf.Tensor) => tf.Tensor): tf.Tensor {
    let mask = this.masks.get(i);
    if (!mask) {
      mask = this.keep(tf.tidy(() => make(this.output(i))));
      this.masks.set(i, mask);
    }
    return mask;
  }

  /** Frees the derivatives made so far (a walk that needs one again makes it again). The gradient walk is the
   *  only one that reads them; freed before the LRP walk, they leave room for its peak near the input. */
  forgetDerivatives(): void {
    const masks = new Set(this.masks.values());
    this.masks.clear();
    for (let k = this.owned.length - 1; k >= 0; k--) {
      if (!masks.has(this.owned[k])) continue;
      this.owned[k].dispose();
      this.owned.splice(k, 1);
    }
  }

  /** For max-pooling node i, the flat input index each output element takes its value from (−1: none). */
  poolWinners(i: number): Int32Array {
    let found = this.winners.get(i);
    if (!found) {
      const node = this.network.nodes[i] as MaxPoolNode | GlobalMaxPoolNode;
      const input = this.output(node.inputs[0]);
      const { window, output } = winnerWindow(node, input.shape.slice(1));
      found = maxPoolWinners(window, input, output);
      this.winners.set(i, found);
    }
    return found;
  }

  /** Whether every value node i outputs is ≥ 0: known from the graph (after a ReLU, through pooling,
   *  reshapes, pads, sums of such), else looked at once. */
  nonNegative(i: number): boolean {
    let known = this.signs.get(i);
    if (known === undefined) {
      known = this.signKnown(i) || minOf(this.output(i)) >= 0;
      this.signs.set(i, known);
    }
    return known;
  }

  private signKnown(i: number): boolean {
    const node = this.network.nodes[i];
    switch (node.kind) {
      case 'relu':
        return true;
      case 'clip':
        return node.min >= 0 || (node.max >= 0 && this.signKnown(node.inputs[0]));
      case 'leakyRelu':
        return this.signKnown(node.inputs[0]);
      case 'activation':
        // σ, clip(αx + β, 0, 1) and log(1 + eˣ) are never negative.
        return node.fn === 'sigmoid' || node.fn === 'hardSigmoid' || node.fn === 'softplus';
      case 'prelu':
        return node.slope.every((a) => a >= 0) && this.signKnown(node.inputs[0]);
      case 'maxPool':
      case 'avgPool':
      case 'globalAvgPool':
      case 'globalMaxPool':
      case 'reshape':
      case 'transpose':
      case 'pad':
      case 'concat':
      case 'add':
      case 'gather':
      case 'product':
      // Interpolation weights are ≥ 0.
      case 'resize':
        return node.inputs.every((j) => this.signKnown(j));
      case 'affine':
        return node.scale.every((s) => s >= 0) && node.offset.every((t) => t >= 0) && this.signKnown(node.inputs[0]);
      default:
        return false;
    }
  }

  /** Node i as a backward walk of `blocks` stacked blocks sees it (layers/layerKind.ts). */
  nodeTrace(i: number, blocks: number, reluModes: ReluMode[]): NodeTrace {
    return new NodeView(this, i, blocks, reluModes, this.facts.beforeFirstLinear[i]);
  }

  /** Keeps a tensor made inside some tidy until the trace is disposed. */
  keep<T extends tf.Tensor>(t: T): T {
    this.owned.push(tf.keep(t));
    return t;
  }

  dispose(): void {
    for (const t of this.owned.splice(0)) t.dispose();
  }
}

function minOf(t: tf.Tensor): number {
  const values = valuesOf(t);
  let min = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] < min) min = values[i];
  return min;
}

/** One node of a trace, as a layer module's backward maps read it (a class: one is made per node per walk). */
class NodeView implements NodeTrace {
  readonly node: GraphNode;

  constructor(
    private readonly trace: Trace,
    readonly index: number,
    readonly blocks: number,
    readonly reluModes: ReluMode[],
    readonly beforeFirstLinear: boolean,
  ) {
    this.node = trace.network.nodes[index];
  }

  input(k: number): tf.Tensor {
    return this.trace.output(this.node.inputs[k]);
  }

  output(): tf.Tensor {
    return this.trace.output(this.index);
  }

  inputShape(k: number, rows: number): number[] {
    return [rows, ...this.trace.network.nodes[this.node.inputs[k]].shape];
  }

  reluMask(): tf.Tensor {
    return this.trace.reluMask(this.index);
  }

  derivative(make: (output: tf.Tensor) => tf.Tensor): tf.Tensor {
    return this.trace.derivative(this.index, make);
  }

  poolWinners(): Int32Array {
    return this.trace.poolWinners(this.index);
  }
}
