// The API front ends build networks with (the node vocabulary and the layout are in nodes.ts):
//
//   const b = new GraphBuilder(modelFile);
//   try {
//     const x = b.input('input', [32, 32, 3]);
//     const c = b.add('conv1', { kind: 'conv2d', kernel, bias, strides: [2, 2], padding: [1, 1, 1, 1] }, [x]);
//     const r = b.add('relu1', { kind: 'relu' }, [c]);
//     ...
//     const { network, notes } = b.build(logits);
//   } catch (e) { b.dispose(); throw e; }
//
// Every `add` validates its spec against the shapes of its inputs (a UserError naming the node, its kind
// and the file) and returns a NodeRef carrying the inferred output shape, which later specs may need (an
// ONNX Reshape with 0 or −1, a Flatten). Names must be unique. Tensors in specs belong to the builder.
// Every node is also checked against the budgets (budgets.ts) before anything runs: its output for one
// image, the graph's activations together, the node count and the longest chain, so that no front end can
// make the engine allocate without bound (an ONNX Pad of 30,000, a ZeroPadding2D of 1e9, a huge card input).
import * as tf from '@tensorflow/tfjs';
import { checkBudget, countOf } from '../budgets';
import { UserError } from '../errors';
import { reportNodeBuilt } from '../jobs/loadProgress';
import { product } from '../layers/geometry';
import { LAYERS } from '../layers/index';
import type { CreateContext } from '../layers/layerKind';
import { canonise, type RawNode } from './canonise';
import { nodeWeights } from './weights';
import type { BuiltNetwork, NodeKind, NodeSpec } from './nodes';

/** A node of the graph being built. */
export interface NodeRef {
  readonly id: number;
  readonly name: string;
  /** Its output shape, without batch. */
  readonly shape: readonly number[];
}

/** Kinds that read several inputs; every other kind reads exactly one. */
const MULTI_INPUT = new Set<NodeSpec['kind']>(['add', 'concat', 'product']);

export class GraphBuilder {
  private readonly nodes: RawNode[] = [];
  private readonly names = new Set<string>();
  /** Every tensor handed over in a spec or made for a node. */
  private readonly tensors = new Set<tf.Tensor>();
  /** Per node, the longest chain of nodes from the input to it (the input counts 1). */
  private readonly depths: number[] = [];
  /** Values all nodes so far output for one image. */
  private activationValues = 0;
  private built = false;

  /** `file` is named in every error (the model file the front end reads). */
  constructor(private readonly file?: string) {}

