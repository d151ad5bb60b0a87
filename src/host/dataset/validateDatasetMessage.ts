// The dataset webview is untrusted input to the host: every message is checked for shape, indices in
// range and bounded sizes before anything reads the file or runs a command with it.
import { MAX_COMPARE_SAMPLES, MAX_EVALUATE_SAMPLES, MAX_THUMBNAIL_REQUEST, type FromDatasetView } from '../../protocol/datasetMessages';

/** A model's classes (card labels) are indexed below this. */
const MAX_CLASSES = 100_000;
/** The strategies figure as PNG: far below this. */
const MAX_STRATEGIES_PNG_BYTES = 24 * 1024 * 1024;

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
  'cancel-strategies': bare('cancel-strategies'),
  'find-strategies': (msg) => (Number.isInteger(msg.target) && (msg.target as number) >= 0 && (msg.target as number) < MAX_CLASSES ? { type: 'find-strategies', target: msg.target as number } : null),
  'export-strategies': (msg) => {
    if (msg.format === 'json') return { type: 'export-strategies', format: 'json' };
    const png = msg.png;
    const isPng = png instanceof Uint8Array && png.length >= 8 && png.length <= MAX_STRATEGIES_PNG_BYTES && png[0] === 0x89 && png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47;
    return msg.format === 'png' && isPng ? { type: 'export-strategies', format: 'png', png } : null;
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
