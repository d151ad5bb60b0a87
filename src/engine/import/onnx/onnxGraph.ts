// The ONNX graph walked node by node into the engine's graph (GraphBuilder), NCHW converted to the engine's
// NHWC once, here. Each ONNX tensor becomes a `Value`:
// - a constant (initializers, Constant nodes and everything computable from them, constants.ts), or
// - an activation: an engine node plus the tensor's ONNX dims (batch left out) and how the engine node
//   holds them. A 3-D (N, C, H, W) tensor is normally held "channels first" in ONNX terms, i.e. as the
//   engine's [H, W, C]; every other tensor is held "plain", in the ONNX order ([F] for a vector).
//   An op that needs the other representation converts its input (a transpose node, or a plain reshape
//   when the move does not change the memory order, as for 1×1 maps); Flatten/Reshape of a channels-first
//   map therefore becomes transpose → flatten (PyTorch flattens C, H, W), which the builder folds into the
//   rows of the Dense that reads it.
// - a pending Dense/Conv: a MatMul, or a Gemm/Conv without bias, whose only reader is an Add of a constant;
//   the constant becomes its bias (MatMul + Add is PyTorch's Linear at some opsets) instead of an affine
//   node, so the LRP rules see the bias where the model has it.
// - unavailable: the output of a node that could not be translated, or of one that reads such a tensor.
//   The walk goes on: a pattern may never need it (GELU's Erf), and when the graph's output does need it
//   the error names every failure at once (unsupported.ts).
// The walk knows no op: each node goes to the table of translators (ops/index.ts, one module per op or
// pattern), after constant folding (constants.ts) when every input is known at load.
import type * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { isUserError, UserError } from '../../errors';
import { cardPath } from '../../model/modelCard';
import { GraphBuilder, type NodeRef } from '../../graph/builder';
import type { BuiltNetwork, NodeSpec } from '../../graph/nodes';
import type { ImageShape } from '../../../protocol/model';
import { fromValues, size, type Constant, type FoldContext } from './constants';
import { toInt, type OnnxFile } from './onnxFile';
import { SUPPORTED_NAMES, translateNode } from './ops/index';
import { cannotOpen, type NodeFailure } from './unsupported';
import { tensorValues } from './onnxTensor';

export type Representation = 'channelsFirst' | 'plain';

export interface Activation {
  kind: 'activation';
  node: NodeRef;
  /** ONNX dims without the batch: [C, H, W] for an image tensor. */
  dims: number[];
  rep: Representation;
}

export interface PendingLinear {
  kind: 'pending';
  name: string;
  spec: Extract<NodeSpec, { kind: 'dense' | 'conv2d' | 'convTranspose' }>;
  input: NodeRef;
  dims: number[];
  rep: Representation;
}

/** A tensor that cannot be computed: the failures (of this node or those before it) it depends on. */
export interface Unavailable {
  kind: 'unavailable';
  failures: NodeFailure[];
}

export type Value = { kind: 'constant'; value: Constant } | Activation | PendingLinear | Unavailable;

export interface OnnxNetwork extends BuiltNetwork {
  /** How the model's image input is laid out: NCHW (PyTorch), NHWC (a TF export), or a flat vector. */
  inputLayout: 'NCHW' | 'NHWC' | 'flat';
  /** External data files the weights were read from (absolute paths). */
  externalFiles: string[];
}

/**
 * Builds the engine network of a decoded ONNX file. `inputShapeHint` ([h, w, c], from the model card)
 * fills in input dimensions the file leaves symbolic (height and width exported as dynamic axes).
 */
export function buildOnnxNetwork(onnxFile: OnnxFile, file: string, dir: string, inputShapeHint?: ImageShape): OnnxNetwork {
  const builder = new GraphBuilder(file);
  try {
    const walk = new OnnxWalk(onnxFile, file, dir, builder);
    const output = walk.run(inputShapeHint);
    const built = builder.build(output);
    return { ...built, notes: [...onnxFile.notes, ...walk.notes, ...built.notes], inputLayout: walk.inputLayout, externalFiles: [...walk.ctx.externalFiles] };
  } catch (e) {
    builder.dispose();
    throw e;
  }
}

