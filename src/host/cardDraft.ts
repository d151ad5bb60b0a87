// "Create card…": the card.json a user's answers make for a model that has none. The defaults come from the
// model as the engine read it (input shape, class count, labels.txt); the user says what only they know
// (class names, input range, normalisation). No `vscode`: unit-tested, and the written card is loaded back
// by the engine in the tests.
import * as fs from 'fs';
import * as path from 'path';
import { isModelFileName } from '../engine/import/modelFiles';
import { cardCandidates } from '../engine/model/modelCard';
import type { ImageShape, ModelCard } from '../protocol/model';

/** The input ranges offered, as PyTorch and Keras pipelines produce them. */
export const INPUT_RANGES: Array<{ range: [number, number]; label: string; detail: string }> = [
  { range: [0, 1], label: '[0, 1]', detail: "torchvision's ToTensor(), Keras Rescaling(1/255)" },
  { range: [0, 255], label: '[0, 255]', detail: 'raw 8-bit pixels (no rescaling)' },
  { range: [-1, 1], label: '[-1, 1]', detail: 'Rescaling(1/127.5, offset=-1), Normalize(0.5, 0.5) folded in' },
];

/** torchvision's ImageNet normalisation (transforms.Normalize of its pretrained weights). */
export const IMAGENET_NORMALISATION = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export interface CardAnswers {
  labels: string[];
  inputRange: [number, number];
  mean?: number[];
  std?: number[];
}

/**
 * Where the new card goes: `card.json` beside the model, unless another model file shares the folder (a
 * card.json would then describe it too): `<model file>.card.json`, which the engine reads first.
 */
export function newCardPath(modelPath: string): string {
  const [ownCard, folderCard] = cardCandidates(modelPath);
  const dir = path.dirname(modelPath);
  let others: string[] = [];
  try {
    others = fs.readdirSync(dir).filter((n) => isModelFileName(n) && path.join(dir, n) !== path.resolve(modelPath));
  } catch {
    // The folder is gone: writing will say so.
  }
  return others.length > 0 || fs.existsSync(folderCard) ? ownCard : folderCard;
}

/** The card's JSON: name, the answers, and the input shape the engine read from the model. */
export function draftCard(modelPath: string, read: Pick<ModelCard, 'inputShape' | 'labels'>, answers: CardAnswers): Record<string, unknown> {
  if (answers.labels.length !== read.labels.length) throw new Error(`${answers.labels.length} labels for ${read.labels.length} logits`);
  const card: Record<string, unknown> = {
    name: path.basename(path.resolve(modelPath)) === 'model.json' ? path.basename(path.dirname(path.resolve(modelPath))) : path.basename(modelPath).replace(/\.[^.]+$/, ''),
    labels: answers.labels,
    inputShape: read.inputShape satisfies ImageShape,
    inputRange: answers.inputRange,
  };
  if (answers.mean) card.mean = answers.mean;
  if (answers.std) card.std = answers.std;
  return card;
}

/** Writes the card (2-space JSON, a newline at the end) and returns its path. Never overwrites a card. */
export function writeCard(modelPath: string, card: Record<string, unknown>): string {
  const file = newCardPath(modelPath);
  fs.writeFileSync(file, JSON.stringify(card, null, 2) + '\n', { flag: 'wx' });
  return file;
}

/**
 * Class names as typed: one per comma (or line); a validation message when there are not `count` of them
 * or one is empty, else undefined.
 */
export function parseLabels(text: string): string[] {
  const parts = text.includes('\n') ? text.split(/\r?\n/) : text.split(',');
  return parts.map((p) => p.trim());
}

export function labelsProblem(labels: string[], count: number): string | undefined {
  if (labels.some((l) => l === '')) return `Class ${labels.indexOf('') + 1} is empty: one name per class, separated by commas`;
  if (labels.length !== count) return `${labels.length} names; the model has ${count} classes (logits)`;
  return undefined;
}

/**
 * "0.5, 0.5, 0.5; 0.25, 0.25, 0.25" → mean and std, each of 1 or `channels` numbers, std positive; or the
 * problem in one line.
 */
export function parseNormalisation(text: string, channels: number): { mean: number[]; std: number[] } | string {
  const halves = text.split(';');
  if (halves.length !== 2) return 'Type the mean, a semicolon, then the std: e.g. 0.5, 0.5, 0.5; 0.5, 0.5, 0.5';
  const [mean, std] = halves.map((h) => h.split(/[,\s]+/).filter(Boolean).map(Number));
  for (const [name, values] of [['mean', mean], ['std', std]] as const) {
    if (values.length !== 1 && values.length !== channels) return `${name}: 1 or ${channels} numbers, not ${values.length}`;
    if (values.some((v) => !Number.isFinite(v))) return `${name}: numbers only`;
  }
  if (std.some((v) => v <= 0)) return 'std: positive numbers only';
  return { mean, std };
}
