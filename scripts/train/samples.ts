// Writes the sample data of models/samples/ from the npm data packages (see models/samples/README.md):
//   npm run samples
// - two test images per class and data set as 28×28 8-bit grey PNGs, the first two of each class in the
//   test split by position: <dataset>-<class>-<test index, 4 digits>.png
// - the first 1,000 test images of each data set as IDX (gzip), as .npy (images and labels) and as .npz.
// The output is the same byte for byte from one run to the next.
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as zlib from 'zlib';
import { firstImages, loadDataset, PIXELS, SIDE, type Dataset, type DatasetId } from './datasets';
import { writeIdx } from './idx';
import { writeNpyUint8, writeNpz } from './npy';

const SAMPLES_DIR = path.resolve(__dirname, '..', '..', 'models', 'samples');
const SUBSET_SIZE = 1000;
const PNGS_PER_CLASS = 2;

/** Test indices of the first `perClass` images of each class, in test order. */
function firstOfEachClass(labels: Uint8Array, classes: number, perClass: number): number[] {
  const seen = new Array<number>(classes).fill(0);
  const picked: number[] = [];
  labels.forEach((label, i) => {
    if (seen[label] < perClass) {
      seen[label]++;
      picked.push(i);
    }
  });
  return picked;
}

function greyPng(pixels: Uint8Array): Buffer {
  const png = new PNG({ width: SIDE, height: SIDE, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(pixels);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 });
}

function writeSamples(id: DatasetId, data: Dataset): string[] {
  const written: string[] = [];
  const write = (name: string, bytes: Uint8Array) => {
    fs.writeFileSync(path.join(SAMPLES_DIR, name), bytes);
    written.push(name);
  };

  for (const i of firstOfEachClass(data.test.labels, data.labels.length, PNGS_PER_CLASS)) {
    const name = `${id}-${data.test.labels[i]}-${String(i).padStart(4, '0')}.png`;
    write(name, greyPng(data.test.images.subarray(i * PIXELS, (i + 1) * PIXELS)));
  }

  const subset = firstImages(data.test, SUBSET_SIZE);
  const imageShape = [SUBSET_SIZE, SIDE, SIDE];
  // gzip with a zero modification time, as node's zlib writes it: the same bytes on every run.
  write(`${id}-test-1k-images-idx3-ubyte.gz`, zlib.gzipSync(writeIdx(imageShape, subset.images), { level: 9 }));
  write(`${id}-test-1k-labels-idx1-ubyte.gz`, zlib.gzipSync(writeIdx([SUBSET_SIZE], subset.labels), { level: 9 }));
  const x = writeNpyUint8(imageShape, subset.images);
  const y = writeNpyUint8([SUBSET_SIZE], subset.labels);
  write(`${id}-test-1k-images.npy`, x);
  write(`${id}-test-1k-labels.npy`, y);
  write(`${id}-test-1k.npz`, writeNpz({ x, y }));
  return written;
}

function main(): void {
  fs.mkdirSync(SAMPLES_DIR, { recursive: true });
  for (const id of ['mnist', 'fashion'] as const) {
    const written = writeSamples(id, loadDataset(id));
    console.log(`${id}: ${written.length} files in ${path.relative(process.cwd(), SAMPLES_DIR) || '.'}`);
  }
}

main();