export class OnnxWalk {
  readonly ctx: FoldContext;
  readonly notes: string[] = [];
  inputLayout: OnnxNetwork['inputLayout'] = 'NCHW';
  /** The input's batch size when the file fixes it (exported without a dynamic batch axis). */
  staticBatch?: number;
  private readonly values = new Map<string, Value>();
  private readonly initializers = new Map<string, onnx.ITensorProto>();
  /** How many nodes (and graph outputs) read each tensor. */
  readonly readers = new Map<string, number>();
  /** Reads of each initializer still to come (readDone). */
  private readonly initializerReads = new Map<string, number>();
  /** The node writing each tensor, for patterns that look back from their last node (ops/translator.ts). */
  private readonly producers = new Map<string, onnx.INodeProto>();
  private readonly positions = new Map<onnx.INodeProto, number>();
  private readonly usedNames = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  /** Converted representations of activations, so that two readers share one transpose. */
  private readonly converted = new Map<string, Activation>();

  constructor(
    readonly onnxFile: OnnxFile,
    readonly file: string,
    dir: string,
    readonly builder: GraphBuilder,
  ) {
    this.ctx = { file, dir, externalFiles: new Set(), opset: onnxFile.opset };
    for (const t of onnxFile.graph.initializer ?? []) if (t.name) this.initializers.set(t.name, t);
    const T = onnx.TensorProto.DataType;
    const widened = new Set((onnxFile.graph.initializer ?? []).flatMap((t) => (t.dataType === T.FLOAT16 ? ['float16'] : t.dataType === T.BFLOAT16 ? ['bfloat16'] : t.dataType === T.DOUBLE ? ['double'] : [])));
    if (widened.size > 0) this.notes.push(`${[...widened].join(' and ')} weights are computed in float32`);
    for (const node of onnxFile.graph.node ?? []) for (const name of node.input ?? []) if (name) this.readers.set(name, (this.readers.get(name) ?? 0) + 1);
    for (const out of onnxFile.graph.output ?? []) if (out.name) this.readers.set(out.name, (this.readers.get(out.name) ?? 0) + 1);
    (onnxFile.graph.node ?? []).forEach((node, i) => {
      this.positions.set(node, i);
      for (const name of node.output ?? []) if (name) this.producers.set(name, node);
    });
  }

  /** Translates every node; returns the engine node of the graph's output. */
  run(inputShapeHint?: ImageShape): NodeRef {
    this.defineInput(inputShapeHint);
    const nodes = this.onnxFile.graph.node ?? [];
    nodes.forEach((node, index) => this.translate(node, index));
    const outputs = (this.onnxFile.graph.output ?? []).filter((o) => o.name);
    if (outputs.length === 0) throw new UserError('the graph has no output', this.file);
    // A model returning (logits, features) is explained on its first output, as PyTorch users expect.
    if (outputs.length > 1) this.notes.push(`the graph has ${outputs.length} outputs (${outputs.map((o) => o.name).join(', ')}); the first, "${outputs[0].name}", is explained`);
    const result = this.lookup(outputs[0].name!, `the graph output "${outputs[0].name}"`);
    if (result.kind === 'unavailable') throw cannotOpen(result.failures, this.file, SUPPORTED_NAMES);
    return this.asVector(this.materialise(result, `the graph output "${outputs[0].name}"`), 'logits').node;
  }

