// Which models Compare Models' pick ticks, and how a choice is remembered (pure: unit-tested without VS Code).
import type { ModelEntry } from './modelCatalog';

/** Where the workspace remembers the last choice: each model as Select Model stores it (id or path). */
export const COMPARE_MODELS_KEY = 'explainImage.compareModelsChoice';

/** How a model is stored: a bundled one by its id, a workspace one by its path. */
export function modelChoice(entry: ModelEntry): string {
  return entry.bundled ? entry.id : entry.path;
}

/** The models ticked at first: the remembered ones that still exist, else `fallback`. */
export function ticked(all: readonly ModelEntry[], remembered: readonly string[] | undefined, fallback: readonly ModelEntry[]): Set<string> {
  const existing = new Set(all.map(modelChoice));
  const kept = (remembered ?? []).filter((choice) => existing.has(choice));
  return new Set(kept.length ? kept : fallback.map(modelChoice));
}
