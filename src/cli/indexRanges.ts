// `--indices 0-99,120,500-`: which samples of a --dataset to explain. Ranges are inclusive, in the order
// given; `a-` runs to the last sample. Kept as ranges, so "all 60,000" costs nothing.
import { UsageError } from './options';

/** [first, last] inclusive. */
export type IndexRange = [number, number];

/** Parses the option; `count` is the data set's size (ranges are checked against it). */
export function parseIndexRanges(text: string, count: number, datasetName: string): IndexRange[] {
  const ranges: IndexRange[] = [];
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new UsageError('--indices is empty; give indices such as 0-99,120');
  for (const part of parts) {
    if (part === '') continue;
    const m = /^(\d+)(?:\s*-\s*(\d*))?$/.exec(part);
    if (!m) throw new UsageError(`--indices: "${part}" is not an index or a range (such as 7, 0-99 or 500-)`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : m[2] === '' ? count - 1 : Number(m[2]);
    if (last < first) throw new UsageError(`--indices: the range "${part}" ends before it starts`);
    if (first >= count || last >= count) {
      throw new UsageError(`--indices: ${last >= count ? last : first} is past the last sample of ${datasetName} (it has ${count}: 0–${count - 1})`);
    }
    ranges.push([first, last]);
  }
  return ranges;
}

/** All samples. */
export function allIndices(count: number): IndexRange[] {
  return [[0, count - 1]];
}

export function countIndices(ranges: IndexRange[]): number {
  return ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}
