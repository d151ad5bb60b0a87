// Which samples "Add dataset samples" adds (compareSamples.ts): pure, so it is unit-tested without VS Code.
import { mulberry32 } from '../engine/seededRandom';

/** `count` indices of 0 … total−1 not in `taken`, drawn without replacement (seeded), ascending. */
export function pickSampleIndices(total: number, count: number, taken: ReadonlySet<number>, seed = 0): number[] {
  const free = Array.from({ length: total }, (_, i) => i).filter((i) => !taken.has(i));
  const random = mulberry32(seed);
  // A partial Fisher–Yates shuffle: the first `count` places are a uniform sample.
  const n = Math.min(count, free.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (free.length - i));
    [free[i], free[j]] = [free[j], free[i]];
  }
  return free.slice(0, n).sort((a, b) => a - b);
}

