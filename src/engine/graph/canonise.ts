// Canonisation (Zennit's canonizers): rewrites the graph a front end built into the one the rules see.
// Each step is its own function over the node list, in this order:
//   1. identities removed, a final softmax or sigmoid dropped (any other softmax is an error);
//   2. BatchNormalization folded into the Dense/Conv that feeds it when nothing else reads that node's
//      output, otherwise turned into an affine node y = s ⊙ x + t;
//   3. transpose → flatten → Dense (PyTorch's C, H, W flatten of an NHWC map) folded into the Dense's rows;
//   4. an affine map after a layer norm (its γ and β, when the front end wrote them as a Mul and an Add) folded
//      into the norm's scale and offset when nothing else reads the norm;
//   5. no-op nodes removed (reshape to the same shape, identity affine or transpose, one-input concat);
//   6. nodes the output does not depend on dropped; the rest renumbered in topological order;
//   7. products with a gate factor marked (gates.ts).
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { product } from '../layers/geometry';
import { filledTensor, valuesOf } from '../layers/tensorMemory';
import { batchNormAffine, foldBatchNorm } from './foldBatchNorm';
import { markGates } from './gates';
import { makeNetwork } from './network';
import type { BuiltNetwork, GraphNode, LinearNode, NodeSpec } from './nodes';

type Base = { name: string; inputs: number[]; shape: number[] };
/** A node as the builder holds it: a graph node, or one of the kinds canonisation removes. */
export type RawNode =
  | GraphNode
  | (Base & Extract<NodeSpec, { kind: 'batchNorm' }>)
  | (Base & { kind: 'softmax' })
  | (Base & { kind: 'identity' });

export interface CanoniseContext {
  file?: string;
  /** Registers a tensor a step made, so that the builder frees it if the network does not use it. */
  keep<T extends tf.Tensor>(t: T): T;
}

/** Canonises `nodes` (builder order, node 0 the input) for the logits at `output`. */
export function canonise(raw: RawNode[], output: number, c: CanoniseContext): BuiltNetwork {
  const nodes = raw.map((n) => ({ ...n, inputs: [...n.inputs] })) as RawNode[];
  const notes: string[] = [];
  const graph = new Rewrite(nodes, output);
  const endsWithSoftmax = dropIdentitiesAndSoftmax(graph, notes, c);
  foldBatchNorms(graph, notes, c);
  foldTransposedFlatten(graph, notes, c);
  foldAffineIntoNorms(graph);
  removeNoOps(graph);
  const final = markGates(graph.compact());
  const last = final[final.length - 1];
  if (last.shape.length !== 1) {
    throw new UserError(`the model's output has shape [${last.shape}]; a vector of logits is needed`, c.file);
  }
  return { network: makeNetwork(final, endsWithSoftmax), notes };
}

/** The node list being rewritten: nodes are replaced by aliases (their readers read another node). */
class Rewrite {
  private readonly alias = new Map<number, number>();

  constructor(
    readonly nodes: RawNode[],
    public output: number,
  ) {}

  /** The node that stands for `id` after the replacements so far. */
  resolve(id: number): number {
    let n = id;
    while (this.alias.has(n)) n = this.alias.get(n)!;
    return n;
  }

  /** Every reader of `id` reads `by` instead. */
  replace(id: number, by: number): void {
    this.alias.set(id, by);
    if (this.output === id) this.output = by;
  }

  inputsOf(id: number): number[] {
    return this.nodes[id].inputs.map((i) => this.resolve(i));
  }

  /** Live nodes (those the output depends on), in builder order. */
  live(): number[] {
    const needed = new Set<number>([0]);
    const stack = [this.resolve(this.output)];
    while (stack.length) {
      const id = stack.pop()!;
      if (needed.has(id) && id !== 0) continue;
      needed.add(id);
      for (const i of this.inputsOf(id)) stack.push(i);
    }
    return [...needed].sort((a, b) => a - b);
  }

  /** How many live nodes read each live node (linear in the edges: a tensor read by 20,000 nodes is common in a hostile file). */
  readers(): Map<number, number[]> {
    const readers = new Map<number, number[]>();
    const of = (id: number) => {
      let list = readers.get(id);
      if (!list) readers.set(id, (list = []));
      return list;
    };
    for (const id of this.live()) {
      of(id);
      for (const i of this.inputsOf(id)) of(i).push(id);
    }
    return readers;
  }

