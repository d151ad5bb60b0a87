// What Select Model says about a model before it is used: the facts of its card (data set, accuracy, input
// shape, labels), the file's format and its input layout, and, once the engine has read the file, what the
// model itself declares (or the one line saying why it cannot be read). No `vscode`: unit-tested.
import * as fs from 'fs';
import * as path from 'path';
import { formatMB } from '../engine/data/byteSource';
import { modelFormatOf, type ModelFormat } from '../engine/import/modelFiles';
import { parseJson } from '../engine/import/jsonText';
import { readCardText, readLabelsText } from '../engine/model/modelCard';
import type { ModelCard } from '../protocol/model';

export type { ModelFormat };

/** The format as a user names it. */
export const FORMAT_LABELS: Record<ModelFormat, string> = { tfjs: 'TensorFlow.js', onnx: 'ONNX', keras: 'Keras .keras', h5: 'Keras .h5' };

/** What the engine found when it read the model (model-info), or why it could not. */
export type ProbedModel = { card: ModelCard; notes: string[]; cardReport?: CardFindings } | { error: string };

/** What reading the card found (model-info): the card file (null: none), fields not used, defaults assumed. */
export interface CardFindings {
  cardFile: string | null;
  cardWarnings: string[];
  cardAssumed: string[];
}

export interface ModelFacts {
  format: ModelFormat;
  card: Partial<ModelCard>;
  /** Labels in labels.txt beside the model, when the card has none. */
  labelsFileCount?: number;
  probed?: ProbedModel;
  /** The file's size when it is too large to be read while the pick is open (it is read when chosen). */
  deferredBytes?: number;
}

/** The card file of a model of any format (`<model file>.card.json`, else card.json beside it), unchecked:
 *  a broken card is reported when the model is used, not while the list is built. It is read as the engine
 *  reads it: a regular file in the model's folder, within the card and JSON nesting budgets. */
export function readCardQuietly(modelPath: string): Partial<ModelCard> {
  try {
    const json = parseJson(readCardText(modelPath) ?? '{}', 'the card', modelPath);
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Partial<ModelCard>) : {};
  } catch {
    return {};
  }
}

/** Non-empty lines of labels.txt beside the model, or undefined when there is none. */
export function labelsFileCount(modelPath: string): number | undefined {
  try {
    const text = readLabelsText(modelPath);
    return text === null ? undefined : text.split(/\r?\n/).filter((l) => l.trim() !== '').length;
  } catch {
    return undefined;
  }
}

/** Workspace models larger than this are not read while Select Model is open (they are when chosen). */
export const PROBE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The size of a model file too large to read while the pick is open, else undefined (also when it is gone). */
export function deferredSize(modelPath: string, limit = PROBE_LIMIT_BYTES): number | undefined {
  try {
    const { size } = fs.statSync(modelPath);
    return size > limit ? size : undefined;
  } catch {
    return undefined;
  }
}

/** The format of a model file; a file that cannot even be opened counts by its name. */
export function formatOf(modelPath: string): ModelFormat {
  try {
    return modelFormatOf(modelPath);
  } catch {
    return path.extname(modelPath).toLowerCase() === '.onnx' ? 'onnx' : 'tfjs';
  }
}

/** The facts known without loading the model: its card, labels.txt and format. */
export function staticFacts(modelPath: string): ModelFacts {
  const card = readCardQuietly(modelPath);
  return { format: formatOf(modelPath), card, labelsFileCount: Array.isArray(card.labels) ? undefined : labelsFileCount(modelPath) };
}

/**
 * The layout of the input the file declares: ONNX models exported from PyTorch take NCHW (the engine reads
 * them channels last), Keras and tfjs take NHWC. The engine's note says which it found, when it has read it.
 */
export function inputLayout(facts: ModelFacts): 'NCHW' | 'NHWC' {
  if (facts.probed && 'notes' in facts.probed) {
    const note = facts.probed.notes.find((n) => /^(NCHW|NHWC) input/.test(n));
    if (note) return note.startsWith('NCHW') ? 'NCHW' : 'NHWC';
  }
  return facts.format === 'onnx' ? 'NCHW' : 'NHWC';
}

/**
 * One line for the pick: "synthetic shapes · 99.9% test accuracy · input 32×32×3 RGB, NCHW · 4 labels"
 * (the format goes beside the name, where a long line does not cut it off). Card facts first; what the
 * card leaves out comes from the model once it was read; a model that could not be read says so instead.
 */
export function describeFacts(facts: ModelFacts): string {
  const { card, probed } = facts;
  if (probed && 'error' in probed) return `$(error) cannot be used: ${keyWordsFirst(probed.error)}`;
  const read = probed && 'card' in probed ? probed.card : undefined;
  const parts: string[] = [];
  const dataset = card.dataset ?? read?.dataset;
  if (dataset) parts.push(dataset);
  const accuracy = typeof card.accuracy === 'number' ? card.accuracy : read?.accuracy;
  if (typeof accuracy === 'number') parts.push(`${(accuracy * 100).toFixed(1)}% test accuracy`);
  const shape = Array.isArray(card.inputShape) ? card.inputShape : read?.inputShape;
  const layout = facts.format === 'tfjs' ? '' : `, ${inputLayout(facts)}`;
  if (shape) parts.push(`input ${shape.join('×')}${shape[2] === 3 ? ' RGB' : shape[2] === 1 ? ' grey' : ''}${layout}`);
  const deferred = facts.deferredBytes === undefined ? undefined : `${formatMB(facts.deferredBytes)}, read when chosen`;
  if (!shape) parts.push(deferred ? `${deferred}${layout}` : `input shape read on first use${layout}`);
  const labels = Array.isArray(card.labels) ? card.labels.length : (facts.labelsFileCount ?? read?.labels.length);
  if (labels !== undefined) parts.push(`${labels} labels${Array.isArray(card.labels) || facts.labelsFileCount === undefined ? '' : ' (labels.txt)'}`);
  if (shape && deferred) parts.push(deferred);
  return parts.join(' · ');
}

/**
 * A model's error with its key words first, for the pick's one visible line: the ONNX front end writes
 * "<file>: <first node's problem>; unsupported: Einsum ×12, …; <architecture feature>; supported ops: …"
 * (engine/import/onnx/unsupported.ts), where a long node name pushes the op types out of sight. Here the
 * counts and the feature come first, then the file and the first node; the supported list (the whole message
 * is in the row's tooltip and in the error shown when the model is chosen) is left out. Other errors stay.
 */
export function keyWordsFirst(error: string): string {
  const at = error.indexOf('; unsupported: ');
  if (at < 0) return error;
  const head = error.slice(0, at);
  const tail = error.slice(at + 2);
  const supported = tail.indexOf('; supported ops: ');
  return `${supported < 0 ? tail : tail.slice(0, supported)}; ${head}`;
}
