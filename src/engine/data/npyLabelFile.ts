// The labels of a .npy image array live in another .npy beside it. Which one: the image file's name with
// "images" → "labels" (train_images.npy ↔ train_labels.npy), "data" → "labels", or x → y as a word of its
// own (x_train.npy ↔ y_train.npy, X_test.npy ↔ y_test.npy); else <name>_labels.npy, <name>-labels.npy or
// <name>.labels.npy; else the only *labels*.npy in the folder, if its length is the image count.
import * as fs from 'fs';
import * as nodePath from 'path';
import { UserError } from '../errors';
import { openFileSource } from './byteSource';
import { formatShape } from './arrayLayout';
import { readNpyHeader, readNpyLabels } from './npyFormat';

export interface NpyLabelFile {
  /** The label file's name (for "labels from …"). */
  name: string;
  /** Absent when the file was found but does not fit (a note then says why). */
  labels: Uint8Array | undefined;
  notes: string[];
}

/** Names the labels of `imagesPath` may have, most specific first. */
export function npyLabelCandidates(imagesPath: string): string[] {
  const base = nodePath.basename(imagesPath).replace(/\.npy$/i, '');
  const names = new Set<string>();
  for (const [from, to] of [
    [/images/g, 'labels'],
    [/Images/g, 'Labels'],
    [/IMAGES/g, 'LABELS'],
    [/data/g, 'labels'],
    [/Data/g, 'Labels'],
  ] as const) {
    if (from.test(base)) names.add(base.replace(from, to));
  }
  // x as a word of its own: x, x_train, train-x, X.test, not "xray" or "box".
  const word = /(^|[-_.])[xX](?=$|[-_.])/;
  if (word.test(base)) {
    names.add(base.replace(word, '$1y'));
    names.add(base.replace(word, '$1Y'));
  }
  for (const sep of ['_', '-', '.']) names.add(`${base}${sep}labels`);
  names.delete(base);
  return [...names].map((n) => `${n}.npy`);
}

/**
 * The labels beside an .npy of `count` images, if there are any. A file that matches by name must fit
 * (else that is an error naming it); the folder's only *labels*.npy is taken only when its length fits.
 */
export async function findNpyLabelFile(imagesPath: string, count: number): Promise<NpyLabelFile | undefined> {
  const dir = nodePath.dirname(imagesPath);
  for (const name of npyLabelCandidates(imagesPath)) {
    const file = nodePath.join(dir, name);
    if (await isFile(file)) return { name, labels: (await readLabelFile(file, count, true)) as Uint8Array, notes: [] };
  }
  const self = nodePath.basename(imagesPath);
  let entries: string[] = [];
  try {
    entries = await fs.promises.readdir(dir);
  } catch {
    return undefined; // an unreadable folder only means no labels
  }
  const others = entries.filter((n) => n !== self && /labels/i.test(n) && /\.npy$/i.test(n));
  if (others.length !== 1 || !(await isFile(nodePath.join(dir, others[0])))) return undefined;
  const file = nodePath.join(dir, others[0]);
  const labels = await readLabelFile(file, count, false);
  if (labels instanceof Uint8Array) return { name: others[0], labels, notes: [] };
  return { name: others[0], labels: undefined, notes: [`${imagesPath}: ${others[0]} beside it is not used as its labels: ${labels.why}`] };
}

/** A label file that matches by name must fit; the folder's only *labels*.npy is skipped (with why) when not. */
async function readLabelFile(file: string, count: number, mustFit: boolean): Promise<Uint8Array | { why: string }> {
  const source = await openFileSource(file);
  try {
    const header = await readNpyHeader(source, file);
    if (!(header.shape.length === 1 && header.shape[0] === count) && !mustFit) {
      return { why: `shape ${formatShape(header.shape)} is not one label for each of the ${count} images` };
    }
    if (header.shape.length === 1 && header.shape[0] !== count) {
      throw new UserError(`has ${header.shape[0]} labels but the image array beside it has ${count} images`, file);
    }
    return await readNpyLabels(source, header, file);
  } finally {
    await source.close();
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await fs.promises.stat(path).catch(() => undefined))?.isFile() ?? false;
}
