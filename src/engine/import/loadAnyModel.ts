// One entry point for every model format: the file type picks the front end (tfjs Layers model.json,
// ONNX, Keras .keras / .h5), each of which builds the engine's graph; the card is read the same way for
// all of them. Whatever a front end throws that is not already a UserError (a damaged file can drive a
// parser into a RangeError) becomes one that names the file: a bad model file never crashes the caller.
import * as path from 'path';
import { isUserError, UserError } from '../errors';
import { loadModel, type LoadedModel } from '../model/loadModel';
import { readCardReport } from '../model/modelCard';
import type { ModelCard } from '../../protocol/model';
import { loadKerasNetwork } from './keras/loadKeras';
import { modelFilesBeforeLoading, modelFormatOf, type ModelFormat } from './modelFiles';
import { loadOnnxNetwork } from './onnx/loadOnnx';
import { checkpointError, checkpointKind } from './pytorchCheckpoint';
import { UNFORESEEN } from '../data/datasetFile';

export interface LoadedAnyModel extends LoadedModel {
  format: ModelFormat;
  /** Every file the model was read from (weights, external data), absolute; cards and labels.txt are in
   *  `modelFilesBeforeLoading`. */
  files: string[];
}

const FORMAT_NAMES: Record<ModelFormat, string> = {
  tfjs: 'TensorFlow.js model.json',
  onnx: 'ONNX model',
  keras: 'Keras .keras model',
  h5: 'Keras .h5 model',
};

export async function loadAnyModel(modelPath: string, cardOverrides: Partial<ModelCard> = {}): Promise<LoadedAnyModel> {
  const file = path.resolve(modelPath);
  // A PyTorch checkpoint would otherwise be tried as ONNX (it has no extension of ours) and fail obscurely.
  const checkpoint = await checkpointKind(file);
  if (checkpoint) throw checkpointError(file, checkpoint);
  const format = modelFormatOf(file);
  try {
    if (format === 'tfjs') {
      const loaded = await loadModel(file, cardOverrides);
      return { ...loaded, format, files: modelFilesBeforeLoading(file) };
    }
    const built = format === 'onnx' ? loadOnnxNetwork(file, cardOverrides) : await loadKerasNetwork(file, cardOverrides);
    try {
      const { card, ...cardReport } = readCardReport(file, built.network, cardOverrides);
      return { network: built.network, card, modelJsonPath: file, notes: built.notes, cardReport, format, files: built.files };
    } catch (e) {
      built.network.dispose();
      throw e;
    }
  } catch (e) {
    if (isUserError(e)) throw e;
    // "unforeseen error:" marks messages no check of the front ends foresaw, as the data readers' guard does
    // (the fuzz harness looks for it).
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new UserError(`cannot be read as ${/^[AEIOU]/.test(FORMAT_NAMES[format]) ? 'an' : 'a'} ${FORMAT_NAMES[format]} (${UNFORESEEN} ${message.split('\n')[0].slice(0, 300)}); the file may be damaged`, file);
  }
}
