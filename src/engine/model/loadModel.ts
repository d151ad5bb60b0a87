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
  const chain = readKerasChain(artifacts, modelJsonPath);
  // tidy keeps the tensors reachable from the result (the layers' kernels and biases) and frees the rest:
  // weights no layer uses, BatchNorm parameters once folded, and the kernels and biases folding replaced.
  // It frees them as well when canonising throws.
  const canonised = tf.tidy(() => {
    const named = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
    const weights = new LayerWeights(named, modelJsonPath);
    const inputShape = chain.inputShape ?? undeclaredInputShape(chain, weights, modelJsonPath, cardOverrides);
    return { inputShape, ...canonise(chain.layers, inputShape, weights, modelJsonPath) };
  });
  const network = makeNetwork(canonised.layers, canonised.inputShape, canonised.outputShape[0], canonised.endsWithSoftmax);
  try {
    const card = readCard(modelJsonPath, network, cardOverrides);
    return { network, card, modelJsonPath, notes: [...chain.notes, ...canonised.notes] };
  } catch (e) {
    network.dispose();
    throw e;
  }
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
