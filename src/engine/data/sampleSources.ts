// Samples of a data set as engine image sources, the one way both the CLI (`explain`/`evaluate --dataset`)
// and the dataset browser's "Evaluate Methods" hand them to the workers: image-folder samples as their
// files (decoded and preprocessed in the worker, exactly as `explain <file>`), others as the 8-bit pixels
// read (consecutive indices in one read), each named `<data set path> #<index>`.
import type { ImageSource } from '../../protocol/engineJobs';
import type { Dataset } from './datasetFile';

export async function sampleSources(dataset: Dataset, indices: number[]): Promise<ImageSource[]> {
  if (dataset.sampleFile) return indices.map((i) => ({ kind: 'file', path: dataset.sampleFile!(i) }));
  const size = dataset.height * dataset.width * dataset.channels;
  const sources: ImageSource[] = [];
  for (let k = 0; k < indices.length; ) {
    let n = 1;
    while (k + n < indices.length && indices[k + n] === indices[k] + n) n++;
    const pixels = await dataset.read(indices[k], n);
    for (let j = 0; j < n; j++) {
      const data = pixels.slice(j * size, (j + 1) * size);
      sources.push({ kind: 'pixels', name: `${dataset.path} #${indices[k + j]}`, width: dataset.width, height: dataset.height, channels: dataset.channels, data });
    }
    k += n;
  }
  return sources;
}
