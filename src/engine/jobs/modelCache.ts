// Keeps loaded models per thread, keyed by path, and reloads one when its files change on disk (a user
// retraining their model sees new heatmaps without restarting anything).
import * as fs from 'fs';
import * as path from 'path';
import { loadModel, type LoadedModel } from '../model/loadModel';
import type { ModelRef } from '../../protocol/engineJobs';

interface Entry {
  /** The files whose sizes and times make the version: model.json, card.json, the shards beside them. */
  files: string[];
  version: string;
  /** When the version was last confirmed (performance.now()). */
  checked: number;
  model: Promise<LoadedModel>;
}

const MAX_MODELS = 4;
/** How long a version check stands. Stat calls cost ~30 µs a job, a tenth of a one-image heatmap on the
 *  MLP; a model rewritten on disk is picked up at most this much later. */
const RECHECK_MS = 100;
const cache = new Map<string, Entry>();

/** model.json, card.json (present or not) and the weight shards beside them, as found now. */
function modelFiles(modelJsonPath: string): string[] {
  const dir = path.dirname(modelJsonPath);
  let shards: string[] = [];
  try {
    shards = fs.readdirSync(dir).filter((n) => n.endsWith('.bin'));
  } catch {
    // A missing folder shows as missing files in the version.
  }
  return [path.basename(modelJsonPath), 'card.json', ...shards.sort()].map((n) => path.join(dir, n));
}

/** Sizes and modification times of `files`. Only stats: this runs before every job, so no directory
 *  listing (a changed model.json, card.json or shard is seen; new shards come with a new model.json). */
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

export async function getModel(ref: ModelRef): Promise<LoadedModel> {
  const modelJsonPath = path.resolve(ref.path);
  const key = `${modelJsonPath}\u0000${JSON.stringify(ref.card ?? {})}`;
  const hit = cache.get(key);
  const now = performance.now();
  if (hit && now - hit.checked >= RECHECK_MS && hit.version === versionOf(hit.files)) hit.checked = now;
  if (hit && now - hit.checked < RECHECK_MS) {
    // Refresh its place in the LRU order.
    cache.delete(key);
    cache.set(key, hit);
    return hit.model;
  }
  if (hit) disposeEntry(hit);
  const files = modelFiles(modelJsonPath);
  const entry: Entry = { files, version: versionOf(files), checked: now, model: loadModel(modelJsonPath, ref.card) };
  cache.set(key, entry);
  entry.model.catch(() => cache.delete(key));
  while (cache.size > MAX_MODELS) {
    const [oldest, old] = cache.entries().next().value as [string, Entry];
    cache.delete(oldest);
    disposeEntry(old);
  }
  return entry.model;
}

function disposeEntry(entry: Entry): void {
  entry.model.then((m) => m.network.dispose()).catch(() => undefined);
}

export function clearModelCache(): void {
  for (const entry of cache.values()) disposeEntry(entry);
  cache.clear();
}
