// CIFAR-10 and CIFAR-100 binary batches (the "binary version" of Krizhevsky's data sets): fixed-size
// records with no header. CIFAR-10 (data_batch_1.bin … data_batch_5.bin, test_batch.bin): 1 label byte,
// then 3,072 pixel bytes. CIFAR-100 (train.bin, test.bin): a coarse label byte (20 superclasses), a fine
// label byte (100 classes), then the pixels. The pixels of a record are 32×32 colour planes: 1,024 red,
// 1,024 green, 1,024 blue, each row-major. We use CIFAR-100's fine labels (the 100 classes models are
// trained on); label names come from batches.meta.txt (CIFAR-10) or fine_label_names.txt (CIFAR-100)
// beside the file, one name per line, as the archives ship them.
import * as fs from 'fs';
import * as nodePath from 'path';
import { UserError } from '../errors';
import { openFileSource } from './byteSource';
import type { Dataset } from './datasetFile';
import { checkSampleRange } from './pixels';

export type CifarVariant = 'cifar10' | 'cifar100';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXEL_BYTES = 3 * PLANE;

interface VariantInfo {
  title: string;
  labelBytes: number;
  classes: number;
  namesFile: string;
  names: string;
}

const VARIANTS: Record<CifarVariant, VariantInfo> = {
  cifar10: { title: 'CIFAR-10', labelBytes: 1, classes: 10, namesFile: 'batches.meta.txt', names: 'data_batch_N.bin or test_batch.bin' },
  cifar100: { title: 'CIFAR-100', labelBytes: 2, classes: 100, namesFile: 'fine_label_names.txt', names: 'train.bin or test.bin' },
};
const CIFAR100_COARSE_CLASSES = 20;

export const CIFAR_NAMES = 'data_batch_N.bin, test_batch.bin (CIFAR-10), train.bin, test.bin (CIFAR-100)';

/** Which CIFAR file a name promises: the archives' own names, also with a prefix (cifar10-test_batch.bin). */
export function cifarVariantOfName(base: string): CifarVariant | undefined {
  if (/(^|[-_.])(data_batch_\d+|test_batch)\.bin$/i.test(base)) return 'cifar10';
  if (/(^|[-_.])(train|test)\.bin$/i.test(base)) return 'cifar100';
  return undefined;
}

/** Records read per step while collecting the labels at open (about 3 MB). */
const LABEL_SCAN_RECORDS = 1024;
/** A label-names file longer than this is not one. */
const MAX_NAMES_FILE_BYTES = 64 * 1024;

export async function openCifar(path: string, variant: CifarVariant): Promise<Dataset> {
  const info = VARIANTS[variant];
  const recordBytes = info.labelBytes + PIXEL_BYTES;
  const file = await openFileSource(path);
  try {
    const count = checkSize(file.size, variant, path);
    const labels = await readLabels(path, count, variant);
    const names = await readLabelNames(path, info);
    return {
      path,
      format: variant,
      count,
      height: SIDE,
      width: SIDE,
      channels: 3,
      labels,
      labelSource: variant === 'cifar100' ? 'fine labels' : 'label bytes',
      labelNames: names.names,
      valueScale: 255,
      notes: names.notes,
      unreadable: new Map(),
      async read(start, n) {
        checkSampleRange(start, n, count);
        return recordsToHwc(await file.read(start * recordBytes, n * recordBytes), n, info.labelBytes);
      },
      close: () => file.close(),
    };
  } catch (e) {
    await file.close();
    throw e;
  }
}

/** The record count, when the size is a whole number of records. */
function checkSize(size: number, variant: CifarVariant, path: string): number {
  const info = VARIANTS[variant];
  const recordBytes = info.labelBytes + PIXEL_BYTES;
  if (size % recordBytes === 0) return size / recordBytes;
  const records = Math.floor(size / recordBytes);
  const other: CifarVariant = variant === 'cifar10' ? 'cifar100' : 'cifar10';
  const otherBytes = VARIANTS[other].labelBytes + PIXEL_BYTES;
  const hint =
    size % otherBytes === 0
      ? `; its size fits ${size / otherBytes} ${VARIANTS[other].title} records: ${VARIANTS[other].title} files are named ${VARIANTS[other].names}`
      : '';
  throw new UserError(
    `truncated or not a ${info.title} batch: ${size} bytes is ${records} records of ${recordBytes} bytes (label${info.labelBytes > 1 ? 's' : ''} + 32×32×3 pixels) and ${size - records * recordBytes} bytes more${hint}`,
    path,
  );
}

