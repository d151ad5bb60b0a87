// Seeded randomness for training: the shuffling order of every epoch, and Math.random for the draws
// tfjs makes without a seed of its own (dropout masks), so that a training run can be repeated.
import { mulberry32 } from '../../src/engine/seededRandom';

/** The engine's mulberry32: good enough for shuffling and masks. */
export const seededRandom = mulberry32;

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace(values: Uint32Array, random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}

/**
 * tfjs seeds an op's generator from Math.random when the op has no seed: a Dropout layer given a fixed
 * seed would draw the same mask for every batch, and one given none would differ from run to run.
 * Replacing Math.random for the training process makes the masks vary per batch yet repeat per run.
 */
export function seedMathRandom(seed: number): void {
  Math.random = seededRandom(seed);
}
