// The perturbed copies of pixel flipping and ROAD: step k of K removes the first ⌊k·U/K⌋ units (pixels or
// patches, units.ts) of an order. Pixel flipping replaces them, in every channel, by the baseline image's
// values (baselines.ts); ROAD imputes them from their neighbours (roadImputation.ts).
import { UserError } from '../errors';
import type { FlipUnits } from './units';

/** The default number of steps K. */
export const DEFAULT_FLIP_STEPS = 20;

/** K must lie in 1…U: more steps than units would only repeat copies. */
export function checkSteps(steps: number, [h, w]: readonly number[], units: FlipUnits): number {
  if (!Number.isInteger(steps) || steps < 1 || steps > units.count) {
    const what = units.patch === 1 ? `the ${h}×${w} pixels` : `the ${Math.ceil(h / units.patch)}×${Math.ceil(w / units.patch)} patches of ${units.patch}×${units.patch} pixels`;
    throw new UserError(`pixel flipping needs a whole number of steps from 1 to ${units.count} (${what}), got ${steps}`);
  }
  return steps;
}

/** How many units are removed at step k of K from `units` units: ⌊k·units/K⌋. */
export function removedAt(k: number, steps: number, units: number): number {
  return Math.floor((k * units) / steps);
}

/**
 * Writes into `out` (h·w·c values, HWC) the copy of `input` with the pixels of the units order[0 … removed)
 * replaced by those of `baseline` (the same size as `input`).
 */
export function writeReplaced(out: Float32Array, input: Float32Array, baseline: Float32Array, units: FlipUnits, order: Uint32Array, removed: number, channels: number): void {
  out.set(input);
  for (let j = 0; j < removed; j++) {
    const u = order[j];
    for (let i = units.offsets[u]; i < units.offsets[u + 1]; i++) {
      const p = units.pixels[i] * channels;
      for (let c = 0; c < channels; c++) out[p + c] = baseline[p + c];
    }
  }
}