/**
 * One pass over the file for the label bytes, a few MB at a time through one buffer (labels sit in front
 * of every record, so all of the file passes through once; none of it is kept). Checks every label is in
 * range: a file whose "labels" are not is damaged, or not a CIFAR batch at all.
 */
async function readLabels(path: string, count: number, variant: CifarVariant): Promise<Uint8Array> {
  const info = VARIANTS[variant];
  const recordBytes = info.labelBytes + PIXEL_BYTES;
  const labels = new Uint8Array(count);
  const buffer = Buffer.alloc(LABEL_SCAN_RECORDS * recordBytes);
  const handle = await fs.promises.open(path, 'r');
  try {
    for (let start = 0; start < count; start += LABEL_SCAN_RECORDS) {
      const n = Math.min(LABEL_SCAN_RECORDS, count - start);
      await readFully(handle, buffer, n * recordBytes, start * recordBytes, path);
      for (let i = 0; i < n; i++) {
        const at = i * recordBytes;
        if (variant === 'cifar100' && buffer[at] >= CIFAR100_COARSE_CLASSES) {
          throw labelError(start + i, `coarse label ${buffer[at]}`, `0–${CIFAR100_COARSE_CLASSES - 1}`, info, path);
        }
        const label = buffer[at + info.labelBytes - 1];
        if (label >= info.classes) throw labelError(start + i, `label ${label}`, `0–${info.classes - 1}`, info, path);
        labels[start + i] = label;
      }
    }
  } finally {
    await handle.close();
  }
  return labels;
}

async function readFully(handle: fs.promises.FileHandle, buffer: Buffer, length: number, position: number, path: string): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new UserError(`file ended at byte ${position + done} (it shrank while being read)`, path);
    done += bytesRead;
  }
}

function labelError(record: number, what: string, range: string, info: VariantInfo, path: string): UserError {
  return new UserError(`record ${record} has ${what}, outside ${info.title}'s ${range}: a damaged file, or not a ${info.title} batch`, path);
}

/** The class names beside the file, when that file is there and has one name per class. */
async function readLabelNames(path: string, info: VariantInfo): Promise<{ names?: string[]; notes: string[] }> {
  const namesPath = nodePath.join(nodePath.dirname(path), info.namesFile);
  let bytes: Buffer;
  try {
    const stat = await fs.promises.stat(namesPath);
    if (!stat.isFile()) return { notes: [] };
    if (stat.size > MAX_NAMES_FILE_BYTES) return { notes: [`${namesPath}: not used as label names: ${stat.size} bytes is too long for ${info.classes} names`] };
    bytes = await fs.promises.readFile(namesPath);
  } catch {
    return { notes: [] }; // no names file: the labels are shown as numbers
  }
  // One name per line; the archives end the file with blank lines.
  const names = bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.replace(/[\u0000-\u001f\u007f]/g, '').trim())
    .filter((line) => line !== '');
  if (names.length !== info.classes) {
    return { notes: [`${namesPath}: not used as label names: it has ${names.length} names, ${info.title} has ${info.classes} classes`] };
  }
  return { names, notes: [] };
}

/** n records → n HWC images: each record's label bytes skipped, its three colour planes interleaved. */
function recordsToHwc(records: Uint8Array, n: number, labelBytes: number): Uint8Array {
  const recordBytes = labelBytes + PIXEL_BYTES;
  const out = new Uint8Array(n * PIXEL_BYTES);
  for (let s = 0; s < n; s++) {
    const from = s * recordBytes + labelBytes;
    const to = s * PIXEL_BYTES;
    for (let p = 0; p < PLANE; p++) {
      out[to + 3 * p] = records[from + p];
      out[to + 3 * p + 1] = records[from + PLANE + p];
      out[to + 3 * p + 2] = records[from + 2 * PLANE + p];
    }
  }
  return out;
}
