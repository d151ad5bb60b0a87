// The model card: what a model is (name, labels) and what input it expects (image shape, value range,
// normalisation), for every model format. Read from `<model file>.card.json` beside the model file, else
// `card.json` beside it, with defaults drawn from the network for whatever it leaves out (labels from a
// `labels.txt` beside the model), and overrides (from the caller) on top of both.
import * as fs from 'fs';
import * as path from 'path';
import { checkBudget, countOf } from '../budgets';
import { shown, UserError } from '../errors';
import { readInsideFolder } from '../import/confinedFiles';
import { parseJson } from '../import/jsonText';
import type { Network } from '../types';
import type { ImageShape, ModelCard } from '../../protocol/model';

/**
 * The files a model's card may be read from, most specific first: `<model file>.card.json` (so models of
 * several formats can share a folder), then `card.json` (one model per folder, as the bundled ones).
 */
export function cardCandidates(modelPath: string): string[] {
  return [`${modelPath}.card.json`, path.join(path.dirname(modelPath), 'card.json')];
}

/** Where the card of a model is read from: the first candidate that exists, else `card.json`'s place. */
export function cardPath(modelPath: string): string {
  const candidates = cardCandidates(modelPath);
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[candidates.length - 1];
}

/** `labels.txt` beside the model: one label per line, the default labels when the card has none. */
export function labelsPath(modelPath: string): string {
  return path.join(path.dirname(modelPath), 'labels.txt');
}

/**
 * The validated fields of the model's card file, or null when it has none. Fields it does not know, and a
 * free-form `training`, are kept out of the card and named in `warnings` (a card written for another tool,
 * or with notes of its own, still loads); a known field of the wrong type is refused.
 */
export function readCardFile(modelPath: string, warnings: string[] = []): Partial<ModelCard> | null {
  const text = readCardText(modelPath);
  if (text === null) return null;
  const file = cardPath(modelPath);
  return validateFields(parseJson(text, 'the card', file), { file, field: (key) => `field "${key}"`, warnings });
}

/**
 * The text of the model's card file, or null when it has none. Cards and labels.txt are read as every file
 * beside a model is (import/confinedFiles.ts): a regular file whose real path stays in the model's folder
 * (a card.json linked to /dev/zero or to a file elsewhere is refused), within the card budget.
 */
export function readCardText(modelPath: string): string | null {
  return readBesideModel(modelPath, cardPath(modelPath));
}

/** The text of labels.txt beside the model (read as the card is), or null when there is none. */
export function readLabelsText(modelPath: string): string | null {
  return readBesideModel(modelPath, labelsPath(modelPath));
}

function readBesideModel(modelPath: string, file: string): string | null {
  if (!fs.existsSync(file) && !isLink(file)) return null;
  const role = { errorFile: file, what: 'the file' };
  return readInsideFolder(path.resolve(modelPath), path.basename(file), 'cardBytes', role).toString('utf8');
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The labels of labels.txt (blank lines at the end ignored), or null when there is none. */
function readLabelsFile(modelPath: string): { labels: string[]; file: string } | null {
  const file = labelsPath(modelPath);
  const text = readLabelsText(modelPath);
  if (text === null) return null;
  const labels = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim());
  while (labels.length > 0 && labels[labels.length - 1] === '') labels.pop();
  if (labels.some((l) => l === '')) throw new UserError(`line ${labels.indexOf('') + 1} is empty; one label per line is needed`, file);
  return { labels, file };
}

/** The default id and name: the folder of a model.json (models/mnist-cnn/model.json), else the file's
 *  name without its extension (resnet18.onnx → resnet18). */
function defaultName(modelPath: string): string {
  const resolved = path.resolve(modelPath);
  if (path.basename(resolved) === 'model.json') return path.basename(path.dirname(resolved));
  return path.basename(resolved).replace(/\.[^.]+$/, '');
}

/** A card as read, with what the reading found worth saying. */
export interface CardReport {
  card: ModelCard;
  /** The card file read, or null when the model has none (every field then comes from the defaults). */
  cardFile: string | null;
  /** One line per field of the card file that was not used (unknown, or free-form), naming the file. */
  warnings: string[];
  /** The defaults the card left to assume: "input range [0, 1]", "no mean/std", "labels 0…9". */
  assumed: string[];
}

/** What a model without a card runs on, in one line: "no card: assumed input range [0, 1], …". */
export function noCardHint(assumed: string[]): string {
  return `no card: assumed ${assumed.join(', ')}; a card.json beside the model says otherwise`;
}

/**
 * The card of the model at `modelPath` for its loaded `network`: defaults, then the card file, then
 * `overrides`. Defaults: id and name from the file (defaultName), labels from labels.txt else "0".."N-1",
 * inputShape from the network ([h, w, c] as declared; a flat [n] as a square grey or RGB image),
 * inputRange [0, 1].
 */
