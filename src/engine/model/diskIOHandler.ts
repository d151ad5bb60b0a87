// Reads a tfjs Layers model (model.json and its weight shards) from local files, as a tfjs IOHandler.
// Nothing is fetched: shard paths are resolved beside model.json, and a URL is refused. Every problem a user
// can fix (missing file, bad JSON, missing or truncated shard) becomes a one-line UserError naming the file.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { readFileReporting } from '../jobs/loadProgress';

/** `tf.io.IOHandler` whose `load()` reads `modelJsonPath` and the shards it lists. */
export function diskIOHandler(modelJsonPath: string): tf.io.IOHandler & { load(): Promise<tf.io.ModelArtifacts> } {
  return { load: () => loadArtifacts(modelJsonPath) };
}

async function loadArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const modelJson = readModelJson(modelJsonPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => readWeights(modelJsonPath, manifest));
}

function readModelJson(file: string): tf.io.ModelJSON {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the model: ${describeFsError(e)}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`is not valid JSON (${(e as Error).message})`, file);
  }
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
  const dir = path.dirname(modelJsonPath);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: ArrayBuffer[] = [];
  manifest.forEach((group, g) => {
    let actual = 0;
    for (const shardPath of group.paths) {
      const shard = readShard(modelJsonPath, dir, shardPath);
      actual += shard.byteLength;
      shards.push(shard);
    }
    const expected = group.weights.reduce((sum, spec) => sum + specBytes(spec, modelJsonPath), 0);
    if (actual !== expected) {
      throw new UserError(
        `weight data of group ${g + 1} (${group.paths.join(', ')}) has ${actual} bytes but its weights need ${expected} bytes`,
        modelJsonPath,
      );
    }
    specs.push(...group.weights);
  });
  return [specs, shards];
}

function readShard(modelJsonPath: string, dir: string, shardPath: string): ArrayBuffer {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(shardPath)) {
    throw new UserError(`weight shard "${shardPath}" is a URL; only files beside model.json are read`, modelJsonPath);
  }
  const file = path.resolve(dir, shardPath);
  let bytes: Buffer;
  try {
    bytes = readFileReporting(file);
  } catch (e) {
    throw new UserError(`weight shard "${shardPath}" cannot be read: ${describeFsError(e)}`, modelJsonPath);
  }
  // A Node Buffer may be a view into a larger pooled ArrayBuffer: copy out exactly its bytes.
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
    throw new UserError(`weight "${spec.name}" has unsupported dtype "${dtype}" or no shape`, modelJsonPath);
  }
  return spec.shape.reduce((n, d) => n * d, 1) * perElement;
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}
