// A data set file (MNIST IDX, NumPy .npy/.npz, CSV) seen as a list of 28×28 8-bit images with optional
// labels, readable at any index without loading the file whole: the model under the dataset browser.
import * as fs from 'fs';
import * as nodePath from 'path';
import { UserError } from '../errors';
import { DEFAULT_MAX_INFLATED_BYTES, isGzip } from './byteSource';
import { openCsv } from './csvReader';
import { openIdx } from './idxReader';
import { openNpy } from './npyReader';
import { openNpz } from './npzReader';
import type { ValueScale } from './pixels';

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'csv';

export interface Dataset {
  path: string;
  format: DatasetFormat;
  /** Number of samples. */
  count: number;
  height: number;
  width: number;
  channels: 1;
  /** One label per sample when the file (or the idx1 file beside it) has them. */
  labels: Uint8Array | null;
  /** Where the labels came from: the idx1 file name, the .npz array name, or "first column". */
  labelSource?: string;
  /** How the stored values were understood: 1 = [0,1] floats (×255), 255 = [0,255] (uint8 always is). */
  valueScale: ValueScale;
  /**
   * Samples [start, start+n) as 8-bit pixels, row-major, n*height*width bytes, in a fresh array the caller
   * owns. Reads may run concurrently.
   */
  read(start: number, n: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Limit for a decompressed .gz file or a deflated .npz entry (default 512 MB). */
  maxInflatedBytes?: number;
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
  return NAME_PATTERNS.find(([pattern]) => pattern.test(base))?.[1];
}

export function isDatasetFileName(name: string): boolean {
  return datasetFormatOfName(name) !== undefined;
}

/**
 * Opens a data set file. The format comes from the name, or failing that from the first bytes; every
 * problem with the file is a UserError naming it.
 */
export async function openDataset(path: string, options: OpenOptions = {}): Promise<Dataset> {
  const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch (e) {
    throw new UserError(`cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  if (!stat.isFile()) throw new UserError('is not a file', path);
  if (stat.size === 0) throw new UserError('empty file', path);

  const format = datasetFormatOfName(path) ?? (await sniffFormat(path));
  switch (format) {
    case 'idx':
      return openIdx(path, maxInflated);
    case 'npy':
      return openNpy(path);
    case 'npz':
      return openNpz(path, maxInflated);
    case 'csv':
      return openCsv(path);
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
    'unknown dataset format: expected MNIST IDX images (*-idx3-ubyte, *.idx3-ubyte, optionally .gz), NumPy (.npy, .npz) or CSV (.csv)',
    path,
  );
}
