// What a reference sample is shown as: the crop of its model input around the channel's peak
// (receptiveField.ts), with the same crop of the sample's conditional heatmap for that channel. One
// `concepts` job computes them for every reference sample of the channels shown (each sample's pixels and
// the conditional maps of the channels it is a reference of).
import type { Dataset } from '../data/datasetFile';
import { sampleSources } from '../data/sampleSources';
import type { WorkerPool } from '../pool/workerPool';
import type { ReferenceSample } from '../../protocol/concepts';
import type { ModelRef } from '../../protocol/engineJobs';

export interface ReferenceView extends ReferenceSample {
  /** The crop of the model input, crop width × height × channels, HWC 8-bit. */
  pixels: Uint8Array;
  channels: number;
  /** The same crop of the sample's conditional heatmap of this channel (for the class of `predicted`). */
  heatmap: Float32Array;
}

/** For each of `channels` (each with its reference samples), the reference samples as they are shown. */
export async function referenceViews(
  pool: Pick<WorkerPool, 'run'>,
  dataset: Dataset,
  request: { model: ModelRef; method: string; layer: string },
  channels: Array<{ channel: number; references: ReferenceSample[] }>,
  signal?: AbortSignal,
): Promise<ReferenceView[][]> {
  const samples = [...new Set(channels.flatMap((c) => c.references.map((r) => r.sample)))].sort((a, b) => a - b);
  if (samples.length === 0) return channels.map(() => []);
  const asked = samples.map((s) => channels.filter((c) => c.references.some((r) => r.sample === s)).map((c) => c.channel));
  const result = await pool.run(
    {
      type: 'concepts',
      ...request,
      images: await sampleSources(dataset, samples),
      // Each sample's relevance is for its predicted class, as the search's was.
      preprocess: 'none',
      conditional: { channels: asked },
    },
    signal,
  );
  const [, width, depth] = result.card.inputShape;
  return channels.map(({ channel, references }) =>
    references.flatMap((ref) => {
      const item = result.items.find((it) => it.image === samples.indexOf(ref.sample));
      const map = item?.conditional.find((m) => m.channel === channel);
      if (!item || !map) return [];
      const image = result.images[item.image];
      const [x, y, w, h] = ref.crop;
      const pixels = new Uint8Array(w * h * depth);
      const heatmap = new Float32Array(w * h);
      for (let row = 0; row < h; row++) {
        pixels.set(image.pixels.subarray(((y + row) * width + x) * depth, ((y + row) * width + x + w) * depth), row * w * depth);
        heatmap.set(map.relevance.subarray((y + row) * width + x, (y + row) * width + x + w), row * w);
      }
      return [{ ...ref, pixels, channels: depth, heatmap }];
    }),
  );
}
