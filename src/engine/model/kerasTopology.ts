// Reads the Keras topology of a tfjs Layers model into a plain chain of layers, input first.
// Both spellings that exist on disk are read: tfjs `model.save()` puts {class_name, config} directly in
// `modelTopology`, the Python converter nests it under `model_config`. Sequential models are chains by
// construction; functional models (Model/Functional) are accepted when their layers form one chain.
// A Sequential or single-chain functional model nested inside another is flattened into the outer chain.
import { UserError } from '../errors';

/** One Keras layer as serialised: its class, its unique name and its config. */
export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

export interface KerasChain {
  /** Class of the outer model: Sequential, Model or Functional. */
  modelClass: string;
  /** Layers in the order data flows through them, nested models already flattened. */
  layers: KerasLayer[];
  /** Input shape without batch, from the first layer's batch_input_shape/batch_shape; null when not declared. */
  inputShape: number[] | null;
  /** Facts worth telling the user, e.g. that a nested model was flattened. */
  notes: string[];
}

type Json = Record<string, unknown>;

const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];

/** Reads the chain of layers from the model.json artifacts (`format` and `modelTopology`). */
export function readKerasChain(artifacts: { format?: string; modelTopology?: unknown }, file: string): KerasChain {
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
  const notes: string[] = [];
  const layers = flattenModel(model.class_name, model.config, file, notes);
  if (layers.length === 0) throw new UserError('the model has no layers', file);
  return { modelClass: model.class_name, layers, inputShape: declaredInputShape(layers[0]), notes };
}

/** The layers of a (possibly nested) model as one chain. */
function flattenModel(modelClass: string, config: unknown, file: string, notes: string[]): KerasLayer[] {
  const chain = modelClass === 'Sequential' ? sequentialLayers(config, file) : functionalChain(config, file);
  return chain.flatMap((layer) => {
    if (!MODEL_CLASSES.includes(layer.className)) return [layer];
    notes.push(`nested ${layer.className} "${layer.name}" was flattened into the outer model`);
    return flattenModel(layer.className, layer.config, file, notes);
  });
}

function sequentialLayers(config: unknown, file: string): KerasLayer[] {
  // Keras 1/2 wrote a Sequential's config as the bare list of layers, later versions as {name, layers}.
  const raw = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(raw)) throw new UserError('the Sequential model has no "layers" list', file);
  return raw.map((l) => toLayer(l, file));
}

function toLayer(raw: unknown, file: string): KerasLayer {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
    throw new UserError('a layer in the topology has no {class_name, config}', file);
  }
  const name = typeof raw.config.name === 'string' ? raw.config.name : typeof raw.name === 'string' ? raw.name : undefined;
  if (name === undefined) throw new UserError(`a ${raw.class_name} layer in the topology has no name`, file);
  return { className: raw.class_name, name, config: raw.config };
}

/**
 * Orders a functional model's layers by following the data from its single input to its single output,
 * and refuses anything that is not one chain: branches, merges, shared layers, several inputs or outputs.
 */
function functionalChain(config: unknown, file: string): KerasLayer[] {
  if (!isObject(config) || !Array.isArray(config.layers)) {
    throw new UserError('the functional model has no "layers" list', file);
  }
  const notChain = (why: string) =>
    new UserError(`the model is not a single chain of layers (${why}); only single-chain models are supported`, file);

  const layers = config.layers.map((raw) => toLayer(raw, file));
  const inbound = new Map<string, string[]>();
  config.layers.forEach((raw, i) => {
    const nodes = isObject(raw) && Array.isArray(raw.inbound_nodes) ? raw.inbound_nodes : [];
    if (nodes.length > 1) throw notChain(`layer "${layers[i].name}" is called ${nodes.length} times`);
    inbound.set(layers[i].name, nodes.length === 0 ? [] : inboundNames(nodes[0]));
  });

  const starts = layers.filter((l) => inbound.get(l.name)!.length === 0);
  if (starts.length !== 1) throw notChain(`it has ${starts.length} input layers`);
  const chain = [starts[0]];
  for (;;) {
    const current = chain[chain.length - 1].name;
    const next = layers.filter((l) => inbound.get(l.name)!.includes(current));
    if (next.length === 0) break;
    if (next.length > 1) throw notChain(`the output of layer "${current}" feeds ${next.length} layers`);
    const sources = inbound.get(next[0].name)!;
    if (sources.length > 1) throw notChain(`layer "${next[0].name}" has ${sources.length} inputs`);
    chain.push(next[0]);
  }
  if (chain.length !== layers.length) {
    const stray = layers.find((l) => !chain.includes(l))!;
    throw notChain(`layer "${stray.name}" is not on the path from the input`);
  }
  const outputs = layerRefs(config.output_layers);
  if (outputs.length > 1) throw notChain(`it has ${outputs.length} outputs`);
  if (outputs.length === 1 && outputs[0] !== chain[chain.length - 1].name) {
    throw notChain(`its output "${outputs[0]}" is not the end of the chain`);
  }
  return chain;
}

/**
 * Names of the layers feeding one inbound node. tfjs and Keras 2 write a node as a list of
 * [layerName, nodeIndex, tensorIndex, kwargs]; Keras 3 writes {args, kwargs} holding keras tensors whose
 * `keras_history` is [layerName, nodeIndex, tensorIndex].
 */
function inboundNames(node: unknown): string[] {
  if (Array.isArray(node)) {
    return node.filter((ref) => Array.isArray(ref) && typeof ref[0] === 'string').map((ref) => ref[0] as string);
  }
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      const history = isObject(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(history) && typeof history[0] === 'string') names.push(history[0]);
      else Object.values(v).forEach(walk);
    }
  };
  walk(node);
  return names;
}

/** `output_layers` is [[name, 0, 0], ...] or, in Keras 3 with one output, just [name, 0, 0]. */
function layerRefs(refs: unknown): string[] {
  if (!Array.isArray(refs)) return [];
  if (typeof refs[0] === 'string') return [refs[0]];
  return refs.filter((r) => Array.isArray(r) && typeof r[0] === 'string').map((r) => r[0] as string);
}

/** Shape without batch from `batch_input_shape` (tfjs, Keras 2) or `batch_shape` (Keras 3); null if unknown. */
function declaredInputShape(first: KerasLayer): number[] | null {
  const batchShape = first.config.batch_input_shape ?? first.config.batch_shape;
  if (!Array.isArray(batchShape) || batchShape.length < 2) return null;
  const shape = batchShape.slice(1);
  return shape.every((d) => Number.isInteger(d) && d > 0) ? (shape as number[]) : null;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