  /** The model's one input, shape without batch ([h, w, c] or [n]); must come first. */
  input(name: string, shape: number[]): NodeRef {
    if (this.nodes.length > 0) throw this.error(`input "${name}": the model has more than one input; only one image input is supported`);
    if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw this.error(`input "${name}" has shape ${JSON.stringify(shape)}; [height, width, channels] or [n] of positive integers is needed`);
    }
    return this.push({ kind: 'input', name, inputs: [], shape: [...shape] }, `input "${name}"`);
  }

  /**
   * Adds a node reading `inputs` (in order); returns it with its output shape. `label` is how errors name
   * what the node comes from (default `node "<name>" (<kind>)`; a front end may say `layer "conv1" (Conv2D)`).
   */
  add(name: string, spec: NodeSpec, inputs: NodeRef[], label?: string): NodeRef {
    this.own(spec);
    const fail = (problem: string): never => {
      throw this.error(`${label ?? `node "${name}" (${spec.kind})`} ${problem}`);
    };
    if (this.built) throw new Error('GraphBuilder.add after build');
    if (this.nodes.length === 0) fail('comes before the input; call input() first');
    if (typeof name !== 'string' || name === '') throw this.error(`a ${spec.kind} node has no name`);
    if (this.names.has(name)) fail('has the name of another node; node names must be unique');
    if (inputs.length === 0) fail('has no inputs');
    for (const ref of inputs) {
      if (this.nodes[ref.id]?.name !== ref.name) fail(`reads "${ref.name}", which is not a node of this graph`);
    }
    if (!MULTI_INPUT.has(spec.kind) && inputs.length !== 1) fail(`has ${inputs.length} inputs; it takes one`);
    const nodeLabel = label ?? `node "${name}" (${spec.kind})`;
    const checkOutputShape = (shape: number[]) => checkBudget('nodeValues', countOf(shape), outputThing(shape, nodeLabel), this.file);
    const c: CreateContext = { inputShapes: inputs.map((ref) => [...ref.shape]), fail, checkOutputShape };
    const ids = inputs.map((ref) => ref.id);
    return this.push({ name, inputs: ids, ...this.create(spec, c) } as RawNode, nodeLabel);
  }

  /**
   * Canonises the graph (nodes.ts: identities removed, final softmax dropped, BatchNorms folded or made
   * affine, transpose→flatten→Dense folded, unused nodes dropped) and returns the network with `output`
   * as its logits. Tensors the network does not use are freed.
   */
  build(output: NodeRef): BuiltNetwork {
    if (this.built) throw new Error('GraphBuilder.build called twice');
    if (this.nodes[output.id]?.name !== output.name) throw this.error(`the output "${output.name}" is not a node of this graph`);
    const made: tf.Tensor[] = [];
    try {
      const built = canonise(this.nodes, output.id, { file: this.file, keep: (t) => (made.push(t), t) });
      this.built = true;
      const used = new Set(built.network.nodes.flatMap((n) => Object.values(nodeWeights(n))));
      for (const t of [...this.tensors, ...made]) if (!used.has(t)) t.dispose();
      return built;
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  }

  /** Frees every tensor handed to the builder; for a front end that gives up before `build`. */
  dispose(): void {
    if (this.built) return;
    this.built = true;
    for (const t of this.tensors) t.dispose();
  }

  /** The node's fields from its spec: the layer kind's `create`, or the builder-only kinds. */
  private create(spec: NodeSpec, c: CreateContext): Omit<RawNode, 'name' | 'inputs'> {
    const [shape] = c.inputShapes;
    switch (spec.kind) {
      case 'flatten':
        return LAYERS.reshape.create({ kind: 'reshape', shape: [product(shape)] }, c);
      case 'softmax':
      case 'identity':
        return { kind: spec.kind, shape };
      case 'batchNorm': {
        const channels = shape[shape.length - 1];
        for (const key of ['mean', 'variance', 'gamma', 'beta'] as const) {
          const t = spec[key];
          if (t && (t.rank !== 1 || t.shape[0] !== channels)) c.fail(`has ${key} of shape [${t.shape}]; one value per channel (${channels}) is needed`);
        }
        if (!(spec.epsilon >= 0)) c.fail(`has epsilon ${JSON.stringify(spec.epsilon)}; a number ≥ 0 is needed`);
        return { ...spec, shape };
      }
      default: {
        const kind = LAYERS[spec.kind as Exclude<NodeKind, 'input'>] as { create(s: NodeSpec, c: CreateContext): Omit<RawNode, 'name' | 'inputs'> };
        const fields = kind.create(spec, c);
        for (const v of Object.values(fields)) if (v instanceof tf.Tensor) this.tensors.add(v);
        return fields;
      }
    }
  }

  /**
   * Takes the tensors of `spec` into the builder's care (freed by dispose, or by build when unused) before
   * it is added: a front end holding a spec back (ONNX's pending Dense/Conv) leaks nothing if the load fails.
   */
  own(spec: NodeSpec): void {
    for (const v of Object.values(spec)) if (v instanceof tf.Tensor) this.tensors.add(v);
  }

  /** Adds `node` once it is within the budgets; `label` names it in a refusal. */
  private push(node: RawNode, label: string): NodeRef {
    checkBudget('graphNodes', this.nodes.length + 1, 'the graph', this.file);
    const depth = 1 + node.inputs.reduce((deepest, i) => Math.max(deepest, this.depths[i]), 0);
    checkBudget('graphDepth', depth, `the longest path from the input to ${label}`, this.file);
    const values = countOf(node.shape);
    checkBudget('nodeValues', values, outputThing(node.shape, label), this.file);
    checkBudget('activationValues', this.activationValues + values, `the output of every node up to ${label}`, this.file);
    this.activationValues += values;
    this.depths.push(depth);
    this.nodes.push(node);
    reportNodeBuilt();
    this.names.add(node.name);
    return { id: this.nodes.length - 1, name: node.name, shape: node.shape };
  }

  private error(message: string): UserError {
    return new UserError(message, this.file);
  }
}

/** "the output [1000000000,8,3] of node "up" (resize)", as a budget refusal names a node's output. */
function outputThing(shape: number[], label: string): string {
  return `the output [${shape.slice(0, 8)}${shape.length > 8 ? ',…' : ''}] of ${label}`;
}
