// The worker side of a pixel-flip job: the model from the cache, the images as network inputs, the curves.
import { UserError } from '../errors';
import { freeOnThrow } from '../jobs/freeOnThrow';
import { inputConverter } from '../jobs/inputConverter';
import { getModel } from '../jobs/modelCache';
import type { BackendInfo } from '../../protocol/model';
import type { PixelFlipJob, PixelFlipResult } from '../../protocol/engineJobs';
import { flipCurves } from './flipCurves';
import { flipBaseline } from './perturbation';

export async function runPixelFlip(job: PixelFlipJob, backend: BackendInfo): Promise<PixelFlipResult> {
  const { network, card } = await getModel(job.model);
  const [h, w, c] = card.inputShape;
  const convert = inputConverter(card);
  const images = job.images.map((pixels, i) => {
    if (pixels.length !== h * w * c) throw new UserError(`pixel-flip image ${i} has ${pixels.length} pixel values; the model takes ${h}×${w}×${c}`);
    return convert(pixels);
  });
  const curves = freeOnThrow(() => flipCurves({ network, imageShape: card.inputShape, images, items: job.items, steps: job.steps, baseline: flipBaseline(card) }));
  return { backend, curves };
}