export function readCard(modelPath: string, network: Network, overrides: Partial<ModelCard> = {}): ModelCard {
  return readCardReport(modelPath, network, overrides).card;
}

/** readCard, with the card file's name, its warnings and the defaults assumed. */
export function readCardReport(modelPath: string, network: Network, overrides: Partial<ModelCard> = {}): CardReport {
  const modelJsonPath = modelPath;
  const warnings: string[] = [];
  const read = readCardFile(modelJsonPath, warnings);
  const fromFile = read ?? {};
  const given = validateFields(withoutUndefined(overrides), { field: (key) => `card override "${key}"`, warnings: [] });
  // Cross-checks name the source of the field that is wrong: the override when there is one, else card.json.
  const sourceOf = (key: keyof ModelCard) =>
    key in given ? { file: undefined, field: `card override "${key}"` } : { file: cardPath(modelJsonPath), field: `field "${key}"` };

  const name = defaultName(modelJsonPath);
  const merged: Partial<ModelCard> = { ...fromFile, ...given };
  const labelsFile = merged.labels ? null : readLabelsFile(modelJsonPath);
  if (labelsFile && labelsFile.labels.length !== network.outputSize) {
    throw new UserError(`has ${labelsFile.labels.length} labels but the model has ${network.outputSize} logits`, labelsFile.file);
  }
  const card: ModelCard = {
    id: name,
    name,
    labels: labelsFile?.labels ?? Array.from({ length: network.outputSize }, (_, i) => String(i)),
    inputRange: [0, 1],
    ...merged,
    inputShape: merged.inputShape ?? defaultImageShape(network.inputShape, modelJsonPath),
  };

  if (card.labels.length !== network.outputSize) {
    const { file, field } = sourceOf('labels');
    throw new UserError(`${field} has ${card.labels.length} labels but the model has ${network.outputSize} logits`, file);
  }
  if (merged.inputShape && !fitsNetwork(merged.inputShape, network.inputShape)) {
    const { file, field } = sourceOf('inputShape');
    throw new UserError(`${field} [${merged.inputShape}] does not fit the model's input shape [${network.inputShape}]`, file);
  }
  for (const key of ['mean', 'std'] as const) {
    const v = card[key];
    if (Array.isArray(v) && v.length !== 1 && v.length !== card.inputShape[2]) {
      const { file, field } = sourceOf(key);
      throw new UserError(`${field} has ${v.length} values but the image has ${card.inputShape[2]} channels`, file);
    }
  }
  const assumed: string[] = [];
  if (!('inputRange' in merged)) assumed.push('input range [0, 1]');
  if (merged.mean === undefined && merged.std === undefined) assumed.push('no mean/std');
  if (!merged.labels && !labelsFile) assumed.push(`labels 0…${network.outputSize - 1}`);
  return { card, cardFile: read ? cardPath(modelJsonPath) : null, warnings, assumed };
}

/**
 * The card's input range mapped through mean/std into the network's input space, per channel: the box
 * [l_c, h_c] of the z^B rule, l_c = (low − mean_c) / std_c and h_c likewise (METHODS.md, "Inputs with
 * normalisation"). Null when the card declares unbounded input.
 */
export function networkInputBounds(card: ModelCard): [number[], number[]] | null {
  if (card.inputRange === null) return null;
  const [low, high] = card.inputRange;
  const channels = Array.from({ length: card.inputShape[2] }, (_, c) => c);
  const map = (v: number, c: number) => (v - perChannel(card.mean, c, 0)) / perChannel(card.std, c, 1);
  return [channels.map((c) => map(low, c)), channels.map((c) => map(high, c))];
}

/**
 * Maps an 8-bit pixel value of one channel to the network input: low + (high − low)·v/255, then
 * (x − mean)/std. A card with unbounded input (inputRange null) has no pixel range, so [0, 1] is used.
 */
export function pixelToInput(card: ModelCard): (v: number, channel: number) => number {
  const [low, high] = card.inputRange ?? [0, 1];
  const channels = card.inputShape[2];
  const mean = Array.from({ length: channels }, (_, c) => perChannel(card.mean, c, 0));
  const std = Array.from({ length: channels }, (_, c) => perChannel(card.std, c, 1));
  return (v, channel) => (low + ((high - low) * v) / 255 - mean[channel]) / std[channel];
}

function perChannel(v: number | number[] | undefined, channel: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v;
  return v.length === 1 ? v[0] : v[channel];
}

