// The worker side of a pixel-flip job: the model from the cache, the images as network inputs, what the
// removed pixels become (the baseline images, or ROAD's noise level), the curves.
import { UserError } from '../errors';
import { freeOnThrow } from '../jobs/freeOnThrow';
import { inputConverter } from '../jobs/inputConverter';
import { getModel } from '../jobs/modelCache';
import { pixelToInput } from '../model/modelCard';
import type { BackendInfo, ModelCard } from '../../protocol/model';
import type { PixelFlipJob, PixelFlipResult } from '../../protocol/engineJobs';
import { baselineImage, DEFAULT_BASELINE } from './baselines';
import { flipCurves, type Removal } from './flipCurves';
import { ROAD_NOISE } from './roadImputation';

export async function runPixelFlip(job: PixelFlipJob, backend: BackendInfo): Promise<PixelFlipResult> {
  const { network, card } = await getModel(job.model);
  const [h, w, c] = card.inputShape;
  const convert = inputConverter(card);
  const images = job.images.map((pixels, i) => {
    if (pixels.length !== h * w * c) throw new UserError(`pixel-flip image ${i} has ${pixels.length} pixel values; the model takes ${h}×${w}×${c}`);
    return convert(pixels);
  });
  const removal = removalOf(job, card, images);
  const curves = freeOnThrow(() => flipCurves({ network, imageShape: card.inputShape, images, items: job.items, steps: job.steps, removal, patch: job.patch }));
  return { backend, curves };
}

/** What the removed pixels become for this job and card. */
export function removalOf(job: Pick<PixelFlipJob, 'measure' | 'baseline'>, card: ModelCard, images: Float32Array[]): Removal {
  if (job.measure === 'road') return { kind: 'road', noise: roadNoiseLevels(card) };
  const kind = job.baseline ?? DEFAULT_BASELINE;
  return { kind: 'replace', baselines: images.map((image) => baselineImage(kind, image, card)) };
}

/** ROAD's σ = 0.01 on the image scale [0, 1], per channel in model-input units: 0.01 · (input of 255 − input of 0). */
export function roadNoiseLevels(card: ModelCard): number[] {
  const toInput = pixelToInput(card);
  return Array.from({ length: card.inputShape[2] }, (_, c) => ROAD_NOISE * (toInput(255, c) - toInput(0, c)));
}
