// From a decoded image to the model's input tensor data, keeping the 8-bit image that was actually fed
// so the UI can show exactly what the model saw.
import type { ImageShape } from '../../protocol/model';
import { UserError } from '../errors';
import { fitLikeMnist, MNIST_BOX_FRACTION } from './mnistFit';
import { borderValues, grayPlane, mean, rgbPlanes } from './planes';
import { resizeForModel, type SourceRegion } from './resizeForModel';
import type { PreprocessMode, ResizeMode } from '../../protocol/preprocess';
import type { RgbaImage } from './rgbaImage';

export interface PreprocessTarget {
  shape: ImageShape;
  /** Maps an 8-bit pixel value (0..255, integer) of `channel` into the network's input space. */
  toInput: (v: number, channel: number) => number;
  /** For `fit`: the share of the field the content's longer side fills. MNIST's 20/28 by default;
   *  FashionMNIST's items were scaled so their longer side fills all 28 pixels, i.e. 1. */
  fitBoxFraction?: number;
  /** For `none`: crop (default) or stretch, and the crop fraction (the card's `resize`, `cropFraction`). */
  resize?: ResizeMode;
  cropFraction?: number;
}

export interface Preprocessed {
  /** h·w·c values in HWC order, in network input space. */
  input: Float32Array;
  /** The h·w·c 8-bit pixels behind `input` (input[i] = toInput(pixels[i], i % c)). */
  pixels: Uint8ClampedArray;
  /** The steps applied, in order, as short phrases the UI shows as they are ("inverted", "cropped",
   *  "scaled", "centred", "grey → RGB", "resized 640×480 → 299×224", "transparent → white" first for an
   *  image with alpha, …); empty when used as it is. */
  steps: string[];
  /** One line saying what was done, for the UI. */
  note: string;
  /** The part of the source image the input shows, in its pixels: the centre crop, else the whole image
   *  (also for the MNIST fit, which moves and scales the content inside the field). */
  region: SourceRegion;
}

function looksLikeModelInput(img: RgbaImage, gray: Float32Array, h: number, w: number): boolean {
  return img.width === w && img.height === h && mean(borderValues(gray, w, h)) < 128;
}

export function preprocess(img: RgbaImage, target: PreprocessTarget, mode: PreprocessMode): Preprocessed {
  const [h, w, c] = target.shape;
  if (c !== 1 && c !== 3) throw new UserError(`models with ${c} input channels are not supported (1 or 3)`);
  const gray = grayPlane(img);
  const mnistSized = c === 1 && h === 28 && w === 28;
  const fit = mode === 'fit' || (mode === 'auto' && mnistSized && !looksLikeModelInput(img, gray, h, w));
  const colour = hasColour(img);

  let planes: ArrayLike<number>[];
  let note: string;
  // Alpha was composited at decoding; said first, as it came first.
  const steps: string[] = img.composited ? [`transparent → ${img.composited}`] : [];
  let region: SourceRegion = { x: 0, y: 0, width: img.width, height: img.height };
  if (fit) {
    const result = fitLikeMnist(gray, img.width, img.height, w, h, target.fitBoxFraction ?? MNIST_BOX_FRACTION);
    planes = Array.from({ length: c }, () => result.plane); // colour models get the gray digit thrice
    note = img.composited ? `transparent → ${img.composited}, ${result.note}` : result.note;
    if (colour) steps.push('RGB → grey');
    steps.push(...result.steps);
    if (c === 3) steps.push('grey → RGB');
  } else {
    if (c === 1 && colour) steps.push('RGB → grey');
    if (c === 3 && !colour) steps.push('grey → RGB');
    const source = c === 1 ? [Uint8Array.from(gray, Math.round)] : rgbPlanes(img).map((p) => Uint8Array.from(p));
    const resized = resizeForModel(source, img.width, img.height, [h, w], target.resize, target.cropFraction);
    planes = resized.planes;
    region = resized.region;
    steps.push(...resized.steps);
    const kind = c === 1 ? 'grayscale' : 'RGB';
    note = resized.steps.length === 0 ? `used as is (${w}×${h} ${kind})` : `${resized.steps.join(', ')} (${kind})`;
    if (img.composited) note = `transparent → ${img.composited}, ${note}`;
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
  return { input, pixels, note, steps, region };
}

/** Whether any pixel's R, G and B differ (decoders give grey images R = G = B). */
function hasColour(img: RgbaImage): boolean {
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return true;
  return false;
}