/** [h, w, c] as declared; [h, w] as grey; a flat [n] as a square grey image, else a square RGB one. */
function defaultImageShape(inputShape: number[], modelJsonPath: string): ImageShape {
  if (inputShape.length === 3) return [inputShape[0], inputShape[1], inputShape[2]];
  if (inputShape.length === 2) return [inputShape[0], inputShape[1], 1];
  if (inputShape.length === 1) {
    const n = inputShape[0];
    const grey = Math.round(Math.sqrt(n));
    if (grey * grey === n) return [grey, grey, 1];
    const rgb = Math.round(Math.sqrt(n / 3));
    if (3 * rgb * rgb === n) return [rgb, rgb, 3];
  }
  throw new UserError(
    `the model's input shape [${inputShape}] is not a square image; add a card.json beside it with "inputShape": [height, width, channels]`,
    modelJsonPath,
  );
}

/** The card's image fits when it has the network's number of values, and its shape when that is an image. */
function fitsNetwork(image: ImageShape, inputShape: number[]): boolean {
  const size = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
  if (inputShape.length === 3) return image.every((d, i) => d === inputShape[i]);
  return size(image) === size(inputShape);
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

interface Source {
  file?: string;
  field: (key: string) => string;
  /** Where fields that are not used are named (unknown ones, a free-form `training`). */
  warnings: string[];
}

/** The fields a card may have (ModelCard's); others are named in a warning and left out. */
const KNOWN_FIELDS = ['id', 'name', 'dataset', 'labels', 'inputShape', 'inputRange', 'mean', 'std', 'resize', 'cropFraction', 'accuracy', 'training'];

/** Checks the type and range of every known field; returns only the fields present. */
function validateFields(json: unknown, source: Source): Partial<ModelCard> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError('must be a JSON object', source.file);
  }
  const raw = json as Record<string, unknown>;
  const fail = (key: string, needs: string): never => {
    throw new UserError(`${source.field(key)} must be ${needs}, not ${shown(raw[key])}`, source.file);
  };
  const card: Partial<ModelCard> = {};
  for (const key of ['id', 'name', 'dataset'] as const) {
    if (key in raw) card[key] = isText(raw[key]) ? (raw[key] as string) : fail(key, 'a non-empty string');
  }
  if ('labels' in raw) {
    const v = raw.labels;
    card.labels = Array.isArray(v) && v.length > 0 && v.every(isText) ? (v as string[]) : fail('labels', 'a non-empty list of strings');
  }
  if ('inputShape' in raw) {
    const v = raw.inputShape;
    const ok = Array.isArray(v) && v.length === 3 && v.every((d) => Number.isInteger(d) && d > 0);
    card.inputShape = ok ? (v as ImageShape) : fail('inputShape', '[height, width, channels] of positive integers');
    checkBudget('inputValues', countOf(card.inputShape), `${source.field('inputShape')} ${shown(v)}`, source.file);
  }
  if ('inputRange' in raw) {
    const v = raw.inputRange;
    const ok = v === null || (Array.isArray(v) && v.length === 2 && v.every(Number.isFinite) && v[0] < v[1]);
    card.inputRange = ok ? (v as [number, number] | null) : fail('inputRange', 'null or [low, high] with low < high');
  }
  if ('mean' in raw) {
    const v = raw.mean;
    card.mean = isNumbers(v, () => true) ? (v as number | number[]) : fail('mean', 'a number or a list of numbers');
  }
  if ('std' in raw) {
    const v = raw.std;
    card.std = isNumbers(v, (x) => x > 0) ? (v as number | number[]) : fail('std', 'a positive number or a list of them');
  }
  if ('resize' in raw) {
    const v = raw.resize;
    card.resize = v === 'crop' || v === 'stretch' ? v : fail('resize', '"crop" or "stretch"');
  }
  if ('cropFraction' in raw) {
    const v = raw.cropFraction;
    card.cropFraction = typeof v === 'number' && v > 0 && v <= 1 ? v : fail('cropFraction', 'a number in (0, 1]');
  }
  if ('accuracy' in raw) {
    const v = raw.accuracy;
    card.accuracy = typeof v === 'number' && v >= 0 && v <= 1 ? v : fail('accuracy', 'a number in [0, 1]');
  }
  if ('training' in raw) {
    const v = raw.training;
    // Free-form: the engine never reads it, so text ("6 epochs") is kept out with a word, not refused.
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) card.training = v as Record<string, unknown>;
    else source.warnings.push(`${where(source)}${source.field('training')} is ${JSON.stringify(v)}, not an object of training facts; not used`);
  }
  const unknown = Object.keys(raw).filter((key) => !KNOWN_FIELDS.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => `"${key}"`).join(', ');
    source.warnings.push(`${where(source)}unknown field${unknown.length > 1 ? 's' : ''} ${names} not used (a card knows ${KNOWN_FIELDS.join(', ')})`);
  }
  return card;
}

function where(source: Source): string {
  return source.file ? `${source.file}: ` : '';
}

function isText(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0;
}

function isNumbers(v: unknown, ok: (x: number) => boolean): boolean {
  const good = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && ok(x);
  return good(v) || (Array.isArray(v) && v.length > 0 && v.every(good));
}
