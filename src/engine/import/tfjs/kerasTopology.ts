// Reads the Keras topology of a model (tfjs Layers model.json; the same JSON Keras writes) into a graph of
// layer calls in data-flow order. Both spellings on disk are read: tfjs `model.save()` puts
// {class_name, config} in `modelTopology`, the Python converter nests it under `model_config`. Sequential
// models are chains; functional models (Model/Functional) may branch and merge, call a layer several times
// (a shared layer: one call per inbound node) and contain other models, which are inlined where they are
// called. Inbound nodes are read in the tfjs / Keras 2 spelling ([layer, node, tensor, kwargs] lists) and in
// Keras 3's ({args, kwargs} holding tensors whose keras_history is [layer, node, tensor]).
import { checkBudget } from '../../budgets';
import { shown, UserError } from '../../errors';

/** One Keras layer as serialised: its class, its name and its config. */
export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** Serialised by Keras 3 (its layers carry a `module`): some activations changed meaning (hard_sigmoid). */
  keras3?: boolean;
}

/** One call of a layer: what the graph gets a node (or a few) for. */
export interface KerasCall {
  /** Unique in the graph: the layer's name, with `@k` for the k-th further call of a shared layer. */
  name: string;
  layer: KerasLayer;
  /** The calls (by name) or the model input whose outputs this call reads, in order. */
  inputs: string[];
}

export interface KerasGraph {
  /** Class of the outer model: Sequential, Model or Functional. */
  modelClass: string;
  /** The model's input: its name, and its shape without batch (null when not declared). */
  input: { name: string; shape: number[] | null };
  /** Every layer call in data-flow order, nested models inlined, InputLayers left out. */
  calls: KerasCall[];
  /** The call (or the input) whose output is the model's output. */
  output: string;
  /** Facts worth telling the user, e.g. that a nested model was flattened into the outer one. */
  notes: string[];
}

type Json = Record<string, unknown>;

const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];

/** Reads the graph of layer calls from the model.json artifacts (`format` and `modelTopology`). */
export function readKerasGraph(artifacts: { format?: string; modelTopology?: unknown }, file: string): KerasGraph {
  const topology = artifacts.modelTopology;
  if (artifacts.format === 'graph-model' || (isObject(topology) && ('node' in topology || 'versions' in topology))) {
    throw new UserError(
      'holds a TensorFlow graph model, not a Keras Layers model; convert the model with --output_format=tfjs_layers_model',
      file,
    );
  }
  const model = isObject(topology) && isObject(topology.model_config) ? topology.model_config : topology;
  if (!isObject(model) || typeof model.class_name !== 'string' || model.config === undefined) {
    throw new UserError('is not a Keras Layers model: "modelTopology" has no {class_name, config}', file);
  }
  if (!MODEL_CLASSES.includes(model.class_name)) {
    throw new UserError(`is not a Keras Layers model: its model class is "${model.class_name}"`, file);
  }
  const reader = new GraphReader(file);
  const [output] = reader.model(model.class_name, model.config, null, 'the model');
  if (reader.calls.length === 0) throw new UserError('the model has no layers', file);
  return { modelClass: model.class_name, input: reader.input!, calls: reader.calls, output, notes: reader.notes };
}

class GraphReader {
  readonly calls: KerasCall[] = [];
  readonly notes: string[] = [];
  input?: { name: string; shape: number[] | null };
  private readonly used = new Set<string>();
  /** How often each layer has been called so far (for the names of further calls). */
  private readonly callCount = new Map<string, number>();

  constructor(private readonly file: string) {}

  /**
   * Adds the calls of a model applied to `inputs` (names of what feeds its inputs; null for the outer
   * model, whose input becomes the graph's input). Returns the names of its outputs.
   */
  model(modelClass: string, config: unknown, inputs: string[] | null, what: string): string[] {
    return modelClass === 'Sequential' ? this.sequential(config, inputs, what) : this.functional(config, inputs, what);
  }

  private sequential(config: unknown, inputs: string[] | null, what: string): string[] {
    // Keras 1/2 wrote a Sequential's config as the bare list of layers, later versions as {name, layers}.
    const raw = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
    if (!Array.isArray(raw)) throw this.error(`${what} (Sequential) has no "layers" list`);
    const layers = raw.map((l) => this.toLayer(l));
    let current: string;
    if (inputs) {
      if (inputs.length !== 1) throw this.error(`${what} (Sequential) is called with ${inputs.length} inputs`);
      current = inputs[0];
    } else {
      const first = layers[0];
      if (!first) throw this.error('the model has no layers');
      const name = first.className === 'InputLayer' ? first.name : 'input';
      current = this.setInput(name, first ? declaredShape(first) : null);
    }
    for (const layer of layers) {
      if (layer.className === 'InputLayer') continue;
      current = MODEL_CLASSES.includes(layer.className) ? this.nested(layer, [current])[0] : this.call(layer, [current]);
    }
    return [current];
  }

