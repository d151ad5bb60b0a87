// A data set (MNIST IDX, NumPy .npy/.npz, CSV, CIFAR binary batches, a folder of images) seen as a list
// of 8-bit images of one size with optional labels, readable at any index without loading it whole: the
// model under the dataset browser and the CLI's --dataset.
import * as fs from 'fs';
import * as nodePath from 'path';
import { isUserError, UserError } from '../errors';
import { DEFAULT_MAX_INFLATED_BYTES, isGzip } from './byteSource';
import { CIFAR_NAMES, cifarVariantOfName, openCifar } from './cifarReader';
import { openCsv } from './csvReader';
import { openIdx } from './idxReader';
import { openImageFolder } from './imageFolder';
import { openNpy } from './npyReader';
import { openNpz } from './npzReader';
import { checkSampleRange, type Channels, type ValueScale } from './pixels';

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'csv' | 'cifar10' | 'cifar100' | 'folder';

export interface Dataset {
  /** The file, or the folder of an image folder. */
  path: string;
  format: DatasetFormat;
  /** Number of samples. */
  count: number;
  height: number;
  width: number;
  channels: Channels;
  /** One label per sample when the data set has them (in the file, beside it, or as class folders). */
  labels: Uint8Array | null;
  /** Where the labels came from: the idx1 file name, the .npz array name, "first column", "class folders", ... */
  labelSource?: string;
  /** The class name of each label value, when the data set knows them (CIFAR's meta files, folder names). */
  labelNames?: string[];
  /** How the stored values were understood: 1 = [0,1] floats (×255), 255 = [0,255] (uint8 always is). */
  valueScale: ValueScale;
  /**
   * What the user should hear once about how the data were read (an ambiguous shape, images resized, a
   * label-names file that does not fit): one line each, naming the file. Image folders add to it as
   * samples are read.
   */
  notes: string[];
  /**
   * Samples that could not be read so far (image folders only: a damaged file among good ones), with a
   * one-line message naming the file. Their pixels read as zeros; every other sample stays readable.
   */
  unreadable: ReadonlyMap<number, string>;
  /** The file a sample comes from, when each sample is a file of its own (image folders). */
  sampleFile?(index: number): string;
  /**
   * Samples [start, start+n) as 8-bit pixels, HWC order, n·height·width·channels bytes, in a fresh array
   * the caller owns. Reads may run concurrently.
   */
  read(start: number, n: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Limit for a decompressed .gz file or a deflated .npz entry (default 512 MB). */
  maxInflatedBytes?: number;
  /** Image folders: the size every image is resized to (default: the first image's). */
  imageSize?: { width: number; height: number };
}

const NAME_PATTERNS: [RegExp, DatasetFormat][] = [
  [/[-.]idx3-ubyte(\.gz)?$/i, 'idx'],
  [/\.npy$/i, 'npy'],
  [/\.npz$/i, 'npz'],
  [/\.csv$/i, 'csv'],
];

/** The format a file name promises, if any. */
export function datasetFormatOfName(name: string): DatasetFormat | undefined {
  const base = nodePath.basename(name);
  return cifarVariantOfName(base) ?? NAME_PATTERNS.find(([pattern]) => pattern.test(base))?.[1];
}

export function isDatasetFileName(name: string): boolean {
  return datasetFormatOfName(name) !== undefined;
}

/**
 * Opens a data set file, or a folder of images. The format comes from the name, or failing that from the
 * first bytes; every problem with the data is a UserError naming the file.
 */
export async function openDataset(path: string, options: OpenOptions = {}): Promise<Dataset> {
  const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch (e) {
    throw new UserError(`cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  try {
    if (stat.isDirectory()) return guarded(await openImageFolder(path, options.imageSize));
    if (!stat.isFile()) throw new UserError('is not a file', path);
    if (stat.size === 0) throw new UserError('empty file', path);
    const format = datasetFormatOfName(path) ?? (await sniffFormat(path));
    return guarded(await openFormat(format, path, maxInflated));
  } catch (e) {
    throw asFileError(e, path);
  }
}

function openFormat(format: DatasetFormat, path: string, maxInflated: number): Promise<Dataset> {
  switch (format) {
    case 'idx':
      return openIdx(path, maxInflated);
    case 'npy':
      return openNpy(path);
    case 'npz':
      return openNpz(path, maxInflated);
    case 'csv':
      return openCsv(path);
    case 'cifar10':
    case 'cifar100':
      return openCifar(path, format);
    case 'folder':
      throw new UserError('is a file, not a folder of images', path);
  }
}

/** For files whose name says nothing: recognise the format by its magic bytes. */
async function sniffFormat(path: string): Promise<DatasetFormat> {
  const head = Buffer.alloc(6);
  const handle = await fs.promises.open(path, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  if (isGzip(head)) return 'idx'; // the only compressed format we read; openIdx checks what is inside
  if (head[0] === 0 && head[1] === 0 && head[2] === 0x08) return 'idx';
  if (head.toString('latin1') === '\x93NUMPY') return 'npy';
  if (head.toString('latin1', 0, 4) === 'PK\x03\x04') return 'npz';
  throw new UserError(
    `unknown dataset format: expected MNIST IDX images (*-idx3-ubyte, *.idx3-ubyte, optionally .gz), NumPy (.npy, .npz), CSV (.csv), CIFAR binary batches (${CIFAR_NAMES}) or a folder of images`,
    path,
  );
}

/**
 * The last line of defence: the readers parse untrusted bytes and every failure should already be a
 * UserError with a precise message. Anything else that escapes (a RangeError from a header that lies in
 * a way no check foresaw) still means a damaged file to the user, so it becomes one line naming it. The
 * fuzz tests fail on messages that went through here, so it cannot hide a reader bug for long.
 */
export function asFileError(e: unknown, path: string): Error {
  if (isUserError(e)) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new UserError(`cannot read (${code})`, path);
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new UserError(`damaged or unsupported file (${UNFORESEEN} ${message.split('\n')[0]})`, path);
}

/** Marks the messages made by asFileError from an error no reader check foresaw. */
export const UNFORESEEN = 'unforeseen error:';

/** The same guard on every read. Reads outside [0, count) stay RangeErrors: they are the caller's bug. */
function guarded(dataset: Dataset): Dataset {
  const read = dataset.read.bind(dataset);
  dataset.read = async (start, n) => {
    checkSampleRange(start, n, dataset.count);
    try {
      return await read(start, n);
    } catch (e) {
      throw asFileError(e, dataset.path);
    }
  };
  return dataset;
}