  /** The live nodes renumbered 0…n−1, inputs remapped; the output last. */
  compact(): GraphNode[] {
    const output = this.resolve(this.output);
    const ids = this.live();
    // Builder order is topological; the output goes last (nothing live reads it).
    const order = [...ids.filter((id) => id !== output), output];
    const index = new Map(order.map((id, k) => [id, k]));
    return order.map((id) => ({ ...(this.nodes[id] as GraphNode), inputs: this.inputsOf(id).map((i) => index.get(i)!) }));
  }
}

/** Step 1. Returns whether a final softmax was dropped. */
function dropIdentitiesAndSoftmax(g: Rewrite, notes: string[], c: CanoniseContext): boolean {
  g.nodes.forEach((node, id) => {
    if (node.kind === 'identity') g.replace(id, node.inputs[0]);
  });
  let endsWithSoftmax = false;
  const out = g.resolve(g.output);
  const last = g.nodes[out];
  if (last.kind === 'softmax') {
    g.replace(out, g.resolve(last.inputs[0]));
    endsWithSoftmax = true;
    notes.push(`final softmax "${last.name}" dropped: explanations start from the logits`);
  } else if (last.kind === 'activation' && last.fn === 'sigmoid') {
    // A binary / multi-label classifier's sigmoid is monotone per output, as the softmax is for the ranking:
    // explanations start from the logit before it (Zennit and iNNvestigate explain the pre-activation too).
    g.replace(out, g.resolve(last.inputs[0]));
    notes.push(`final sigmoid "${last.name}" dropped: explanations start from the logits`);
  }
  for (const id of g.live()) {
    const node = g.nodes[id];
    if (node.kind === 'softmax') {
      throw new UserError(`node "${node.name}" (softmax) is not the final node; softmax is only supported at the output`, c.file);
    }
  }
  return endsWithSoftmax;
}

/** Step 2. The readers are found once and kept up to date as BatchNorms fold (once per BatchNorm was
 *  quadratic: 4,900 of them took 4 minutes). */
function foldBatchNorms(g: Rewrite, notes: string[], c: CanoniseContext): void {
  const readers = g.readers();
  for (const id of g.live()) {
    const node = g.nodes[id];
    if (node.kind !== 'batchNorm') continue;
    const source = g.resolve(node.inputs[0]);
    const producer = g.nodes[source];
    const params = { movingMean: node.mean, movingVariance: node.variance, gamma: node.gamma, beta: node.beta, epsilon: node.epsilon };
    const onlyReader = (readers.get(source) ?? []).length === 1;
    if ((producer.kind === 'dense' || producer.kind === 'conv2d') && onlyReader) {
      const folded = foldBatchNorm(producer.kernel, producer.bias, params);
      g.nodes[source] = { ...producer, kernel: c.keep(folded.kernel), bias: c.keep(folded.bias) } as LinearNode;
      g.replace(id, source);
      // The BatchNorm's readers now read its producer.
      readers.set(source, [...(readers.get(source) ?? []).filter((r) => r !== id), ...(readers.get(id) ?? [])]);
      notes.push(`BatchNormalization "${node.name}" folded into "${producer.name}"`);
    } else {
      const { scale, offset } = batchNormAffine(params);
      g.nodes[id] = { kind: 'affine', name: node.name, inputs: node.inputs, shape: node.shape, scale, offset };
      const why = producer.kind === 'dense' || producer.kind === 'conv2d' ? `other nodes also read "${producer.name}"` : `it follows a ${producer.kind} node`;
      notes.push(`BatchNormalization "${node.name}" kept as an affine map (${why})`);
    }
  }
}

/**
 * Step 3. transpose T → flatten R → Dense D, each the only reader of the one before: D's kernel rows are
 * permuted so that it reads R's input flattened as it is (row q of the new kernel is the row of the old one
 * that multiplied the value now at q), and T disappears. No transpose runs per call.
 */