  /** Follows a functional model's inbound nodes from its outputs back to its inputs. */
  private functional(config: unknown, inputs: string[] | null, what: string): string[] {
    if (!isObject(config) || !Array.isArray(config.layers)) throw this.error(`${what} (functional) has no "layers" list`);
    const entries = config.layers.map((raw) => ({ layer: this.toLayer(raw), nodes: inboundNodes(raw), offset: 0 }));
    const byName = new Map(entries.map((e) => [e.layer.name, e]));
    const inputRefs = tensorRefs(config.input_layers);
    const outputRefs = tensorRefs(config.output_layers);
    // tfjs numbers the calls of a nested model from 1 (its call 0 is the model's own graph, not listed in
    // inbound_nodes); Keras renumbers them from 0. Read from the highest call the model refers to.
    const highest = new Map<string, number>();
    for (const refs of [...entries.flatMap((e) => e.nodes), outputRefs]) {
      for (const r of refs) highest.set(r.layer, Math.max(highest.get(r.layer) ?? -1, r.node));
    }
    for (const e of entries) {
      const top = highest.get(e.layer.name) ?? -1;
      if (MODEL_CLASSES.includes(e.layer.className) && top >= e.nodes.length) e.offset = top - (e.nodes.length - 1);
    }
    if (inputRefs.length === 0) throw this.error(`${what} declares no input_layers`);
    if (outputRefs.length === 0) throw this.error(`${what} declares no output_layers`);
    if (!inputs && inputRefs.length !== 1) throw this.error(`the model has ${inputRefs.length} inputs; only one image input is supported`);
    if (!inputs && outputRefs.length !== 1) throw this.error(`the model has ${outputRefs.length} outputs; only one output (the logits) is supported`);
    if (inputs && inputs.length !== inputRefs.length) throw this.error(`${what} has ${inputRefs.length} inputs but is called with ${inputs.length}`);

    // Each tensor "layer:node:tensor" of this model gets the name of the graph value that carries it.
    const values = new Map<string, string>();
    inputRefs.forEach((ref, k) => {
      const entry = byName.get(ref.layer);
      if (!entry) throw this.error(`${what}'s input "${ref.layer}" is not one of its layers`);
      values.set(key(ref), inputs ? inputs[k] : this.setInput(entry.layer.name, declaredShape(entry.layer)));
    });
    // Depth-first from each output back to the inputs, with an explicit stack (a chain of 10,000 layers is
    // 10,000 levels deep): a layer call is made once all the tensors it reads have names.
    const visiting = new Set<string>();
    const resolve = (target: TensorRef): string => {
      const done = values.get(key(target));
      if (done !== undefined) return done;
      const stack = [this.frame(target, byName, visiting, values, what)];
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame.sources.length < frame.reads.length) {
          const next = frame.reads[frame.sources.length];
          const known = values.get(key(next));
          if (known !== undefined) frame.sources.push(known);
          else stack.push(this.frame(next, byName, visiting, values, what));
          continue;
        }
        stack.pop();
        const { ref, entry } = frame;
        const outputs = MODEL_CLASSES.includes(entry.layer.className) ? this.nested(entry.layer, frame.sources) : [this.call(entry.layer, frame.sources)];
        outputs.forEach((name, t) => values.set(key({ layer: ref.layer, node: ref.node, tensor: t }), name));
        const out = values.get(key(ref));
        if (out === undefined) throw this.error(`layer "${ref.layer}" has no output ${ref.tensor}`);
        if (stack.length === 0) return out;
        stack[stack.length - 1].sources.push(out);
      }
    };
    return outputRefs.map(resolve);
  }

  /** One layer call waiting for the names of the tensors it reads (the walk of `functional`). */
  private frame(ref: TensorRef, byName: Map<string, LayerEntry>, visiting: Set<string>, values: Map<string, string>, what: string): CallFrame {
    const entry = byName.get(ref.layer);
    if (!entry) throw this.error(`a layer of ${what} reads ${shown(ref.layer)}, which is not one of its layers`);
    const reads = entry.nodes[ref.node - entry.offset];
    if (reads === undefined) throw this.error(`layer ${shown(ref.layer)} is read from its call ${ref.node}, which the topology does not have`);
    if (entry.layer.className === 'InputLayer') throw this.error(`input layer ${shown(ref.layer)} is not among ${what}'s input_layers`);
    const call = `${ref.layer}:${ref.node}`;
    if (values.has(key({ ...ref, tensor: 0 }))) throw this.error(`layer ${shown(ref.layer)} has no output ${ref.tensor}`);
    if (visiting.has(call)) throw this.error(`layer ${shown(ref.layer)} depends on its own output`);
    visiting.add(call);
    return { ref, entry, reads, sources: [] };
  }

  /** A model used as a layer: its calls inlined, fed by `inputs`. */
  private nested(layer: KerasLayer, inputs: string[]): string[] {
    this.notes.push(`nested ${layer.className} "${layer.name}" was flattened into the outer model`);
    return this.model(layer.className, layer.config, inputs, `nested model "${layer.name}"`);
  }

  private call(layer: KerasLayer, inputs: string[]): string {
    // A nested model called twice inlines its calls twice: nesting can multiply a small file's calls.
    checkBudget('graphNodes', this.calls.length + 1, 'the model\'s layer calls (nested models inlined)', this.file);
    const count = this.callCount.get(layer.name) ?? 0;
    this.callCount.set(layer.name, count + 1);
    let name = count === 0 ? layer.name : `${layer.name}@${count}`;
    while (this.used.has(name)) name = `${name}'`;
    this.used.add(name);
    this.calls.push({ name, layer, inputs });
    return name;
  }

  private setInput(name: string, shape: number[] | null): string {
    if (this.input) throw this.error('the model has more than one input; only one image input is supported');
    this.input = { name, shape };
    this.used.add(name);
    return name;
  }

  private toLayer(raw: unknown): KerasLayer {
    if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
      throw this.error('a layer in the topology has no {class_name, config}');
    }
    const name = typeof raw.config.name === 'string' ? raw.config.name : typeof raw.name === 'string' ? raw.name : undefined;
    if (name === undefined) throw this.error(`a ${raw.class_name} layer in the topology has no name`);
    return { className: raw.class_name, name, config: raw.config, keras3: typeof raw.module === 'string' };
  }

  private error(message: string): UserError {
    return new UserError(message, this.file);
  }
}

