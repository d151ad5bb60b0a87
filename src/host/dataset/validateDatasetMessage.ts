// The dataset webview is untrusted input to the host: every message is checked for shape, indices in
// range and bounded sizes before anything reads the file or runs a command with it.
import { MAX_COMPARE_SAMPLES, MAX_THUMBNAIL_REQUEST, type FromDatasetView } from '../../protocol/datasetMessages';

/** The message, if it is well formed for a data set of `count` samples; otherwise null. */
export function validateDatasetMessage(raw: unknown, count: number): FromDatasetView | null {
  if (!raw || typeof raw !== 'object') return null;
  const msg = raw as Record<string, unknown>;
  const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < count;
  const indexList = (v: unknown, max: number): number[] | null =>
    Array.isArray(v) && v.length >= 1 && v.length <= max && v.every(isIndex) ? (v as number[]) : null;

  switch (msg.type) {
    case 'ready':
    case 'cancel-predictions':
    case 'predict':
    case 'pick-model':
    case 'reopen-as-text':
      return { type: msg.type };
    case 'request-thumbnails': {
      const indices = indexList(msg.indices, MAX_THUMBNAIL_REQUEST);
      if (!indices || !Number.isSafeInteger(msg.messageId)) return null;
      return { type: 'request-thumbnails', messageId: msg.messageId as number, indices: [...indices] };
    }
    case 'explain':
      return isIndex(msg.index) ? { type: 'explain', index: msg.index } : null;
    case 'compare': {
      const indices = indexList(msg.indices, MAX_COMPARE_SAMPLES);
      if (!indices || new Set(indices).size !== indices.length) return null;
      return { type: 'compare', indices: [...indices] };
    }
    default:
      return null;
  }
}
