// Loads a Keras .keras or .h5 model: the file is read here (kerasFile.ts), the model config and its weights
// then go through the same Keras front end as a tfjs Layers model.json.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { ModelCard } from '../../../protocol/model';
import { buildKerasNetwork } from '../../model/loadModel';
import { readKerasFile } from './kerasFile';

export async function loadKerasNetwork(file: string, cardOverrides: Partial<ModelCard> = {}) {
  const keras = await readKerasFile(file);
  const named: tf.NamedTensorMap = {};
  for (const [name, w] of keras.weights) named[name] = tf.tensor(w.data, w.shape);
  const built = buildKerasNetwork({ modelTopology: keras.topology }, named, file, cardOverrides);
  return { network: built.network, notes: [...keras.notes, ...built.notes], files: [path.resolve(file)] };
}
