// A job's images as the model sees them: files decoded, bytes decoded, dataset pixels taken as they are
// when they already fit the model; each then preprocessed. What every job that explains images shares
// (explain, concepts).
import { isUserError, UserError } from '../errors';
import { decodeImage, readImageFile, type RgbaImage } from '../image/decode';
import { preprocess } from '../image/preprocess';
import { pixelToInput } from '../model/modelCard';
import type { ModelCard } from '../../protocol/model';
import type { ExplainJob, ImageSource, PreparedImage } from '../../protocol/engineJobs';
import { checkCancelled } from './cancellation';
import { inputConverter } from './inputConverter';

/**
 * A job's images as the model sees them: every source prepared (an unreadable one gets `error` and no
 * input), the network inputs of the readable ones, and for each input the index of its image.
 */
export async function prepareSources(
  sources: ImageSource[],
  card: ModelCard,
  mode: ExplainJob['preprocess'],
): Promise<{ images: PreparedImage[]; inputs: Float32Array[]; inputIndex: number[] }> {
  const toInput = pixelToInput(card);
  const convert = inputConverter(card);
  const images: PreparedImage[] = [];
  const inputs: Float32Array[] = [];
  const inputIndex: number[] = [];
  for (const source of sources) {
    checkCancelled();
    try {
      const prepared = modelSizedPixels(source, card, mode) ?? (await preprocessSource(source, card, toInput, mode));
      images.push({
        name: sourceName(source),
        pixels: prepared.pixels,
        shape: card.inputShape,
        steps: prepared.steps,
        ...(prepared.frames ? { frames: prepared.frames } : {}),
        ...(prepared.source ? { source: prepared.source } : {}),
      });
      inputIndex.push(images.length - 1);
      inputs.push(prepared.input ?? convert(prepared.pixels));
    } catch (e) {
      if (!isUserError(e)) throw e;
      images.push({ name: sourceName(source), pixels: new Uint8Array(0), shape: card.inputShape, steps: [], error: e.message });
    }
  }
  return { images, inputs, inputIndex };
}

interface PreparedPixels {
  /** The 8-bit image the model sees, h·w·c. */
  pixels: Uint8Array;
  /** Its network input, when already computed. */
  input?: Float32Array;
  steps: string[];
  /** Frame count of an animated file. */
  frames?: number;
  source?: PreparedImage['source'];
}

/** Decode (if needed) and preprocess one image. */
async function preprocessSource(
  source: ImageSource,
  card: ModelCard,
  toInput: (v: number, channel: number) => number,
  mode: ExplainJob['preprocess'],
): Promise<PreparedPixels> {
  const img = await readSource(source);
  const prepared = preprocess(img, { shape: card.inputShape, toInput, resize: card.resize, cropFraction: card.cropFraction }, mode);
  return {
    pixels: new Uint8Array(prepared.pixels),
    input: prepared.input,
    steps: prepared.steps,
    frames: img.frames && img.frames > 1 ? img.frames : undefined,
    source: { width: img.width, height: img.height, region: prepared.region },
  };
}

/**
 * Dataset samples already at the model's size and channel count, with preprocessing off, are the model's
 * 8-bit input as they are: `preprocess` would turn them into RGBA and back to the same values. Skipping
 * that is most of a job's cost outside the network at batch 256.
 */
function modelSizedPixels(source: ImageSource, card: ModelCard, mode: ExplainJob['preprocess']): PreparedPixels | null {
  if (mode !== 'none' || source.kind !== 'pixels') return null;
  const [h, w, c] = card.inputShape;
  if (source.width !== w || source.height !== h || source.channels !== c || source.data.length !== h * w * c) return null;
  return { pixels: source.data.slice(), steps: [] };
}

async function readSource(source: ImageSource): Promise<RgbaImage> {
  switch (source.kind) {
    case 'file':
      return readImageFile(source.path);
    case 'bytes':
      return decodeImage(source.bytes, source.name);
    case 'pixels':
      return pixelsToRgba(source);
  }
}

export function pixelsToRgba(source: Extract<ImageSource, { kind: 'pixels' }>): RgbaImage {
  const { width, height, channels, data } = source;
  if (data.length !== width * height * channels) {
    throw new UserError(`expected ${width}×${height}×${channels} = ${width * height * channels} pixel values, got ${data.length}`, source.name);
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = data[p * channels + (channels === 1 ? 0 : c)];
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, data: rgba };
}

function sourceName(source: ImageSource): string {
  return source.kind === 'file' ? source.path : source.name;
}
