// Keeps loaded models per thread, keyed by path, and reloads one when any of its files changes on disk (a
// user re-exporting or retraining their model sees new heatmaps without restarting anything): the model
// file, its card files and labels.txt (present or not), a model.json's weight shards, an ONNX model's
// external data.
import * as fs from 'fs';
import * as path from 'path';
import { loadAnyModel, type LoadedAnyModel } from '../import/loadAnyModel';
import { modelFilesBeforeLoading } from '../import/modelFiles';
import { collectGarbage } from './collectGarbage';
import type { ModelRef } from '../../protocol/engineJobs';

interface Entry {
  /** The files whose sizes and times make the version. */
  files: string[];
  version: string;
  /** When the version was last confirmed (performance.now()). */
  checked: number;
  model: Promise<LoadedAnyModel>;
}

const MAX_MODELS = 4;
/** How long a version check stands. Stat calls cost ~30 µs a job, a tenth of a one-image heatmap on the
 *  MLP; a model rewritten on disk is picked up at most this much later. */
const RECHECK_MS = 100;
const cache = new Map<string, Entry>();

/** Sizes and modification times of `files`. Only stats: this runs before every job, so no directory
 *  listing (a changed model file, card or shard is seen; new shards come with a new model.json). */
function versionOf(files: string[]): string {
  return files
    .map((file) => {
      try {
        const s = fs.statSync(file);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return 'gone';
      }
    })
    .join('|');
}

/** `recheck`: look at the files now, not trusting a check of the last RECHECK_MS (a card just written). */
export async function getModel(ref: ModelRef, recheck = false): Promise<LoadedAnyModel> {
  const modelPath = path.resolve(ref.path);
  const key = `${modelPath}\u0000${JSON.stringify(ref.card ?? {})}`;
  const hit = cache.get(key);
  const now = performance.now();
  if (hit && (recheck || now - hit.checked >= RECHECK_MS)) hit.checked = hit.version === versionOf(hit.files) ? now : -Infinity;
  if (hit && now - hit.checked < RECHECK_MS) {
    // Refresh its place in the LRU order.
    cache.delete(key);
    cache.set(key, hit);
    return hit.model;
  }
  if (hit) disposeEntry(hit);
  const files = modelFilesBeforeLoading(modelPath);
  const entry: Entry = { files, version: versionOf(files), checked: now, model: loaded(modelPath, ref.card) };
  cache.set(key, entry);
  entry.model.then(
    (loaded) => {
      // Files only the loaded model names (external data) join the version from now on.
      const extra = loaded.files.filter((f) => !entry.files.includes(f));
      if (extra.length > 0) {
        entry.files = [...entry.files, ...extra];
        entry.version = `${entry.version}|${versionOf(extra)}`;
      }
    },
    () => cache.delete(key),
  );
  while (cache.size > MAX_MODELS) {
    const [oldest, old] = cache.entries().next().value as [string, Entry];
    cache.delete(oldest);
    disposeEntry(old);
  }
  return entry.model;
}

/** The model, its load's garbage (the file's bytes, decoded copies of its weights) collected. */
async function loaded(modelPath: string, card: ModelRef['card']): Promise<LoadedAnyModel> {
  const model = await loadAnyModel(modelPath, card);
  await collectGarbage();
  return model;
}

function disposeEntry(entry: Entry): void {
  entry.model.then((m) => m.network.dispose()).catch(() => undefined);
}

export function clearModelCache(): void {
  for (const entry of cache.values()) disposeEntry(entry);
  cache.clear();
}
