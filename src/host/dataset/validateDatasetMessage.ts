// The dataset webview is untrusted input to the host: every message is checked for shape, indices in
// range and bounded sizes before anything reads the file or runs a command with it.
import { MAX_COMPARE_SAMPLES, MAX_EVALUATE_SAMPLES, MAX_THUMBNAIL_REQUEST, type FromDatasetView } from '../../protocol/datasetMessages';

type Parser<T extends FromDatasetView['type']> = (msg: Record<string, unknown>, count: number) => Extract<FromDatasetView, { type: T }> | null;

const isIndex = (v: unknown, count: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < count;
const indexList = (v: unknown, max: number, count: number): number[] | null =>
  Array.isArray(v) && v.length >= 1 && v.length <= max && v.every((i) => isIndex(i, count)) ? [...(v as number[])] : null;
const bare = <T extends FromDatasetView['type']>(type: T): Parser<T> => () => ({ type }) as Extract<FromDatasetView, { type: T }>;

/** One parser per message type: a message added to FromDatasetView does not compile until it has its parser. */
const PARSERS: { [T in FromDatasetView['type']]: Parser<T> } = {
  ready: bare('ready'),
  'cancel-predictions': bare('cancel-predictions'),
  predict: bare('predict'),
  'pick-model': bare('pick-model'),
  'reopen-as-text': bare('reopen-as-text'),
  'cancel-evaluate': bare('cancel-evaluate'),
  evaluate: (msg, count) => {
    const indices = indexList(msg.indices, MAX_EVALUATE_SAMPLES, count);
    return indices && new Set(indices).size === indices.length ? { type: 'evaluate', indices } : null;
  },
  'request-thumbnails': (msg, count) => {
    const indices = indexList(msg.indices, MAX_THUMBNAIL_REQUEST, count);
    return indices && Number.isSafeInteger(msg.messageId) ? { type: 'request-thumbnails', messageId: msg.messageId as number, indices } : null;
  },
  explain: (msg, count) => (isIndex(msg.index, count) ? { type: 'explain', index: msg.index } : null),
  compare: (msg, count) => {
    const indices = indexList(msg.indices, MAX_COMPARE_SAMPLES, count);
    return indices && new Set(indices).size === indices.length ? { type: 'compare', indices } : null;
  },
};

/** The message, if it is well formed for a data set of `count` samples; otherwise null. */
export function validateDatasetMessage(raw: unknown, count: number): FromDatasetView | null {
  if (!raw || typeof raw !== 'object') return null;
  const msg = raw as Record<string, unknown>;
  if (typeof msg.type !== 'string' || !Object.hasOwn(PARSERS, msg.type)) return null;
  return (PARSERS[msg.type as FromDatasetView['type']] as Parser<FromDatasetView['type']>)(msg, count);
}
