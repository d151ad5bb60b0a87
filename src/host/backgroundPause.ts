// Background work (a data set's predictions, faithfulness evaluations) waits while anything else runs on
// the engine (engine/pool/jobPriority.ts); its panel says so, naming who holds the engine.
import type { EngineService } from './engineService';

/** "paused while the explain panel computes". */
export function pausedText(owner: string): string {
  return `paused while ${owner || 'other work'} computes`;
}

/** Calls `onChange` with the pause note now and whenever it changes (undefined: running); returns the disposer. */
export function watchPause(engine: Pick<EngineService, 'onForegroundChange'>, onChange: (note: string | undefined) => void): () => void {
  return engine.onForegroundChange((owner) => onChange(owner === undefined ? undefined : pausedText(owner)));
}
