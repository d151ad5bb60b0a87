// Keeps loaded models per thread, keyed by path, and reloads one when its files change on disk (a user
// retraining their model sees new heatmaps without restarting anything).
import * as fs from 'fs';
import * as path from 'path';
import { loadModel, type LoadedModel } from '../model/loadModel';
import type { ModelRef } from '../../protocol/engineJobs';

interface Entry {
  version: string;
  model: Promise<LoadedModel>;
}

const MAX_MODELS = 4;
const cache = new Map<string, Entry>();

/** Sizes and modification times of model.json, card.json and the weight shards beside them. */
function versionOf(modelJsonPath: string): string {
  const dir = path.dirname(modelJsonPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n === path.basename(modelJsonPath) || n === 'card.json' || n.endsWith('.bin'));
  } catch {
    return 'missing';
  }
  return names
    .sort()
    .map((n) => {
      try {
        const s = fs.statSync(path.join(dir, n));
        return `${n}:${s.size}:${s.mtimeMs}`;
      } catch {
        return `${n}:gone`;
      }
    })
    .join('|');
}

export async function getModel(ref: ModelRef): Promise<LoadedModel> {
  const key = `${path.resolve(ref.path)}\u0000${JSON.stringify(ref.card ?? {})}`;
  const version = versionOf(ref.path);
  const hit = cache.get(key);
  if (hit && hit.version === version) {
    // Refresh its place in the LRU order.
    cache.delete(key);
    cache.set(key, hit);
    return hit.model;
  }
  if (hit) disposeEntry(hit);
  const entry: Entry = { version, model: loadModel(path.resolve(ref.path), ref.card) };
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
