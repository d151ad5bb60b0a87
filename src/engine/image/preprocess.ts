// From a decoded image to the model's input tensor data, keeping the 8-bit image that was actually fed
// so the UI can show exactly what the model saw.
import type { ImageShape } from '../types';
import { UserError } from '../errors';
import { fitLikeMnist, MNIST_BOX_FRACTION } from './mnistFit';
import { borderValues, grayPlane, mean, rgbPlanes } from './planes';
import { resizePlane } from './resize';
import type { RgbaImage } from './rgbaImage';

/**
 * - `none`: convert to the model's channels and resize (stretching if the aspect differs).
 * - `fit`: the MNIST procedure (see mnistFit.ts).
 * - `auto`: `none` for what already looks like model input (model-sized, dark background) or for colour
 *   models, `fit` for everything else, e.g. a photo of a digit on white paper.
 */
export type PreprocessMode = 'auto' | 'fit' | 'none';

export interface PreprocessTarget {
  shape: ImageShape;
  /** Maps an 8-bit pixel value (0..255, integer) of `channel` into the network's input space. */
  toInput: (v: number, channel: number) => number;
  /** For `fit`: the share of the field the content's longer side fills. MNIST's 20/28 by default;
   *  FashionMNIST's items were scaled so their longer side fills all 28 pixels, i.e. 1. */
  fitBoxFraction?: number;
}

export interface Preprocessed {
  /** h·w·c values in HWC order, in network input space. */
  input: Float32Array;
  /** The h·w·c 8-bit pixels behind `input` (input[i] = toInput(pixels[i], i % c)). */
  pixels: Uint8ClampedArray;
  /** The steps applied, in order, as short phrases the UI shows as they are ("inverted", "cropped",
   *  "scaled", "centred", …); empty when the image was used as it is. */
  steps: string[];
  /** One line saying what was done, for the UI. */
  note: string;
}

function looksLikeModelInput(img: RgbaImage, gray: Float32Array, h: number, w: number): boolean {
  return img.width === w && img.height === h && mean(borderValues(gray, w, h)) < 128;
}

export function preprocess(img: RgbaImage, target: PreprocessTarget, mode: PreprocessMode): Preprocessed {
  const [h, w, c] = target.shape;
  if (c !== 1 && c !== 3) throw new UserError(`models with ${c} input channels are not supported (1 or 3)`);
  const gray = grayPlane(img);
  const fit = mode === 'fit' || (mode === 'auto' && c === 1 && !looksLikeModelInput(img, gray, h, w));

  let planes: Float32Array[];
  let note: string;
  let steps: string[];
  if (fit) {
    const result = fitLikeMnist(gray, img.width, img.height, w, h, target.fitBoxFraction ?? MNIST_BOX_FRACTION);
    planes = Array.from({ length: c }, () => result.plane); // colour models get the gray digit thrice
    steps = [...result.steps];
    note = result.note;
  } else {
    const source = c === 1 ? [gray] : rgbPlanes(img);
    planes = source.map((p) => resizePlane(p, img.width, img.height, w, h));
    const kind = c === 1 ? 'grayscale' : 'RGB';
    steps = img.width === w && img.height === h ? [] : ['scaled'];
    note = img.width === w && img.height === h ? `used as is (${w}×${h} ${kind})` : `resized ${img.width}×${img.height} to ${w}×${h} ${kind}`;
  }

  const pixels = new Uint8ClampedArray(h * w * c);
  const input = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) {
    for (let ch = 0; ch < c; ch++) {
      const v = Math.round(Math.min(255, Math.max(0, planes[ch][i])));
      pixels[i * c + ch] = v;
      input[i * c + ch] = target.toInput(v, ch);
    }
  }
  return { input, pixels, steps, note };
}
