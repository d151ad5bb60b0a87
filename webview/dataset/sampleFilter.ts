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

  const key = sortKey(table, spec.sort);
  // Ascending by key; NaN (not predicted, or no loss) last; ties by index.
  const byKey = (a: number, b: number) => {
    const ka = key[a];
    const kb = key[b];
    const na = Number.isNaN(ka);
    const nb = Number.isNaN(kb);
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    return ka === kb ? a - b : ka - kb;
  };
  return order.sort(byKey);
}

/** Per sample, a number sorted ascending: confidence, its negation, or the negated loss. */
function sortKey(table: SampleTable, sort: Exclude<SortKey, 'index'>): Float64Array {
  const key = new Float64Array(table.count);
  for (let i = 0; i < table.count; i++) {
    if (table.predicted[i] === UNKNOWN) {
      key[i] = NaN;
      continue;
    }
    const confidence = table.confidence[i];
    key[i] = sort === 'confidence-asc' ? confidence : sort === 'confidence-desc' ? -confidence : -table.loss[i];
  }
  return key;
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
