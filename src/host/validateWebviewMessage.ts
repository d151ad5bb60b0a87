// Every message from a webview is untrusted input: it is checked here, field by field, before the host
// acts on it. Pure (no `vscode`), so it is unit-tested directly. Unknown message types, unknown fields,
// wrong types, NaN, out-of-range values and anything but a reasonably sized PNG are rejected.
import { CONCEPTS_ACTIONS, type FromWebview } from '../protocol/webviewMessages';
import { COLORMAPS, type DisplaySettings } from '../protocol/display';

/** Optional bounds the host knows (number of images, number of classes) to reject out-of-range indices. */
export interface MessageBounds {
  imageCount?: number;
  classCount?: number;
}

/** Upper bound of an exported PNG: 24 MiB, far more than any figure. */
export const MAX_EXPORT_PNG_BYTES = 24 * 1024 * 1024;
export const MAX_SUGGESTED_NAME_LENGTH = 200;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The message, typed, or null when it is not a valid message (see `webviewMessageProblem` for why). */
export function validateWebviewMessage(raw: unknown, bounds: MessageBounds = {}): FromWebview | null {
  return webviewMessageProblem(raw, bounds) === null ? (raw as FromWebview) : null;
}

type Check = (raw: Record<string, unknown>, bounds: MessageBounds) => string | null;
const nothingElse: Check = (raw) => onlyKeys(raw, ['type']);

/** One check per message type: a message added to FromWebview does not compile until it has its check. */
const CHECKS: { [T in FromWebview['type']]: Check } = {
  ready: nothingElse,
  'pick-method': nothingElse,
  'pick-model': nothingElse,
  'use-display-everywhere': nothingElse,
  cancel: nothingElse,
  retry: nothingElse,
  'cancel-evaluation': nothingElse,
  'run-faithfulness': nothingElse,
  'run-randomisation': nothingElse,
  'run-road': nothingElse,
  'add-samples': nothingElse,
  'set-faithfulness-baseline': (raw) => onlyKeys(raw, ['type', 'baseline']) ?? (['black', 'mean', 'blur'].includes(raw.baseline as string) ? null : '"baseline" is not black, mean or blur'),
  'row-options': (raw) => onlyKeys(raw, ['type', 'row']) ?? indexProblem(raw.row, 'row'),
  'select-contrast': (raw, bounds) => onlyKeys(raw, ['type', 'contrast']) ?? (raw.contrast === null ? null : indexProblem(raw.contrast, 'contrast', bounds.classCount)),
  'select-image': (raw, bounds) => onlyKeys(raw, ['type', 'index']) ?? indexProblem(raw.index, 'index', bounds.imageCount),
  'select-target': (raw, bounds) => onlyKeys(raw, ['type', 'target']) ?? (raw.target === null ? null : indexProblem(raw.target, 'target', bounds.classCount)),
  'set-display': (raw) => onlyKeys(raw, ['type', 'display']) ?? displayProblem(raw.display),
  'show-concepts': (raw) => onlyKeys(raw, ['type', 'layer']) ?? (typeof raw.layer === 'string' && raw.layer.length > 0 && raw.layer.length <= 500 ? null : '"layer" must be a node name'),
  'concepts-action': (raw) =>
    onlyKeys(raw, ['type', 'action']) ?? ((CONCEPTS_ACTIONS as readonly unknown[]).includes(raw.action) ? null : `"action" must be one of ${CONCEPTS_ACTIONS.join(', ')}`),
  'open-cell': (raw) => onlyKeys(raw, ['type', 'row', 'column']) ?? indexProblem(raw.row, 'row') ?? indexProblem(raw.column, 'column'),
  export: (raw) =>
    onlyKeys(raw, ['type', 'png', 'suggestedName'], ['inReplyTo']) ??
    ('inReplyTo' in raw ? indexProblem(raw.inReplyTo, 'inReplyTo') : null) ??
    pngProblem(raw.png) ??
    fileNameProblem(raw.suggestedName),
};

