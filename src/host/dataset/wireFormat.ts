// How the host packs data for the dataset webview (see datasetMessages.ts): typed arrays, each copied
// into a buffer of its own. VS Code posts a view's whole underlying buffer, and a Node Buffer would go as
// a JSON array of numbers (its toJSON runs before VS Code's replacer sees it). No `vscode` import.
import type { Dataset, DatasetFormat } from '../../engine/data/datasetFile';
import type { DatasetInfo, PredictionChunk } from '../../protocol/datasetMessages';
import type { SampleStats } from './predictionStats';
import { thumbnailSize } from './thumbnails';

const FORMAT_LABELS: Record<DatasetFormat, string> = {
  idx: 'MNIST IDX',
  npy: 'NumPy .npy',
  npz: 'NumPy .npz',
  csv: 'CSV',
  cifar10: 'CIFAR-10 binary',
  cifar100: 'CIFAR-100 binary',
  folder: 'image folder',
};

/** The bytes of `view` in a plain Uint8Array of their own. */
export function ownBytes(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}

export function datasetInfo(dataset: Dataset, name: string): DatasetInfo {
  return {
    name,
    formatLabel: FORMAT_LABELS[dataset.format],
    count: dataset.count,
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    ...(({ width, height }) => ({ thumbWidth: width, thumbHeight: height }))(thumbnailSize(dataset.height, dataset.width)),
    labels: dataset.labels ? ownBytes(dataset.labels) : undefined,
    labelSource: dataset.labelSource,
    valueRange: dataset.valueScale === 1 ? '[0, 1] floats (×255)' : '[0, 255]',
    ...(dataset.labelNames?.length ? { labelNames: [...dataset.labelNames] } : {}),
    notes: [...dataset.notes],
  };
}

export function encodePredictionChunk(start: number, stats: SampleStats): PredictionChunk {
  return {
    start,
    n: stats.predicted.length,
    predicted: new Int32Array(stats.predicted),
    confidence: new Float32Array(stats.confidence),
    loss: stats.loss ? new Float32Array(stats.loss) : undefined,
  };
}
