// NumPy .npz files: a zip of .npy arrays. We pick the image array and its labels by name (x/y,
// images/labels, x_train/y_train, x_test/y_test), or else by shape, and read the images like a .npy.
import { UserError } from '../errors';
import { ByteSource, memorySource, openFileSource } from './byteSource';
import type { Dataset } from './datasetFile';
import { SUPPORTED_SHAPES, formatShape, isImageShape } from './arrayLayout';
import { NpyHeader, readNpyHeader, readNpyLabels } from './npyFormat';
import { npyImageDataset } from './npyReader';
import { ZipEntry, openZipEntry, readEntryHead, readZipDirectory } from './zipDirectory';

/** Image/label array names, in order of preference (keras' mnist.npz has x_train before x_test). */
const NAMED_PAIRS: [string, string][] = [
  ['x', 'y'],
  ['images', 'labels'],
  ['x_train', 'y_train'],
  ['x_test', 'y_test'],
];

/** Enough bytes to hold any .npy header numpy writes (they are padded to 64 or 128 bytes, rarely more). */
const HEADER_PEEK_BYTES = 4096;

interface NpzArray {
  name: string;
  entry: ZipEntry;
}

export async function openNpz(path: string, maxInflatedBytes: number): Promise<Dataset> {
  const file = await openFileSource(path);
  let keepFileOpen = false;
  try {
    const arrays = (await readZipDirectory(file, path))
      .filter((entry) => entry.name.endsWith('.npy'))
      .map((entry) => ({ name: entry.name.slice(0, -'.npy'.length), entry }));
    if (arrays.length === 0) throw new UserError('no .npy arrays in this .npz', path);

    const headers = new Map<NpzArray, NpyHeader>();
    const headerOf = async (array: NpzArray) => {
      if (!headers.has(array)) headers.set(array, await peekHeader(file, array, path));
      return headers.get(array)!;
    };
    const images = await chooseImages(arrays, headerOf, path);
    const imagesHeader = await headerOf(images);
    const count = imagesHeader.shape[0];
    const labels = await chooseLabels(arrays, images, count, headerOf);

    const where = `${path} (array '${images.name}')`;
    const source = await openZipEntry(file, images.entry, maxInflatedBytes, where);
    const labelValues = labels ? await readLabels(file, labels, count, maxInflatedBytes, path, await headerOf(labels)) : null;
    // A stored entry is read from the file for as long as the Dataset lives; an inflated one is in memory.
    keepFileOpen = images.entry.method === 0;
    return await npyImageDataset({
      path,
      format: 'npz',
      source,
      header: await readNpyHeader(source, where),
      labels: labelValues,
      labelSource: labels?.name,
      where,
      close: async () => {
        await source.close();
        if (keepFileOpen) await file.close();
      },
    });
  } catch (e) {
    keepFileOpen = false;
    throw e;
  } finally {
    if (!keepFileOpen) await file.close();
  }
}

/** The array named x (or images, x_train, x_test); else the first array with an image shape. */
async function chooseImages(arrays: NpzArray[], headerOf: (a: NpzArray) => Promise<NpyHeader>, path: string): Promise<NpzArray> {
  for (const [x] of NAMED_PAIRS) {
    const named = arrays.find((a) => a.name === x);
    if (named) return named;
  }
  for (const array of arrays) if (isImageShape((await headerOf(array)).shape)) return array;
  const found = await Promise.all(arrays.map(async (a) => `${a.name} ${formatShape((await headerOf(a)).shape)}`));
  throw new UserError(
    `no image array: found ${found.join(', ')}; expected one named x, images, x_train or x_test, or shaped ${SUPPORTED_SHAPES}`,
    path,
  );
}

/** The partner name of the image array (y for x, ...), else the first other 1-D array with one value per image. */
async function chooseLabels(
  arrays: NpzArray[],
  images: NpzArray,
  count: number,
  headerOf: (a: NpzArray) => Promise<NpyHeader>,
): Promise<NpzArray | undefined> {
  const partner = NAMED_PAIRS.find(([x]) => x === images.name)?.[1];
  const named = arrays.find((a) => a.name === partner);
  if (named) return named;
  for (const array of arrays) {
    if (array === images) continue;
    const { shape } = await headerOf(array);
    if (shape.length === 1 && shape[0] === count) return array;
  }
  return undefined;
}

async function readLabels(
  file: ByteSource,
  array: NpzArray,
  count: number,
  maxInflatedBytes: number,
  path: string,
  header: NpyHeader,
): Promise<Uint8Array> {
  const where = `${path} (array '${array.name}')`;
  if (header.shape.length === 1 && header.shape[0] !== count) {
    throw new UserError(`has ${header.shape[0]} labels but the image array has ${count} images`, where);
  }
  const source = await openZipEntry(file, array.entry, maxInflatedBytes, where);
  try {
    return await readNpyLabels(source, await readNpyHeader(source, where), where);
  } finally {
    await source.close();
  }
}

/** Reads an array's .npy header from the first bytes of its entry, without inflating the whole entry. */
async function peekHeader(file: ByteSource, array: NpzArray, path: string): Promise<NpyHeader> {
  const where = `${path} (array '${array.name}')`;
  const head = await readEntryHead(file, array.entry, HEADER_PEEK_BYTES, where);
  // The peeked bytes stand in for the entry; its full size lets readNpyHeader check the data length.
  const peeked = memorySource(head);
  const source: ByteSource = {
    size: array.entry.size,
    read(offset, length) {
      if (offset + length <= head.length) return peeked.read(offset, length);
      if (head.length < Math.min(HEADER_PEEK_BYTES, array.entry.size)) {
        throw new UserError(`entry '${array.entry.name}' is corrupt: its data end after ${head.length} of ${array.entry.size} bytes`, where);
      }
      throw new UserError(`malformed .npy header: longer than ${HEADER_PEEK_BYTES} bytes`, where);
    },
    close: () => peeked.close(),
  };
  return readNpyHeader(source, where);
}
