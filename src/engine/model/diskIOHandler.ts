// Reads a tfjs Layers model (model.json and its weight shards) from local files, as a tfjs IOHandler.
// Nothing is fetched: shard paths must resolve inside model.json's folder (import/confinedFiles.ts: no URL,
// no absolute path, no `..` or symlink out of the folder, regular files only), and their bytes together stay
// within the model budget. Every problem a user can fix (missing file, bad JSON, missing or truncated shard)
// becomes a one-line UserError naming the file.
import * as tf from '@tensorflow/tfjs';
import { checkBudget, countOf } from '../budgets';
import { shown, UserError } from '../errors';
import { readInsideFolder, readRegularFile } from '../import/confinedFiles';
import { parseJson } from '../import/jsonText';

/** `tf.io.IOHandler` whose `load()` reads `modelJsonPath` and the shards it lists. */
export function diskIOHandler(modelJsonPath: string): tf.io.IOHandler & { load(): Promise<tf.io.ModelArtifacts> } {
  return { load: () => loadArtifacts(modelJsonPath) };
}

async function loadArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const modelJson = readModelJson(modelJsonPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => readWeights(modelJsonPath, manifest));
}

function readModelJson(file: string): tf.io.ModelJSON {
  const text = readRegularFile(file, 'jsonBytes', { errorFile: file, what: 'the model file' }).toString('utf8');
  const json = parseJson(text, 'the model file', file);
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('modelTopology' in json)) {
    throw new UserError('is not a tfjs model.json: it has no "modelTopology"', file);
  }
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  if (manifest !== undefined && !isManifest(manifest)) {
    throw new UserError('"weightsManifest" must be a list of {paths: [...], weights: [...]} groups', file);
  }
  return json as tf.io.ModelJSON;
}

function isManifest(m: unknown): m is tf.io.WeightsManifestConfig {
  return (
    Array.isArray(m) &&
    m.every(
      (g) =>
        typeof g === 'object' &&
        g !== null &&
        Array.isArray(g.paths) &&
        g.paths.every((p: unknown) => typeof p === 'string') &&
        Array.isArray(g.weights) &&
        g.weights.every((w: unknown) => typeof w === 'object' && w !== null && typeof (w as { name?: unknown }).name === 'string'),
    )
  );
}

/** Reads every shard of every group, checking each group's bytes against what its weight specs need. */
function readWeights(
  modelJsonPath: string,
  manifest: tf.io.WeightsManifestConfig,
): [tf.io.WeightsManifestEntry[], ArrayBuffer[]] {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: ArrayBuffer[] = [];
  let total = 0;
  manifest.forEach((group, g) => {
    const expected = group.weights.reduce((sum, spec) => sum + specBytes(spec, modelJsonPath), 0);
    let actual = 0;
    for (const shardPath of group.paths) {
      const shard = readShard(modelJsonPath, shardPath, total);
      actual += shard.byteLength;
      total += shard.byteLength;
      shards.push(shard);
    }
    if (actual !== expected) {
      throw new UserError(
        `weight data of group ${g + 1} (${shown(group.paths.join(', '), 80)}) has ${actual} bytes but its weights need ${expected} bytes; the shards and model.json do not belong together`,
        modelJsonPath,
      );
    }
    for (const spec of group.weights) specs.push(spec);
  });
  return [specs, shards];
}

/** One shard, within the model budget together with the `alreadyRead` bytes of the shards before it. */
function readShard(modelJsonPath: string, shardPath: string, alreadyRead: number): ArrayBuffer {
  const bytes = readInsideFolder(modelJsonPath, shardPath, 'modelBytes', { errorFile: modelJsonPath, what: `weight shard ${shown(shardPath, 40)}` }, alreadyRead);
  // A Node Buffer may be a view into a larger pooled ArrayBuffer: copy out exactly its bytes.
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight occupies in the shards (quantised weights are stored in their quantised dtype). */
function specBytes(spec: tf.io.WeightsManifestEntry, modelJsonPath: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const perElement = BYTES_PER_ELEMENT[dtype];
  if (perElement === undefined || !Array.isArray(spec.shape)) {
    throw new UserError(`weight ${shown(spec.name)} has unsupported dtype ${shown(dtype)} or no shape`, modelJsonPath);
  }
  checkBudget('tensorRank', spec.shape.length, `weight ${shown(spec.name)}'s shape`, modelJsonPath);
  if (!spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new UserError(`weight ${shown(spec.name)} has shape ${shown(spec.shape)}; non-negative integers are needed`, modelJsonPath);
  }
  const bytes = countOf(spec.shape) * perElement;
  checkBudget('modelBytes', bytes, `weight ${shown(spec.name)}`, modelJsonPath);
  return bytes;
}
