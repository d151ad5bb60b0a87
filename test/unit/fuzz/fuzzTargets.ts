// What the fuzz test damages and opens: one entry per reader and format. A target gives a few valid
// cases (the files of each, and which one to damage) and opens a case as the product does, using all
// it returns. Every way it can fail must be a UserError whose one-line message names the file.
//
// To fuzz another reader, add one line to FUZZ_TARGETS, e.g.
//   fileTarget('idx', () => [{ files: { 'f-images-idx3-ubyte': bytes }, damage: 'f-images-idx3-ubyte' }], readWholeDataset),
// `open` may return messages the reader gave without failing (they are checked like errors). The model
// formats are in modelTargets.ts: they run in a child process with a memory cap (modelFuzz.test.ts).
import * as jpeg from 'jpeg-js';
import { zipSync } from 'fflate';
import * as zlib from 'node:zlib';
import { GifWriter } from 'omggif';
import { openDataset } from '../../../src/engine/data/datasetFile';
import {
  NUMPY_SAVEZ_COMPRESSED,
  NUMPY_SAVEZ_STORED,
  cifarBytes,
  csvText,
  fromBase64,
  idxImages,
  idxLabels,
  makeChw,
  makeHwc,
  makeImages,
  makeLabels,
  npyBytes,
} from '../data/datasetWriters';
import { writeBmp, writePng, writeWebpLossless } from '../image/encoders';

export interface FuzzCase {
  /** The files of one valid case, by path relative to the case's folder. */
  files: Record<string, Uint8Array>;
  /** Which of them is damaged. */
  damage: string;
  /** What is opened, relative to the case's folder (default: the damaged file; '.' is the folder itself). */
  open?: string;
}

export interface FuzzTarget {
  name: string;
  /** Valid cases; the mutations take turns over them. */
  cases: () => FuzzCase[];
  /** Opens `path` as a user would and uses everything; returns the messages it gave without failing. */
  open: (path: string) => Promise<unknown>;
  /** Damages a case (default: seeded byte-level damage of its `damage` file, mutations.ts). */
  mutate?: (files: Record<string, Uint8Array>, damage: string, random: () => number, root?: string) => CaseMutation;
  /** Prepares a case's folder once, after its files are written: links, FIFOs (`root` holds the canary). */
  setup?: (dir: string, root: string) => void;
}

/** What one damage does to a case. */
export interface CaseMutation {
  /** The new bytes of the case's `damage` file. */
  bytes: Uint8Array;
  /** What was done, for the failure report. */
  what: string;
  /** Files added to the case's folder for this damage only (ONNX external data). */
  extraFiles?: Record<string, Uint8Array>;
  /** Symbolic links made in the case's folder for this damage only (path → target), replacing files. */
  links?: Record<string, string>;
  /** This damage must be refused with an error matching this (a path leaving the folder, a FIFO). */
  mustRefuse?: RegExp;
}

export function fileTarget(name: string, cases: () => FuzzCase[], open: (path: string) => Promise<unknown>, more: Partial<FuzzTarget> = {}): FuzzTarget {
  return { name, cases, open, ...more };
}

/** A data set opened and read whole, as the browser and the CLI would; its notes and unreadable samples returned. */
export async function readWholeDataset(path: string): Promise<string[]> {
  const d = await openDataset(path);
  try {
    const sample = d.height * d.width * d.channels;
    if (!(d.count >= 1 && d.height >= 1 && d.width >= 1 && (d.channels === 1 || d.channels === 3))) {
      throw new Error(`opened with count ${d.count}, ${d.height}×${d.width}×${d.channels}`);
    }
    if (d.labels && d.labels.length !== d.count) throw new Error(`${d.labels.length} labels for ${d.count} samples`);
    for (let start = 0; start < d.count; start += 64) {
      const n = Math.min(64, d.count - start);
      const pixels = await d.read(start, n);
      if (pixels.length !== n * sample) throw new Error(`read(${start}, ${n}) gave ${pixels.length} bytes, expected ${n * sample}`);
    }
    return [...d.notes, ...d.unreadable.values()];
  } finally {
    await d.close();
  }
}

const N = 3;
const grey = makeImages(N);
const labels = makeLabels(N);

function idxCases(): FuzzCase[] {
  return [{ files: { 'f-images-idx3-ubyte': idxImages(grey) }, damage: 'f-images-idx3-ubyte' }];
}

function npyCases(): FuzzCase[] {
  return [
    { files: { 'a.npy': npyBytes('|u1', [N, 28, 28], grey) }, damage: 'a.npy' },
    { files: { 'b.npy': npyBytes('<f4', [N, 3, 8, 8], Float32Array.from(makeChw(N, 8, 8, 3), (v) => v / 255), { version: 2 }) }, damage: 'b.npy' },
    { files: { 'c.npy': npyBytes('<f8', [N, 8, 8, 3], Float64Array.from(makeHwc(N, 8, 8, 3))) }, damage: 'c.npy' },
  ];
}

