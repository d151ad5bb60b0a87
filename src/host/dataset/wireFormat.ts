// How the host packs data for the dataset webview (see datasetMessages.ts): typed arrays as base64 of
// their little-endian bytes. No `vscode` import, so the round trip is unit-tested against the webview's
// decoders.
import type { Dataset, DatasetFormat } from '../../engine/data/datasetFile';
import type { DatasetInfo, PredictionChunk } from '../../protocol/datasetMessages';
import type { SampleStats } from './predictionStats';

const FORMAT_LABELS: Record<DatasetFormat, string> = {
  idx: 'MNIST IDX',
  npy: 'NumPy .npy',
  npz: 'NumPy .npz',
  csv: 'CSV',
  cifar10: 'CIFAR-10 binary',
  cifar100: 'CIFAR-100 binary',
  folder: 'image folder',
};

export function toBase64(array: ArrayBufferView): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

export function datasetInfo(dataset: Dataset, name: string): DatasetInfo {
  return {
    name,
    formatLabel: FORMAT_LABELS[dataset.format],
    count: dataset.count,
    height: dataset.height,
    width: dataset.width,
    labels: dataset.labels ? toBase64(dataset.labels) : undefined,
    labelSource: dataset.labelSource,
    valueRange: dataset.valueScale === 1 ? '[0, 1] floats (×255)' : '[0, 255]',
  };
}

export function encodePredictionChunk(start: number, stats: SampleStats): PredictionChunk {
  return {
    start,
    n: stats.predicted.length,
    predicted: toBase64(stats.predicted),
    confidence: toBase64(stats.confidence),
    loss: stats.loss ? toBase64(stats.loss) : undefined,
  };
}
