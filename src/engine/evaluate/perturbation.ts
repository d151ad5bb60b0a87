// The perturbed copies of pixel flipping: step k of K sets the first ⌊k·H·W/K⌋ pixels of an order, in
// every channel, to the baseline, the model-input value of a pixel 0 (METHODS.md). For the bundled
// models that is 0; for a card with range [l, h] and mean/std it is (l − mean_c)/std_c per channel.
import { UserError } from '../errors';
import { pixelToInput } from '../model/modelCard';
import type { ImageShape, ModelCard } from '../../protocol/model';

/** The default number of steps K. */
export const DEFAULT_FLIP_STEPS = 20;

/** Per channel, the network input of an 8-bit pixel 0 under the card's range and mean/std. */
export function flipBaseline(card: ModelCard): number[] {
  const toInput = pixelToInput(card);
  return Array.from({ length: card.inputShape[2] }, (_, c) => toInput(0, c));
}

/** K must lie in 1…H·W: more steps than pixels would only repeat copies. */
export function checkSteps(steps: number, [h, w]: ImageShape): number {
  if (!Number.isInteger(steps) || steps < 1 || steps > h * w) {
    throw new UserError(`pixel flipping needs a whole number of steps from 1 to ${h * w} (the ${h}×${w} pixels), got ${steps}`);
  }
  return steps;
}

/** How many pixels are removed at step k of K from an image of `pixels` pixels: ⌊k·pixels/K⌋. */
export function removedAt(k: number, steps: number, pixels: number): number {
  return Math.floor((k * pixels) / steps);
}

/**
 * Writes into `out` (h·w·c values, HWC) the copy of `input` with the pixels order[0 … removed) set to
 * the baseline in every channel.
 */
export function writePerturbed(
  out: Float32Array,
  input: Float32Array,
  order: Uint32Array,
  removed: number,
  baseline: readonly number[],
): void {
  const channels = baseline.length;
  out.set(input);
  for (let j = 0; j < removed; j++) {
    const p = order[j] * channels;
    for (let c = 0; c < channels; c++) out[p + c] = baseline[c];
  }
}
