// Saves a tfjs Layers model to a folder as model.json and one weights.bin shard, the format
// tf.loadLayersModel reads (tfjs-node's file:// saver is not available without tfjs-node).
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';

export const WEIGHTS_FILE = 'weights.bin';

/** Writes `dir`/model.json and `dir`/weights.bin (float32); returns the path of model.json. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const modelJsonPath = path.join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(modelJsonPath, JSON.stringify(modelJson));
      fs.writeFileSync(path.join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return modelJsonPath;
}
