// The bundled models: their architectures and how each is trained. Every model takes a 28×28×1 image in
// [0, 1] (pixel / 255) and ends with a 10-way softmax, which the engine drops to explain the logits.
// Only layers the engine canonises are used; Dropout disappears at load time.
import * as tf from '@tensorflow/tfjs';
import type { DatasetId } from './datasets';

export interface Recipe {
  id: string;
  name: string;
  dataset: DatasetId;
  /** One line for the README and the card. */
  architecture: string;
  build: (seed: number) => tf.Sequential;
  epochs: number;
  batchSize: number;
  /** Adam's learning rate in the first epoch; multiplied by `learningRateDecay` after every epoch. */
  learningRate: number;
  learningRateDecay: number;
  seed: number;
  /** The test accuracy the model must reach; training reports failure below it. */
  targetAccuracy: number;
}

const INPUT_SHAPE = [28, 28, 1];

/** Glorot-uniform kernels, each layer with a seed of its own (the same seed would give equal kernels). */
function kernelInit(seed: number, layer: number) {
  return tf.initializers.glorotUniform({ seed: seed * 100 + layer });
}

/** Flatten → Dense 400 relu → Dense 400 relu → Dense 10 softmax, with dropout during training. */
function mlp(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ name: 'flatten', inputShape: INPUT_SHAPE }),
      tf.layers.dense({ name: 'dense1', units: 400, activation: 'relu', kernelInitializer: kernelInit(seed, 1) }),
      tf.layers.dropout({ name: 'dropout1', rate: 0.2 }),
      tf.layers.dense({ name: 'dense2', units: 400, activation: 'relu', kernelInitializer: kernelInit(seed, 2) }),
      tf.layers.dropout({ name: 'dropout2', rate: 0.2 }),
      tf.layers.dense({ name: 'logits', units: 10, activation: 'softmax', kernelInitializer: kernelInit(seed, 3) }),
    ],
  });
}

/** Conv 3×3 32 relu → MaxPool 2 → Conv 3×3 64 relu → MaxPool 2 → Flatten → Dense 128 relu → Dense 10. */
function cnn(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: INPUT_SHAPE, filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: kernelInit(seed, 1) }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: kernelInit(seed, 2) }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense1', units: 128, activation: 'relu', kernelInitializer: kernelInit(seed, 3) }),
      tf.layers.dropout({ name: 'dropout1', rate: 0.5 }),
      tf.layers.dense({ name: 'logits', units: 10, activation: 'softmax', kernelInitializer: kernelInit(seed, 4) }),
    ],
  });
}

const MLP_ARCHITECTURE = 'Flatten [28,28,1] → Dense 400 ReLU → Dense 400 ReLU → Dense 10 softmax (Dropout 0.2 after each hidden layer in training)';
const CNN_ARCHITECTURE =
  'Conv2D 3×3 32 same ReLU → MaxPool 2 → Conv2D 3×3 64 same ReLU → MaxPool 2 → Flatten → Dense 128 ReLU → Dense 10 softmax (Dropout 0.5 before the last layer in training)';

/** How both MLPs are trained (the data set aside). */
const MLP_TRAINING = { architecture: MLP_ARCHITECTURE, build: mlp, epochs: 15, batchSize: 128, learningRate: 1e-3, learningRateDecay: 0.8, seed: 1 };

export const RECIPES: Recipe[] = [
  {
    id: 'mnist-mlp',
    name: 'MNIST MLP 784-400-400-10',
    dataset: 'mnist',
    ...MLP_TRAINING,
    targetAccuracy: 0.98,
  },
  {
    id: 'mnist-cnn',
    name: 'MNIST CNN (2 conv, 2 dense)',
    dataset: 'mnist',
    architecture: CNN_ARCHITECTURE,
    build: cnn,
    epochs: 6,
    batchSize: 128,
    learningRate: 1e-3,
    learningRateDecay: 0.7,
    seed: 1,
    targetAccuracy: 0.99,
  },
  {
    id: 'fashion-mlp',
    name: 'FashionMNIST MLP 784-400-400-10',
    dataset: 'fashion',
    ...MLP_TRAINING,
    targetAccuracy: 0.88,
  },
  {
    id: 'fashion-cnn',
    name: 'FashionMNIST CNN (2 conv, 2 dense)',
    dataset: 'fashion',
    architecture: CNN_ARCHITECTURE,
    build: cnn,
    epochs: 12,
    batchSize: 128,
    learningRate: 1e-3,
    learningRateDecay: 0.85,
    seed: 1,
    targetAccuracy: 0.91,
  },
];

export function recipeOf(id: string): Recipe {
  const recipe = RECIPES.find((r) => r.id === id);
  if (!recipe) throw new Error(`unknown model id "${id}"; known: ${RECIPES.map((r) => r.id).join(', ')}`);
  return recipe;
}