function foldTransposedFlatten(g: Rewrite, notes: string[], c: CanoniseContext): void {
  const readers = g.readers();
  for (const id of g.live()) {
    const t = g.nodes[id];
    if (t.kind !== 'transpose') continue;
    const [r] = readers.get(id) ?? [];
    if ((readers.get(id) ?? []).length !== 1 || g.nodes[r].kind !== 'reshape' || g.nodes[r].shape.length !== 1) continue;
    const [d] = readers.get(r) ?? [];
    const dense = g.nodes[d];
    if ((readers.get(r) ?? []).length !== 1 || dense.kind !== 'dense') continue;
    const inputShape = g.nodes[g.resolve(t.inputs[0])].shape;
    const rows = sourceRows(inputShape, t.perm);
    g.nodes[d] = { ...dense, kernel: c.keep(permuteRows(dense.kernel, rows)) };
    g.nodes[r] = { ...g.nodes[r], inputs: [t.inputs[0]] };
    notes.push(`transpose "${t.name}" before flatten "${g.nodes[r].name}" folded into the rows of "${dense.name}"`);
  }
}

/**
 * kernel[rows[j]] as row j, for every j: tf.gather's result, but copied row by row in JS straight into the
 * new tensor's memory (tensorMemory.ts). On wasm tf.gather of VGG-11's 25088×4096 Dense kernel took ~3 s
 * of a 4.4 s load; a row copy is a memcpy.
 */
export function permuteRows(kernel: tf.Tensor2D, rows: ArrayLike<number>): tf.Tensor2D {
  const [inputs, outputs] = kernel.shape;
  if (rows.length !== inputs) throw new Error(`permuteRows: ${rows.length} rows for a kernel of ${inputs}`);
  return filledTensor([inputs, outputs], (out) => {
    const source = valuesOf(kernel);
    for (let j = 0; j < inputs; j++) out.set(source.subarray(rows[j] * outputs, (rows[j] + 1) * outputs), j * outputs);
  }) as tf.Tensor2D;
}

/**
 * For an input of `shape` transposed by `perm` and flattened: rows[j] = the flat position in the transposed
 * order of the input's flat element j (so new kernel row j = old row rows[j]).
 */
function sourceRows(shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const rows = new Array<number>(product(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let j = 0; j < rows.length; j++) {
    // index = the input position of flat element j.
    let rest = j;
    for (let a = 0; a < shape.length; a++) {
      index[a] = Math.floor(rest / inStrides[a]);
      rest %= inStrides[a];
    }
    rows[j] = perm.reduce((q, p, k) => q + index[p] * outStrides[k], 0);
  }
  return rows;
}

function strides(shape: number[]): number[] {
  return shape.map((_, a) => product(shape.slice(a + 1)));
}

/** Step 4: y = s ⊙ norm(x) + t with norm(x) = x̂ ⊙ γ + β is x̂ ⊙ (s·γ) + (s·β + t), per channel. */
function foldAffineIntoNorms(g: Rewrite): void {
  const readers = g.readers();
  for (const id of g.live()) {
    const node = g.nodes[id];
    if (node.kind !== 'affine') continue;
    const source = g.resolve(node.inputs[0]);
    const norm = g.nodes[source];
    if (norm.kind !== 'layerNorm' || (readers.get(source) ?? []).length !== 1) continue;
    const channels = norm.shape[norm.shape.length - 1];
    const at = (v: number[], c: number) => (v.length === 1 ? v[0] : v[c]);
    const perChannel = [norm.scale, norm.offset, node.scale, node.offset].some((v) => v.length > 1);
    const n = perChannel ? channels : 1;
    const scale = Array.from({ length: n }, (_, c) => at(node.scale, c) * at(norm.scale, c));
    const offset = Array.from({ length: n }, (_, c) => at(node.scale, c) * at(norm.offset, c) + at(node.offset, c));
    g.nodes[source] = { ...norm, scale, offset };
    g.replace(id, source);
  }
}

/** Step 5. */
function removeNoOps(g: Rewrite): void {
  for (const id of g.live()) {
    const node = g.nodes[id];
    const [source] = g.inputsOf(id);
    if (source === undefined) continue;
    const inputShape = g.nodes[source].shape;
    const sameShape = inputShape.length === node.shape.length && inputShape.every((d, i) => d === node.shape[i]);
    const noOp =
      (node.kind === 'reshape' && sameShape) ||
      (node.kind === 'transpose' && node.perm.every((p, k) => p === k)) ||
      (node.kind === 'affine' && node.scale.every((s) => s === 1) && node.offset.every((t) => t === 0)) ||
      (node.kind === 'concat' && node.inputs.length === 1);
    if (noOp) g.replace(id, source);
  }
}