/** Why `raw` is not a valid FromWebview message, or null when it is. */
export function webviewMessageProblem(raw: unknown, bounds: MessageBounds = {}): string | null {
  if (!isRecord(raw)) return 'not an object';
  const type = raw.type;
  if (typeof type !== 'string') return 'no string "type"';
  if (!Object.hasOwn(CHECKS, type)) return `unknown message type "${type.slice(0, 40)}"`;
  return CHECKS[type as FromWebview['type']](raw, bounds);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Every key of `record` must be one of `required` (all present) or `optional` (`type` is checked by the caller). */
function onlyKeys(record: Record<string, unknown>, required: string[], optional: string[] = []): string | null {
  const extra = Object.keys(record).filter((k) => !required.includes(k) && !optional.includes(k));
  if (extra.length) return `unexpected field "${extra[0].slice(0, 40)}"`;
  const missing = required.filter((k) => !(k in record));
  return missing.length ? `missing field "${missing[0]}"` : null;
}

/** A non-negative safe integer, below `count` when a count is known. */
function indexProblem(value: unknown, name: string, count?: number): string | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return `"${name}" is not a non-negative integer`;
  if (count !== undefined && value >= count) return `"${name}" ${value} is out of range (0..${count - 1})`;
  return null;
}

function displayProblem(display: unknown): string | null {
  if (!isRecord(display)) return '"display" is not an object';
  const keys: Array<keyof DisplaySettings> = ['colormap', 'normalization', 'overlay', 'opacity', 'opacityByRelevance'];
  for (const key of Object.keys(display)) {
    if (!(keys as string[]).includes(key)) return `unexpected display field "${key.slice(0, 40)}"`;
  }
  if ('colormap' in display && !COLORMAPS.includes(display.colormap as never)) return 'unknown colour map';
  if ('normalization' in display) {
    const n = display.normalization;
    if (!isRecord(n)) return '"normalization" is not an object';
    if (n.kind === 'max') {
      if (Object.keys(n).length !== 1) return 'unexpected normalization field';
    } else if (n.kind === 'percentile') {
      if (Object.keys(n).length !== 2) return 'unexpected normalization field';
      if (typeof n.p !== 'number' || !Number.isFinite(n.p) || n.p <= 0 || n.p > 100) return 'percentile must be a number in (0, 100]';
    } else {
      return 'unknown normalization kind';
    }
  }
  if ('overlay' in display && typeof display.overlay !== 'boolean') return '"overlay" is not a boolean';
  if ('opacityByRelevance' in display && typeof display.opacityByRelevance !== 'boolean') return '"opacityByRelevance" is not a boolean';
  if ('opacity' in display) {
    const a = display.opacity;
    if (typeof a !== 'number' || !Number.isFinite(a) || a < 0 || a > 1) return '"opacity" must be a number in [0, 1]';
  }
  return null;
}

function pngProblem(value: unknown): string | null {
  if (!(value instanceof Uint8Array)) return '"png" is not bytes (a Uint8Array)';
  if (value.length > MAX_EXPORT_PNG_BYTES) return `"png" is larger than ${MAX_EXPORT_PNG_BYTES} bytes`;
  if (!PNG_SIGNATURE.every((b, i) => value[i] === b)) return '"png" does not hold a PNG (wrong signature)';
  return null;
}

/** A bare file name: no folders, no control characters, no "." or "..". The host still picks the folder. */
function fileNameProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return '"suggestedName" is not a non-empty string';
  if (value.length > MAX_SUGGESTED_NAME_LENGTH) return '"suggestedName" is too long';
  // eslint-disable-next-line no-control-regex
  if (/[/\\:\u0000-\u001f\u007f]/.test(value)) return '"suggestedName" contains a path separator or control character';
  if (value === '.' || value === '..') return '"suggestedName" is not a file name';
  return null;
}
