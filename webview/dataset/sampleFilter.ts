// Which samples the grid shows and in what order: filters on the true and the predicted class and on
// mistakes, then a sort. Samples not predicted yet never pass a prediction filter and sort after the
// predicted ones; ties keep file order, so the view is deterministic.
import { SampleTable, UNKNOWN } from './sampleTable';

export type SortKey = 'index' | 'confidence-asc' | 'confidence-desc' | 'loss-desc';

export const SORT_KEYS: readonly SortKey[] = ['index', 'confidence-asc', 'confidence-desc', 'loss-desc'];

export interface FilterSpec {
  /** Only samples with this label; null = any. */
  trueClass: number | null;
  /** Only samples predicted as this class; null = any. */
  predictedClass: number | null;
  misclassifiedOnly: boolean;
  sort: SortKey;
}

export const NO_FILTER: FilterSpec = { trueClass: null, predictedClass: null, misclassifiedOnly: false, sort: 'index' };

/** Whether the view changes as predictions arrive (so it must be recomputed then). */
export function dependsOnPredictions(spec: FilterSpec): boolean {
  return spec.predictedClass !== null || spec.misclassifiedOnly || spec.sort !== 'index';
}

/** The sample indices to show, in display order. */
export function filterAndSort(table: SampleTable, spec: FilterSpec): Int32Array {
  const { labels, predicted } = table;
  const keep = new Int32Array(table.count);
  let n = 0;
  for (let i = 0; i < table.count; i++) {
    if (spec.trueClass !== null && (!labels || labels[i] !== spec.trueClass)) continue;
    if (spec.predictedClass !== null && predicted[i] !== spec.predictedClass) continue;
    if (spec.misclassifiedOnly && !table.isMisclassified(i)) continue;
    keep[n++] = i;
  }
  const order = keep.slice(0, n);
  if (spec.sort === 'index') return order;
  return sortByKey(order, sortKey(table, spec.sort));
}

/** Per sample, a float32 sorted ascending: confidence, its negation, or the negated loss; NaN = none. */
function sortKey(table: SampleTable, sort: Exclude<SortKey, 'index'>): Float32Array {
  const key = new Float32Array(table.count);
  for (let i = 0; i < table.count; i++) {
    if (table.predicted[i] === UNKNOWN) {
      key[i] = NaN;
      continue;
    }
    const confidence = table.confidence[i];
    // `+ 0` turns −0 into +0, so the two zeros tie (and fall back to index order) in the packed sort.
    key[i] = (sort === 'confidence-asc' ? confidence : sort === 'confidence-desc' ? -confidence : -table.loss[i]) + 0;
  }
  return key;
}

/** Up to this many samples, an index fits beside a 32-bit key in the 53 bits of a double. */
export const PACKED_SORT_LIMIT = 2 ** 21;

/**
 * Sorts the sample indices in `order` by `key[sample]` ascending, NaN last, ties by index. Each entry is
 * packed into one double, (key as an order-preserving uint32) · 2²¹ + index, so the engine's native
 * numeric sort does the work: 1.37 million samples in ~0.1 s instead of ~1.5 s with a comparator.
 */
export function sortByKey(order: Int32Array, key: Float32Array, packLimit = PACKED_SORT_LIMIT): Int32Array {
  if (key.length > packLimit) return order.sort((a, b) => compareKeys(key[a], key[b]) || a - b);
  const bits = new Uint32Array(key.buffer, key.byteOffset, key.length);
  const packed = new Float64Array(order.length);
  for (let p = 0; p < order.length; p++) {
    const sample = order[p];
    packed[p] = orderedBits(key[sample], bits[sample]) * packLimit + sample;
  }
  packed.sort();
  for (let p = 0; p < order.length; p++) order[p] = packed[p] % packLimit;
  return order;
}

/** IEEE-754 float32 bits → an unsigned integer with the same order as the floats; NaN after everything. */
function orderedBits(value: number, bits: number): number {
  if (Number.isNaN(value)) return 0xffffffff;
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

function compareKeys(a: number, b: number): number {
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return a - b;
}

/** "1 sample", "37 samples", "60,000 samples". */
export function countLabel(n: number): string {
  return `${n.toLocaleString('en-US')} sample${n === 1 ? '' : 's'}`;
}

/** Position of a sample in the view order, or -1 when the filters hide it. */
export function positionOf(order: Int32Array, sample: number): number {
  return order.indexOf(sample);
}

/** A filter read back from saved webview state, if it is one; label-based parts only for labelled files. */
export function sanitizeFilter(raw: unknown, hasLabels: boolean): FilterSpec | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const classOrNull = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 65536 ? (v as number) : null);
  const sort = SORT_KEYS.includes(r.sort as SortKey) ? (r.sort as SortKey) : 'index';
  return {
    trueClass: hasLabels ? classOrNull(r.trueClass) : null,
    predictedClass: classOrNull(r.predictedClass),
    misclassifiedOnly: hasLabels && r.misclassifiedOnly === true,
    sort: sort === 'loss-desc' && !hasLabels ? 'index' : sort,
  };
}
