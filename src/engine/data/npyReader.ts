// A NumPy array of images as a Dataset: a .npy file, or one array of an .npz (npzReader.ts). The
// format itself is npyFormat.ts's, how a shape is read arrayLayout.ts's.
import { UserError } from '../errors';
import { arrayLayout, type ArrayLayout } from './arrayLayout';
import { ByteSource, openFileSource } from './byteSource';
import type { Dataset, DatasetFormat } from './datasetFile';
import { describeDtype, readNpyHeader, type NpyHeader } from './npyFormat';
import { findNpyLabelFile } from './npyLabelFile';
import {
  BYTES_PER_ELEMENT,
  PixelType,
  SCALE_SAMPLE_ROWS,
  checkSampleRange,
  maxValue,
  planarToInterleaved,
  scaleSampleIndices,
  toPixels,
  valueScaleFromMax,
} from './pixels';

const IMAGE_DTYPES: Record<string, PixelType> = { '|u1': 'u1', '<u1': 'u1', u1: 'u1', '<f4': 'f4', '<f8': 'f8' };
const SUPPORTED_IMAGE_DTYPES = 'uint8 (|u1), float32 (<f4), float64 (<f8)';
/**
 * At most this many bytes are read at open to decide a float array's scale: 256 rows of 28×28 or
 * 32×32×3 floats fit many times over, 224×224×3 ones take fewer rows instead of 150 MB.
 */
const SCALE_SAMPLE_BYTES = 16 * 1024 * 1024;

export async function openNpy(path: string): Promise<Dataset> {
  const file = await openFileSource(path);
  try {
    const header = await readNpyHeader(file, path);
    const layout = imageLayout(header, path); // before looking for labels: a bad array is the first thing to say
    const labelFile = await findNpyLabelFile(path, header.shape[0]);
    return await npyImageDataset({
      path,
      format: 'npy',
      source: file,
      header,
      layout,
      labels: labelFile?.labels ?? null,
      labelSource: labelFile?.labels ? labelFile.name : undefined,
      notes: labelFile?.notes,
      close: () => file.close(),
    });
  } catch (e) {
    await file.close();
    throw e;
  }
}

/** Checks an array holds images we can show and explains in one line when it does not. */
function imageLayout(header: NpyHeader, where: string): ArrayLayout & { type: PixelType } {
  if (header.fortranOrder) throw new UserError('Fortran-order arrays are not supported; save with np.ascontiguousarray(x)', where);
  const type = IMAGE_DTYPES[header.descr];
  if (!type) throw new UserError(`unsupported dtype ${describeDtype(header.descr)} for images; supported: ${SUPPORTED_IMAGE_DTYPES}`, where);
  const layout = arrayLayout(header.shape);
  if ('problem' in layout) throw new UserError(layout.problem, where);
  return { ...layout, type };
}

export interface NpyImageArgs {
  path: string;
  format: DatasetFormat;
  /** The bytes of the .npy (the file, or one .npz entry). */
  source: ByteSource;
  header: NpyHeader;
  /** From imageLayout, when the caller has already checked the array (else checked here). */
  layout?: ArrayLayout & { type: PixelType };
  labels: Uint8Array | null;
  labelSource?: string;
  /** Notes the caller already has (about the labels). */
  notes?: string[];
  /** `where` for messages, when it differs from `path` (an .npz entry). */
  where?: string;
  close: () => Promise<void>;
}

/**
 * A Dataset over a .npy image array. Float arrays get their value scale from up to SCALE_SAMPLE_ROWS rows
 * spread over the array (see valueScaleFromMax): cheap on a 1 GB file, and dark first rows cannot
 * mislead it.
 */
export async function npyImageDataset(args: NpyImageArgs): Promise<Dataset> {
  const { source, header } = args;
  const where = args.where ?? args.path;
  const layout = args.layout ?? imageLayout(header, where);
  const { type, height, width, channels } = layout;
  const count = header.shape[0];
  const rowBytes = height * width * channels * BYTES_PER_ELEMENT[type];
  const readRows = (start: number, n: number) => source.read(header.dataOffset + start * rowBytes, n * rowBytes);

  let max = -Infinity;
  if (type !== 'u1') {
    const rows = Math.max(1, Math.min(count, Math.floor(SCALE_SAMPLE_BYTES / rowBytes)));
    for (const i of scaleSampleIndices(count, Math.min(rows, SCALE_SAMPLE_ROWS))) max = Math.max(max, maxValue(await readRows(i, 1), type));
  }
  const valueScale = type === 'u1' ? 255 : valueScaleFromMax(max);
  return {
    path: args.path,
    format: args.format,
    count,
    height,
    width,
    channels,
    labels: args.labels,
    labelSource: args.labelSource,
    valueScale,
    notes: [...(layout.note ? [`${where}: ${layout.note}`] : []), ...(args.notes ?? [])],
    unreadable: new Map(),
    async read(start, n) {
      checkSampleRange(start, n, count);
      const pixels = toPixels(await readRows(start, n), type, valueScale);
      return layout.channelsFirst ? planarToInterleaved(pixels, n, layout) : pixels;
    },
    close: args.close,
  };
}

