// Loads a tfjs Layers model from disk into the engine's Network, with its model card.
// Steps: read the files (diskIOHandler) → read the Keras graph of layer calls (import/tfjs/kerasTopology)
// → decode the weights and translate the calls into graph nodes (import/tfjs/translate, the GraphBuilder
// canonises) → read the card (modelCard).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { nodeWeights } from '../graph/weights';
import { readKerasGraph, type KerasGraph } from '../import/tfjs/kerasTopology';
import { LayerWeights } from '../import/tfjs/layerWeights';
import { translateKeras } from '../import/tfjs/translate';
import type { Network } from '../types';
import type { ModelCard } from '../../protocol/model';
import { diskIOHandler } from './diskIOHandler';
import { readCardFile, readCardReport, type CardReport } from './modelCard';

export interface LoadedModel {
  network: Network;
  card: ModelCard;
  modelJsonPath: string;
  /** What loading changed or assumed: folded BatchNorms, a dropped final softmax, inlined nested models. */
  notes: string[];
  /** The card file read (null: none), its fields not used, and the defaults it left to assume. */
  cardReport: Omit<CardReport, 'card'>;
}

/**
 * Reads `modelJsonPath` (a tfjs Layers model.json with its weight shards, and card.json beside it if
 * present). `cardOverrides` replace fields of the card. Problems the user can fix are UserErrors.
 */
export async function loadModel(modelJsonPath: string, cardOverrides: Partial<ModelCard> = {}): Promise<LoadedModel> {
  const artifacts = await diskIOHandler(modelJsonPath).load();
  const decoded = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  const { network, notes } = buildKerasNetwork(artifacts, decoded, modelJsonPath, cardOverrides);
  try {
    const { card, ...cardReport } = readCardReport(modelJsonPath, network, cardOverrides);
    return { network, card, modelJsonPath, notes, cardReport };
  } catch (e) {
    network.dispose();
    throw e;
  }
}

/**
 * The network of a Keras model config (`modelTopology`: a model.json's, or a .keras/.h5 file's, see
 * import/keras) and its weights named "<layer>/<key>". Takes ownership of `decoded`: the network keeps
 * the weights it uses, the rest (unused weights, BatchNorm parameters once folded, kernels and biases
 * that folding replaced) are freed, also when building fails.
 */
export function buildKerasNetwork(
  artifacts: { format?: string; modelTopology?: unknown },
  decoded: tf.NamedTensorMap,
  file: string,
  cardOverrides: Partial<ModelCard> = {},
): { network: Network; notes: string[] } {
  let built;
  let graph: KerasGraph | undefined;
  try {
    graph = readKerasGraph(artifacts, file);
    const weights = new LayerWeights(decoded, file);
    const inputShape = graph.input.shape ?? undeclaredInputShape(graph, weights, file, cardOverrides);
    built = translateKeras(graph, inputShape, weights, file);
  } finally {
    const used = new Set(built?.network.nodes.flatMap((n) => Object.values(nodeWeights(n))) ?? []);
    for (const t of Object.values(decoded)) if (!used.has(t)) t.dispose();
  }
  return { network: built.network, notes: [...graph.notes, ...built.notes] };
}

/**
 * The input shape of a model whose first layer declares none: a leading Dense tells it by its kernel,
 * otherwise the card must say it.
 */
function undeclaredInputShape(graph: KerasGraph, weights: LayerWeights, modelJsonPath: string, cardOverrides: Partial<ModelCard>): number[] {
  const first = graph.calls.find((c) => c.layer.className !== 'Dropout')?.layer;
  if (first?.className === 'Dense') {
    const kernel = weights.find(first, 'kernel');
    if (kernel?.rank === 2) return [kernel.shape[0]];
  }
  const fromCard = cardOverrides.inputShape ?? readCardFile(modelJsonPath)?.inputShape;
  if (fromCard) return [...fromCard];
  throw new UserError(
    'declares no input shape (no batch_input_shape on its first layer); add a card.json beside it with "inputShape": [height, width, channels]',
    modelJsonPath,
  );
}