  private defineInput(hint?: ImageShape): void {
    const graph = this.onnxFile.graph;
    const inputs = (graph.input ?? []).filter((i) => i.name && !this.initializers.has(i.name));
    if (inputs.length !== 1) {
      throw new UserError(
        `the graph has ${inputs.length} inputs${inputs.length ? ` (${inputs.map((i) => i.name).join(', ')})` : ''}; one image input is needed`,
        this.file,
      );
    }
    const input = inputs[0];
    const name = input.name!;
    const tensorType = input.type?.tensorType;
    const elemType = tensorType?.elemType ?? 0;
    const T = onnx.TensorProto.DataType;
    if (![T.FLOAT, T.FLOAT16, T.DOUBLE, T.BFLOAT16].includes(elemType)) {
      throw new UserError(`input "${name}" is not a float tensor (type ${elemType}); an image input of floats is needed`, this.file);
    }
    const dims = (tensorType?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && toInt(d.dimValue) > 0 ? toInt(d.dimValue) : null));
    const shown = (tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toInt(d.dimValue)));
    if (dims.length !== 4 && dims.length !== 2) {
      throw new UserError(`input "${name}" has shape [${shown}]; an image batch [N, C, H, W] (or [N, H, W, C], or [N, features]) is needed`, this.file);
    }
    if (dims[0] !== null) this.staticBatch = dims[0];
    const nhwc = dims.length === 4 && this.readByChannelsLastTranspose(name);
    const rest = dims.slice(1);
    if (rest.some((d) => d === null)) {
      if (!hint) {
        throw new UserError(
          `input "${name}" has dynamic dimensions [${shown}]; add a model card with "inputShape": [height, width, channels]`,
          this.file,
        );
      }
      const [h, w, c] = hint;
      const fromHint = dims.length === 2 ? [h * w * c] : nhwc ? [h, w, c] : [c, h, w];
      rest.forEach((d, i) => {
        if (d !== null && d !== fromHint[i]) {
          throw new UserError(`field "inputShape" [${hint}] does not fit input "${name}" of shape [${shown}] of ${this.file}; give the input's size`, cardPath(this.file));
        }
      });
      rest.splice(0, rest.length, ...fromHint);
    }
    const onnxDims = rest as number[];
    if (dims.length === 2) {
      this.inputLayout = 'flat';
      this.values.set(name, { kind: 'activation', node: this.builder.input(name, onnxDims), dims: onnxDims, rep: 'plain' });
    } else if (nhwc) {
      this.inputLayout = 'NHWC';
      this.values.set(name, { kind: 'activation', node: this.builder.input(name, onnxDims), dims: onnxDims, rep: 'plain' });
    } else {
      const [c, h, w] = onnxDims;
      this.values.set(name, { kind: 'activation', node: this.builder.input(name, [h, w, c]), dims: onnxDims, rep: 'channelsFirst' });
    }
  }

  /** A TF/Keras export feeds NHWC images and transposes them to NCHW first: perm [0, 3, 1, 2]. */
  private readByChannelsLastTranspose(name: string): boolean {
    const readers = (this.onnxFile.graph.node ?? []).filter((n) => n.input?.includes(name));
    return (
      readers.length > 0 &&
      readers.every((n) => n.opType === 'Transpose' && JSON.stringify(n.attribute?.find((a) => a.name === 'perm')?.ints?.map(toInt)) === '[0,3,1,2]')
    );
  }

  private translate(node: onnx.INodeProto, index: number): void {
    const what = describeNode(node, index);
    const inputs = (node.input ?? []).map((name) => (name ? this.lookup(name, what) : undefined));
    /** The node's outputs become unavailable: after a failure of its own, or of a node it reads. */
    const fail = (e: unknown, unknownOp = false) => {
      if (!isUserError(e)) throw e;
      // A node whose op no translator knows fails on its own account; any other fails because of its inputs
      // when one of them is unavailable.
      const upstream = inputs.flatMap((v) => (v?.kind === 'unavailable' ? v.failures : []));
      const own = { index, op: node.opType ?? '', error: e, unknownOp };
      const failures = [...new Set(upstream.length && !unknownOp ? upstream : [...upstream, own])];
      for (const name of node.output ?? []) if (name) this.values.set(name, { kind: 'unavailable', failures });
    };
    if (node.domain && node.domain !== 'ai.onnx') {
      fail(new UserError(`${what} is from the operator domain "${node.domain}", which is not supported; only standard ONNX ops are`, this.file));
      return;
    }
    let outputs: Array<Value | undefined> | null;
    try {
      outputs = translateNode(this, node, inputs, what, this.uniqueName(node, index));
    } catch (e) {
      fail(e);
      return;
    }
    this.readDone(node);
    if (!outputs) {
      fail(new UserError(`${what} is not supported`, this.file), true);
      return;
    }
    (node.output ?? []).forEach((name, i) => {
      if (!name) return;
      const v = outputs[i];
      if (v) this.values.set(name, v);
      else if ((this.readers.get(name) ?? 0) > 0) {
        this.values.set(name, {
          kind: 'unavailable',
          failures: [{ index, op: node.opType ?? '', error: new UserError(`${what}: its output ${i + 1} ("${name}") is used, which is not supported`, this.file), unknownOp: false }],
        });
      }
    });
  }

  /**
   * Forgets the decoded values of the initializers `node` was the last reader of: the translation copied
   * what it keeps into tensors, and a large model's weights would otherwise stay decoded in JS until the
   * whole graph is read (AlexNet: 244 MB beside the file's own 244 MB and the wasm copies).
   */
  private readDone(node: onnx.INodeProto): void {
    for (const name of node.input ?? []) {
      if (!name || !this.initializers.has(name)) continue;
      const left = (this.initializerReads.get(name) ?? this.readers.get(name) ?? 1) - 1;
      this.initializerReads.set(name, left);
      if (left <= 0) this.values.delete(name);
    }
  }

  /** The value of a tensor by name: translated before, or an initializer (decoded on first use). */
  lookup(name: string, reader: string): Value {
    const known = this.values.get(name);
    if (known) return known;
    const init = this.initializers.get(name);
    if (init) {
      const value: Value = { kind: 'constant', value: fromValues(tensorValues(init, `initializer "${name}"`, this.ctx)) };
      this.values.set(name, value);
      return value;
    }
    throw new UserError(`${reader} reads "${name}", which no node, initializer or input produces (the nodes are not in topological order?)`, this.file);
  }

  /** An activation input, with a pending Dense/Conv materialised. */
  activation(name: string, reader: string): Activation {
    const v = this.lookup(name, reader);
    return this.materialise(v, reader);
  }

  materialise(v: Value, reader: string): Activation {
    if (v.kind === 'activation') return v;
    if (v.kind === 'unavailable') throw new UserError(`${reader} reads a tensor that could not be computed`, this.file);
    if (v.kind === 'pending') {
      const node = this.builder.add(v.name, v.spec, [v.input]);
      return { kind: 'activation', node, dims: v.dims, rep: v.rep };
    }
    throw new UserError(`${reader} computes on constants only, in a way that cannot be evaluated at load time`, this.file);
  }

  /**
   * The node that writes tensor `name` (undefined for the input, initializers and unknown names); with `ops`,
   * only when its op is one of them (what a pattern looks back for).
   */
  producer(name: string | undefined, ...ops: string[]): onnx.INodeProto | undefined {
    const p = name ? this.producers.get(name) : undefined;
    return p && (ops.length === 0 || ops.includes(p.opType ?? '')) ? p : undefined;
  }

  /** A node's position in the graph's node list (topological order). */
  indexOf(node: onnx.INodeProto): number {
    return this.positions.get(node) ?? -1;
  }

  /** The value of tensor `name` if it is known by now (translated before, or an initializer), else undefined. */
  peek(name: string): Value | undefined {
    return this.values.has(name) || this.initializers.has(name) ? this.lookup(name, `"${name}"`) : undefined;
  }

  /** The nodes that read tensor `name`, in graph order. */
  readersOf(name: string): onnx.INodeProto[] {
    return (this.onnxFile.graph.node ?? []).filter((n) => n.input?.includes(name));
  }

  readerCount(name: string): number {
    return this.readers.get(name) ?? 0;
  }

  isGraphOutput(name: string): boolean {
    return (this.onnxFile.graph.output ?? []).some((o) => o.name === name);
  }

  add(name: string, spec: NodeSpec, inputs: NodeRef[]): NodeRef {
    return this.builder.add(this.claim(name), spec, inputs);
  }

  /** `a` held channels first ([C, H, W] as the engine's [H, W, C]): what convolutions and pools read. */
  asChannelsFirst(a: Activation, reader: string): Activation {
    if (a.dims.length !== 3) {
      throw new UserError(`${reader} needs an image tensor [N, C, H, W] but gets one of shape [N, ${a.dims}]`, this.file);
    }
    if (a.rep === 'channelsFirst') return a;
    return this.convert(a, 'channelsFirst', [1, 2, 0]);
  }

  /** `a` held in ONNX order (what Flatten, Reshape and vectors need). */
  asPlain(a: Activation): Activation {
    if (a.rep === 'plain') return a;
    return this.convert(a, 'plain', [2, 0, 1]);
  }

  /** The same values as one vector in ONNX order. */
  asVector(a: Activation, name: string): Activation {
    if (a.dims.length === 1) return this.asPlain(a);
    const n = size(a.dims);
    // Flattening a channels-first map reads it in C, H, W order: transpose first (folded into a Dense).
    const source = a.rep === 'channelsFirst' && !sameMemoryOrder([2, 0, 1], engineShape(a)) ? this.asPlain(a) : a;
    const node = this.add(`${name}/flatten`, { kind: 'flatten' }, [source.node]);
    return { kind: 'activation', node, dims: [n], rep: 'plain' };
  }

  /** `a` in representation `rep`; `perm` takes the engine's axes of `a` to those of the result. */
  private convert(a: Activation, rep: Representation, perm: number[]): Activation {
    const key = `${a.node.name}\u0000${rep}`;
    const cached = this.converted.get(key);
    if (cached) return cached;
    const from = engineShape(a);
    const shape = perm.map((p) => from[p]);
    const spec: NodeSpec = sameMemoryOrder(perm, from) ? { kind: 'reshape', shape } : { kind: 'transpose', perm };
    const node = this.add(`${a.node.name}/${rep === 'plain' ? 'to-nchw' : 'to-nhwc'}`, spec, [a.node]);
    const result: Activation = { kind: 'activation', node, dims: a.dims, rep };
    this.converted.set(key, result);
    return result;
  }

  private uniqueName(node: onnx.INodeProto, index: number): string {
    return node.name || node.output?.find((o) => o) || `${node.opType}_${index}`;
  }

  /** A node name not used before (ONNX node names may be empty or repeated). The next suffix to try is kept
   *  per name: 9,000 nodes of one name took 13 s when each started from _2. */
  private claim(name: string): string {
    let candidate = name;
    let k = this.nextSuffix.get(name) ?? 2;
    while (this.usedNames.has(candidate)) candidate = `${name}_${k++}`;
    this.nextSuffix.set(name, k);
    this.usedNames.add(candidate);
    return candidate;
  }
}