function npzCases(level: 0 | 6): FuzzCase[] {
  const zip = (arrays: Record<string, Uint8Array>) =>
    zipSync(Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${k}.npy`, [v, { level }]])) as Parameters<typeof zipSync>[0]);
  const real = fromBase64(level === 0 ? NUMPY_SAVEZ_STORED : NUMPY_SAVEZ_COMPRESSED); // numpy's own, with ZIP64 headers
  return [
    { files: { 'a.npz': zip({ x: npyBytes('|u1', [N, 784], grey), y: npyBytes('<i8', [N], BigInt64Array.from(labels, BigInt)) }) }, damage: 'a.npz' },
    { files: { 'b.npz': zip({ x_train: npyBytes('<f4', [N, 8, 8, 3], Float32Array.from(makeHwc(N, 8, 8, 3), (v) => v / 255)), y_train: npyBytes('|u1', [N], labels) }) }, damage: 'b.npz' },
    { files: { 'numpy.npz': real }, damage: 'numpy.npz' },
  ];
}

function cifarCases(variant: 10 | 100): FuzzCase[] {
  const name = variant === 10 ? 'data_batch_1.bin' : 'train.bin';
  return [{ files: { [name]: cifarBytes(2, variant, (i) => i + 1, (i) => i) }, damage: name }];
}

/** A small image of each format our decoders read. */
const IMAGES: Record<string, () => Uint8Array> = {
  png: () => writePng({ width: 8, height: 6, colorType: 2, bitDepth: 8, samples: Array.from(makeHwc(1, 6, 8, 3)) }),
  bmp: () => writeBmp(8, 6, 24, Array.from({ length: 48 }, (_, p) => [p * 5, 255 - p, (p * 3) % 256])),
  gif: () => {
    const buffer = new Uint8Array(1024);
    const gif = new GifWriter(buffer, 8, 6, { palette: [0x000000, 0xffffff, 0xff0000, 0x00ff00] });
    gif.addFrame(0, 0, 8, 6, Array.from({ length: 48 }, (_, i) => (i * 7) % 4));
    return buffer.slice(0, gif.end());
  },
  webp: () => writeWebpLossless(8, 6, Array.from({ length: 48 }, (_, i) => (i % 5 ? [9, 8, 7, 255] : [90, 80, 70, 255]))),
  jpeg: () => {
    const data = Buffer.alloc(8 * 6 * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
    return jpeg.encode({ width: 8, height: 6, data }, 80).data;
  },
};

/** A folder of two classes: a good image, and the damaged one (read as a sample, named if unreadable). */
function folderCases(format: string): FuzzCase[] {
  const good = IMAGES.png();
  const bytes = IMAGES[format]();
  return [
    { files: { 'cats/0.png': good, [`dogs/1.${format}`]: bytes }, damage: `dogs/1.${format}`, open: '.' },
    // Damaged first: the folder's size then comes from the next readable image.
    { files: { [`a/0.${format}`]: bytes, 'a/1.png': good }, damage: `a/0.${format}`, open: '.' },
  ];
}

export const FUZZ_TARGETS: FuzzTarget[] = [
  fileTarget('idx', idxCases, readWholeDataset),
  fileTarget('idx labels', () => [{ files: { 'f-images-idx3-ubyte': idxImages(grey), 'f-labels-idx1-ubyte': idxLabels(labels) }, damage: 'f-labels-idx1-ubyte', open: 'f-images-idx3-ubyte' }], readWholeDataset),
  fileTarget('idx .gz', () => [{ files: { 'f-images-idx3-ubyte.gz': zlib.gzipSync(idxImages(grey)) }, damage: 'f-images-idx3-ubyte.gz' }], readWholeDataset),
  fileTarget('npy', npyCases, readWholeDataset),
  fileTarget('npy labels', () => [{ files: { 'x_train.npy': npyBytes('|u1', [N, 784], grey), 'y_train.npy': npyBytes('<i4', [N], Int32Array.from(labels)) }, damage: 'y_train.npy', open: 'x_train.npy' }], readWholeDataset),
  fileTarget('npz stored', () => npzCases(0), readWholeDataset),
  fileTarget('npz deflated', () => npzCases(6), readWholeDataset),
  fileTarget('csv', (): FuzzCase[] => [{ files: { 'a.csv': Buffer.from(csvText(grey, labels, { header: true })) }, damage: 'a.csv' }, { files: { 'b.csv': Buffer.from(csvText(grey, null, { format: (v) => (v / 255).toFixed(3) })) }, damage: 'b.csv' }], readWholeDataset),
  fileTarget('cifar-10', () => cifarCases(10), readWholeDataset),
  fileTarget('cifar-100', () => cifarCases(100), readWholeDataset),
  fileTarget('cifar names', () => [{ files: { 'test_batch.bin': cifarBytes(1, 10, () => 3), 'batches.meta.txt': Buffer.from('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n') }, damage: 'batches.meta.txt', open: 'test_batch.bin' }], readWholeDataset),
  ...Object.keys(IMAGES).map((format) => fileTarget(`folder ${format}`, () => folderCases(format), readWholeDataset)),
];
