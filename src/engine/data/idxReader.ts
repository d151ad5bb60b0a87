// MNIST IDX files (LeCun's format): a big-endian header of a magic number and dimension sizes, then raw
// unsigned bytes. Images are idx3 (count, rows, cols); their labels live in a separate idx1 file beside them.
import * as fs from 'fs';
import * as nodePath from 'path';
import { UserError } from '../errors';
import { ByteSource, gunzipFile, isGzip, memorySource, openFileSource, readHead } from './byteSource';
import type { Dataset } from './datasetFile';
import { checkSampleRange } from './pixels';

/** 0x00 0x00, type 0x08 (unsigned byte), number of dimensions. */
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

export async function openIdx(path: string, maxInflatedBytes: number): Promise<Dataset> {
  const source = await openIdxSource(path, maxInflatedBytes);
  try {
    const { count, height, width } = await readImagesHeader(source, path);
    const pixels = height * width;
    const labelFile = await findLabelFile(path);
    const labels = labelFile ? await readLabelFile(labelFile, count, maxInflatedBytes) : null;
    return {
      path,
      format: 'idx',
      count,
      height,
      width,
      channels: 1,
      labels,
      labelSource: labelFile ? nodePath.basename(labelFile) : undefined,
      valueScale: 255,
      notes: [],
      unreadable: new Map(),
      async read(start, n) {
        checkSampleRange(start, n, count);
        return source.read(IMAGES_HEADER_BYTES + start * pixels, n * pixels);
      },
      close: () => source.close(),
    };
  } catch (e) {
    await source.close();
    throw e;
  }
}

/** Plain files are read at offsets; .gz files (recognised by content, not name) are decompressed once. */
async function openIdxSource(path: string, maxInflatedBytes: number): Promise<ByteSource> {
  const file = await openFileSource(path);
  if (!isGzip(await readHead(file, 2))) return file;
  await file.close();
  return memorySource(await gunzipFile(path, maxInflatedBytes));
}

/** Checks the header of an idx3 image file against its size; returns the image count and size. */
async function readImagesHeader(source: ByteSource, path: string): Promise<{ count: number; height: number; width: number }> {
  if (source.size < 4) throw new UserError(`truncated IDX file: ${source.size} bytes, too short for a header`, path);
  const head = await readHead(source, IMAGES_HEADER_BYTES);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IMAGES_MAGIC) {
    const hint = magic === LABELS_MAGIC ? ' (this is an idx1 label file; open the idx3 images file beside it)' : '';
    throw new UserError(`wrong magic number ${hex(magic)}, expected ${hex(IMAGES_MAGIC)} for IDX images${hint}`, path);
  }
  if (head.length < IMAGES_HEADER_BYTES) throw new UserError(`truncated IDX file: ${source.size} bytes, the header alone needs 16`, path);
  const [count, rows, cols] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  if (rows === 0 || cols === 0) throw new UserError(`header says the images are ${rows}×${cols}`, path);
  if (count === 0) throw new UserError('header says the file holds 0 images', path);
  const expected = count * rows * cols;
  const present = source.size - IMAGES_HEADER_BYTES;
  if (present < expected) {
    throw new UserError(
      `truncated IDX file: header says ${count} images of ${rows}×${cols} (${expected} bytes), file has ${present} bytes after the header`,
      path,
    );
  }
  return { count, height: rows, width: cols };
}

/**
 * The idx1 label file beside an idx3 image file, if there is one: the same name with idx3 → idx1 and
 * images → labels (train-images-idx3-ubyte ↔ train-labels-idx1-ubyte, x-images.idx3-ubyte ↔
 * x-labels.idx1-ubyte), with or without .gz.
 */
export async function findLabelFile(imagesPath: string): Promise<string | undefined> {
  const dir = nodePath.dirname(imagesPath);
  const base = nodePath.basename(imagesPath).replace(/\.gz$/i, '');
  const labelsBase = base.replace(/idx3/gi, 'idx1').replace(/images/g, 'labels').replace(/Images/g, 'Labels');
  if (labelsBase === base) return undefined;
  for (const name of [labelsBase, labelsBase + '.gz']) {
    const candidate = nodePath.join(dir, name);
    const stat = await fs.promises.stat(candidate).catch(() => undefined);
    if (stat?.isFile()) return candidate;
  }
  return undefined;
}

/** Reads a whole idx1 label file (they are small: one byte per sample) and checks it matches the images. */
async function readLabelFile(path: string, imageCount: number, maxInflatedBytes: number): Promise<Uint8Array> {
  const source = await openIdxSource(path, maxInflatedBytes);
  try {
    if (source.size < LABELS_HEADER_BYTES) throw new UserError(`truncated IDX label file: ${source.size} bytes`, path);
    const head = await readHead(source, LABELS_HEADER_BYTES);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const magic = view.getUint32(0);
    if (magic !== LABELS_MAGIC) throw new UserError(`wrong magic number ${hex(magic)}, expected ${hex(LABELS_MAGIC)} for IDX labels`, path);
    const count = view.getUint32(4);
    if (count !== imageCount) throw new UserError(`has ${count} labels but the images file has ${imageCount} images`, path);
    if (source.size - LABELS_HEADER_BYTES < count) {
      throw new UserError(`truncated IDX label file: header says ${count} labels, file has ${source.size - LABELS_HEADER_BYTES}`, path);
    }
    return await source.read(LABELS_HEADER_BYTES, count);
  } finally {
    await source.close();
  }
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