/** The engine's shape of an activation. */
export function engineShape(a: Pick<Activation, 'dims' | 'rep'>): number[] {
  if (a.rep === 'plain') return [...a.dims];
  const [c, h, w] = a.dims;
  return [h, w, c];
}

/** For each engine axis, the (batch-free) ONNX axis it holds. */
export function engineToOnnx(rep: Representation, rank: number): number[] {
  return rep === 'channelsFirst' ? [1, 2, 0] : Array.from({ length: rank }, (_, i) => i);
}

/** Whether transposing a tensor of shape `from` by `perm` keeps its memory order: only axes of size 1 move. */
export function sameMemoryOrder(perm: number[], from: number[]): boolean {
  const moved = perm.filter((p) => from[p] !== 1);
  return moved.every((p, i) => i === 0 || p > moved[i - 1]);
}

export function describeNode(node: onnx.INodeProto, index: number): string {
  const label = node.name || node.output?.find((o) => o) || `#${index}`;
  return `node "${label}" (${node.opType})`;
}

/** A float constant's data as a tensor-ready Float32Array with its dims, or a UserError naming `what`. */
export function floatConstant(v: Value | undefined, what: string, file: string): { dims: number[]; data: Float32Array } {
  if (!v || v.kind !== 'constant') throw new UserError(`${what} must be a constant (an initializer), not computed by the graph`, file);
  const c = v.value;
  if (c.type === 'float') return c;
  if (c.data.some((d) => d === null)) throw new UserError(`${what} depends on the batch size`, file);
  return { dims: c.dims, data: Float32Array.from(c.data as number[]) };
}

export type { tf };