interface LayerEntry {
  layer: KerasLayer;
  nodes: TensorRef[][];
  offset: number;
}

interface CallFrame {
  ref: TensorRef;
  entry: LayerEntry;
  /** The tensors the call reads, and the names found for them so far (in order). */
  reads: TensorRef[];
  sources: string[];
}

interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

function key(ref: TensorRef): string {
  return `${ref.layer}:${ref.node}:${ref.tensor}`;
}

/** Per call of a layer, the tensors it reads. */
function inboundNodes(raw: unknown): TensorRef[][] {
  const nodes = isObject(raw) && Array.isArray(raw.inbound_nodes) ? raw.inbound_nodes : [];
  return nodes.map(nodeRefs);
}

/**
 * The tensors one inbound node reads. tfjs and Keras 2 write a node as a list of
 * [layerName, nodeIndex, tensorIndex, kwargs]; Keras 3 writes {args, kwargs} holding keras tensors whose
 * `keras_history` is [layerName, nodeIndex, tensorIndex] (a merge layer's args are one list of them).
 */
function nodeRefs(node: unknown): TensorRef[] {
  if (Array.isArray(node) && node.every((ref) => Array.isArray(ref) && typeof ref[0] === 'string')) {
    return node.map((ref) => asRef(ref as unknown[]));
  }
  const refs: TensorRef[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      const history = isObject(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(history) && typeof history[0] === 'string') refs.push(asRef(history));
      else Object.values(v).forEach(walk);
    }
  };
  walk(isObject(node) && 'args' in node ? node.args : node);
  return refs;
}

function asRef(ref: unknown[]): TensorRef {
  return { layer: ref[0] as string, node: typeof ref[1] === 'number' ? ref[1] : 0, tensor: typeof ref[2] === 'number' ? ref[2] : 0 };
}

/** `input_layers` / `output_layers`: [[name, node, tensor], ...] or, in Keras 3 with one entry, [name, node, tensor]. */
function tensorRefs(refs: unknown): TensorRef[] {
  if (!Array.isArray(refs)) return [];
  if (typeof refs[0] === 'string') return [asRef(refs)];
  return refs.filter((r) => Array.isArray(r) && typeof r[0] === 'string').map((r) => asRef(r as unknown[]));
}

/**
 * Shape without batch from `batch_input_shape` (tfjs, Keras 2) or `batch_shape` (Keras 3); null if unknown.
 * A nested Sequential's is its first layer's.
 */
function declaredShape(layer: KerasLayer): number[] | null {
  if (layer.className === 'Sequential') {
    const layers = Array.isArray(layer.config) ? layer.config : layer.config.layers;
    const first = Array.isArray(layers) ? layers[0] : undefined;
    return isObject(first) && isObject(first.config) && typeof first.class_name === 'string'
      ? declaredShape({ className: first.class_name, name: '', config: first.config })
      : null;
  }
  const batchShape = layer.config.batch_input_shape ?? layer.config.batch_shape;
  if (!Array.isArray(batchShape) || batchShape.length < 2) return null;
  const shape = batchShape.slice(1);
  return shape.every((d) => Number.isInteger(d) && d > 0) ? (shape as number[]) : null;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
