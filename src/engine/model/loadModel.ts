// Loads a tfjs Layers model from disk into the engine's canonised Network, with its model card.
// Steps: read the files (diskIOHandler) → read the Keras chain (kerasTopology) → decode the weights and
// canonise (canonise, foldBatchNorm) → read the card (modelCard).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { ModelCard, NetLayer, Network } from '../types';
import { canonise } from './canonise';
import { diskIOHandler } from './diskIOHandler';
import { readKerasChain, type KerasChain } from './kerasTopology';
import { LayerWeights } from './layerWeights';
import { readCard, readCardFile } from './modelCard';

export interface LoadedModel {
  network: Network;
  card: ModelCard;
  modelJsonPath: string;
  /** What loading changed or assumed: folded BatchNorms, a dropped final softmax, flattened nested models. */
  notes: string[];
}

/**
 * Reads `modelJsonPath` (a tfjs Layers model.json with its weight shards, and card.json beside it if
 * present). `cardOverrides` replace fields of the card. Problems the user can fix are UserErrors.
 */
export async function loadModel(modelJsonPath: string, cardOverrides: Partial<ModelCard> = {}): Promise<LoadedModel> {
  const artifacts = await diskIOHandler(modelJsonPath).load();
  const named = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  const { network, notes } = buildKerasNetwork(artifacts, named, modelJsonPath, cardOverrides);
  try {
    const card = readCard(modelJsonPath, network, cardOverrides);
    return { network, card, modelJsonPath, notes };
  } catch (e) {
    network.dispose();
    throw e;
  }
}

/**
 * The network of a Keras model config (`modelTopology`: a model.json's, or a .keras/.h5 file's) with its
 * weights named "<layer>/<key>". Takes ownership of `named`: weights the network does not keep are freed.
 */
export function buildKerasNetwork(
  artifacts: { format?: string; modelTopology?: unknown },
  named: tf.NamedTensorMap,
  file: string,
  cardOverrides: Partial<ModelCard> = {},
): { network: Network; notes: string[] } {
  let chain: KerasChain;
  try {
    chain = readKerasChain(artifacts, file);
  } catch (e) {
    tf.dispose(Object.values(named));
    throw e;
  }
  // tidy frees the tensors canonising makes and does not keep; the decoded weights the network does not
  // use (unused weights, BatchNorm parameters once folded, kernels and biases folding replaced) are freed
  // below, and all of them when canonising throws.
  let canonised;
  try {
    canonised = tf.tidy(() => {
      const weights = new LayerWeights(named, file);
      const inputShape = chain.inputShape ?? undeclaredInputShape(chain, weights, file, cardOverrides);
      return { inputShape, ...canonise(chain.layers, inputShape, weights, file) };
    });
  } catch (e) {
    tf.dispose(Object.values(named));
    throw e;
  }
  const network = makeNetwork(canonised.layers, canonised.inputShape, canonised.outputShape[0], canonised.endsWithSoftmax);
  const kept = new Set(network.layers.flatMap((l) => (l.kind === 'dense' || l.kind === 'conv2d' ? [l.kernel, l.bias] : [])));
  for (const t of Object.values(named)) if (!kept.has(t as never)) t.dispose();
  return { network, notes: [...chain.notes, ...canonised.notes] };
}

/**
 * The input shape of a model whose first layer declares none: a leading Dense tells it by its kernel,
 * otherwise the card must say it.
 */
function undeclaredInputShape(
  chain: KerasChain,
  weights: LayerWeights,
  modelJsonPath: string,
  cardOverrides: Partial<ModelCard>,
): number[] {
  const first = chain.layers.find((l) => l.className !== 'InputLayer' && l.className !== 'Dropout');
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

function makeNetwork(layers: NetLayer[], inputShape: number[], outputSize: number, endsWithSoftmax: boolean): Network {
  let disposed = false;
  return {
    layers,
    inputShape,
    outputSize,
    endsWithSoftmax,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const layer of layers) {
        if (layer.kind === 'dense' || layer.kind === 'conv2d') {
          layer.kernel.dispose();
          layer.bias.dispose();
        }
      }
    },
  };
}
