// Whether a model can predict a data set's samples, and how: as they are, resized by the workers (said
// once), or not at all (one line naming both shapes). Grey and colour are not converted for predictions:
// a grey model on colour data (or the reverse) is almost always the wrong model, and a grid of confident
// nonsense would hide that. No `vscode` import.
import type { Dataset } from '../../engine/data/datasetFile';
import { UserError } from '../../engine/errors';
import type { ImageShape } from '../../protocol/model';

export interface ModelInputPlan {
  /** Set when the workers must resize each sample (PredictJob.sampleShape). */
  sampleShape?: [number, number, number];
  /** Said once in the browser when samples are resized. */
  note?: string;
}

const kind = (channels: number) => (channels === 1 ? 'grey' : channels === 3 ? 'RGB' : `${channels}-channel`);

export function modelInput(dataset: Pick<Dataset, 'height' | 'width' | 'channels' | 'path'>, modelId: string, inputShape: ImageShape): ModelInputPlan {
  const [h, w, c] = inputShape;
  const { height, width, channels } = dataset;
  if (c !== channels) {
    throw new UserError(
      `${modelId} takes ${h}×${w}×${c} (${kind(c)}) images; this data set's samples are ${height}×${width}×${channels} (${kind(channels)}). Pick a model for ${kind(channels)} images.`,
    );
  }
  if (h === height && w === width) return {};
  return {
    sampleShape: [height, width, channels],
    note: `samples are ${width}×${height}, ${modelId} takes ${w}×${h}: each is resized as the explain panel's preprocessing does (Pillow bilinear, centre crop when the aspect differs)`,
  };
}
