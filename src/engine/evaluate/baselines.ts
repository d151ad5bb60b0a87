// What pixel flipping puts where it removes a pixel (docs/faithfulness.md, "Faithfulness measures"): black (the model
// input of an 8-bit 0), the data set's mean colour (the card's mean; a card without one names no data set,
// so then the image's own mean colour), or the same pixel of a blurred copy; and how to say each in the user's terms. Pure (no tfjs):
// the host describes the baseline with the same code the workers use.
import { pixelToInput } from '../model/modelCard';
import type { FlipBaseline } from '../../protocol/engineJobs';
import type { ImageShape, ModelCard } from '../../protocol/model';

export type BaselineKind = FlipBaseline;
export const BASELINE_KINDS: readonly BaselineKind[] = ['black', 'mean', 'blur'];
export const DEFAULT_BASELINE: BaselineKind = 'black';

/** The blur's σ in pixels for an h × w input: max(h, w)/28 (1 at 28×28, 8 at 224×224). */
export function blurSigma(h: number, w: number): number {
  return Math.max(h, w) / 28;
}

/** Per channel, the model input of an 8-bit pixel 0 under the card's range and mean/std. */
export function blackInput(card: ModelCard): number[] {
  const toInput = pixelToInput(card);
  return Array.from({ length: card.inputShape[2] }, (_, c) => toInput(0, c));
}

/** The mean per channel of an HWC image. */
export function channelMeans(image: ArrayLike<number>, channels: number): number[] {
  const totals = new Float64Array(channels);
  for (let i = 0; i < image.length; i++) totals[i % channels] += image[i];
  return Array.from(totals, (t) => t / (image.length / channels));
}

/** Per channel, the model input of the mean colour for `input` (model input, HWC): 0 when the card
 *  normalises by the data set's mean, else the image's own mean. */
export function meanInput(card: ModelCard, input: Float32Array): number[] {
  const channels = card.inputShape[2];
  return card.mean !== undefined ? new Array<number>(channels).fill(0) : channelMeans(input, channels);
}

/** A Gaussian blur of an HWC image, σ in pixels, separable, kernel cut at ⌈3σ⌉ and normalised, edges repeated. */
export function blurred(input: Float32Array, [h, w, c]: ImageShape, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((k) => k / sum);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  const rows = new Float32Array(input.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let total = 0;
        for (let i = -radius; i <= radius; i++) total += weights[i + radius] * input[(y * w + clamp(x + i, w)) * c + ch];
        rows[(y * w + x) * c + ch] = total;
      }
    }
  }
  const out = new Float32Array(input.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let total = 0;
        for (let i = -radius; i <= radius; i++) total += weights[i + radius] * rows[(clamp(y + i, h) * w + x) * c + ch];
        out[(y * w + x) * c + ch] = total;
      }
    }
  }
  return out;
}

/** The values a removed pixel of `input` (model input, HWC) takes, as an image of the same size. */
export function baselineImage(kind: BaselineKind, input: Float32Array, card: ModelCard): Float32Array {
  const [h, w, c] = card.inputShape;
  if (kind === 'blur') return blurred(input, card.inputShape, blurSigma(h, w));
  const values = kind === 'mean' ? meanInput(card, input) : blackInput(card);
  const out = new Float32Array(h * w * c);
  for (let i = 0; i < out.length; i++) out[i] = values[i % c];
  return out;
}

/** The baseline in the user's terms: "pixels set to black (0 in the image), i.e. −2 after the card's mean/std". */
export function describeBaseline(kind: BaselineKind, card: ModelCard): string {
  const [h, w] = card.inputShape;
  const normalised = card.mean !== undefined || card.std !== undefined;
  const after = normalised ? "after the card's mean/std" : 'in the model input';
  if (kind === 'blur') return `pixels replaced by a blurred copy of the image (Gaussian, σ = ${formatNumber(blurSigma(h, w))} px)`;
  if (kind === 'mean') {
    if (card.mean !== undefined) return `pixels set to the data set's mean colour (the card's mean), i.e. 0 ${after}`;
    return "pixels set to the image's own mean colour (the card has no mean/std to name the data set's)";
  }
  return `pixels set to black (0 in the image), i.e. ${valuesText(blackInput(card))} ${after}`;
}

function valuesText(values: readonly number[]): string {
  const distinct = values.every((v) => Math.abs(v - values[0]) < 1e-9) ? [values[0]] : values;
  return distinct.map(formatNumber).join(', ');
}

/** Two decimals at most, a true minus sign, no −0. */
function formatNumber(v: number): string {
  const text = String(Number(v.toFixed(2)));
  return text === '-0' ? '0' : text.replace('-', '−');
}
