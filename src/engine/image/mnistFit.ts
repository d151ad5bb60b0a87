// LeCun's MNIST normalisation, so a photo of a digit looks like what an MNIST model was trained on:
// light strokes on black, the digit's bounding box scaled (aspect kept, anti-aliased) to fit 20×20, and
// placed in the 28×28 field so that its centre of mass is the field's centre. Other sizes scale the same
// proportions. Photos also get a levels stretch (paper to 0, darkest ink to 255), which MNIST's
// scanned-and-thresholded sources never needed.
import { borderValues, mean, percentile } from './planes';
import { resizePlane } from './resize';

/** MNIST's content box: 20 of 28 pixels. */
export const MNIST_BOX_FRACTION = 20 / 28;

/** Stroke values above this (of 255, after the stretch) count as content for the bounding box. */
const CONTENT_THRESHOLD = 0.1 * 255;
/** Below this ink-to-paper contrast (of 255) the image has no content to fit. */
const MIN_CONTRAST = 32;
/** Photos are first shrunk to this longer side: enough detail for a 28-pixel target, far less work. */
const WORKING_SIZE = 1024;

/** The short names of the fit's steps, as the panel shows them ("inverted · cropped · centred"). */
export type FitStep = 'inverted' | 'levels stretched' | 'cropped' | 'scaled' | 'centred';

export interface FitResult {
  /** outHeight × outWidth, values 0..255, light content on black. */
  plane: Float32Array;
  /** False when nothing stood out from the background and the whole image was resized instead. */
  found: boolean;
  /** The steps that changed something, in the order applied: a step that would leave the image as it
   *  was (a dark background is not inverted, content already 20×20 is not scaled) is not listed. */
  steps: FitStep[];
  note: string;
}

export function fitLikeMnist(
  gray: Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  boxFraction = MNIST_BOX_FRACTION,
): FitResult {
  let plane = gray;
  let w = width;
  let h = height;
  if (Math.max(w, h) > WORKING_SIZE) {
    const s = WORKING_SIZE / Math.max(w, h);
    [w, h] = [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
    plane = resizePlane(gray, width, height, w, h);
  } else {
    plane = Float32Array.from(gray);
  }
  const steps: FitStep[] = [];
  const done: string[] = [];
  const shrunk = w !== width || h !== height;

  // 1. Light strokes on black: invert when the border (the paper) is light.
  if (mean(borderValues(plane, w, h)) > 127.5) {
    for (let i = 0; i < plane.length; i++) plane[i] = 255 - plane[i];
    steps.push('inverted');
    done.push('inverted the light background');
  }

  // 2. Levels: paper (90th percentile of the border, so paper texture drops out) to 0, brightest ink to 255.
  const paper = percentile(borderValues(plane, w, h), 90);
  let ink = 0;
  for (let i = 0; i < plane.length; i++) ink = Math.max(ink, plane[i]);
  if (ink - paper < MIN_CONTRAST) {
    if (width !== outWidth || height !== outHeight) steps.push('scaled');
    return {
      plane: resizePlane(plane, w, h, outWidth, outHeight),
      found: false,
      steps,
      note: `nothing stands out from the background; resized the whole ${width}×${height} image`,
    };
  }
  // Paper already at 0 and ink at 255 (an MNIST-like image) leave every value as it is.
  if (paper > 0 || ink < 255) {
    for (let i = 0; i < plane.length; i++) plane[i] = Math.min(1, Math.max(0, (plane[i] - paper) / (ink - paper))) * 255;
    steps.push('levels stretched');
  }

  // 3. Crop to the content's bounding box.
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (plane[y * w + x] > CONTENT_THRESHOLD) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  const cropW = x1 - x0 + 1;
  const cropH = y1 - y0 + 1;
  const crop = new Float32Array(cropW * cropH);
  for (let y = 0; y < cropH; y++) crop.set(plane.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + cropW), y * cropW);

  // 4. Longer side into the box, aspect kept.
  const scale = Math.min((boxFraction * outWidth) / cropW, (boxFraction * outHeight) / cropH);
  const boxW = Math.min(outWidth, Math.max(1, Math.round(cropW * scale)));
  const boxH = Math.min(outHeight, Math.max(1, Math.round(cropH * scale)));
  const digit = resizePlane(crop, cropW, cropH, boxW, boxH);

  // 5. Centre of mass to the field's centre (pixel centres at i + 0.5, so the centre of 28 is 14),
  //    by a whole-pixel shift that keeps strokes sharp, never pushing content off the field.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < boxH; y++) {
    for (let x = 0; x < boxW; x++) {
      const v = digit[y * boxW + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const left = Math.min(outWidth - boxW, Math.max(0, Math.round(outWidth / 2 - mx / mass)));
  const top = Math.min(outHeight - boxH, Math.max(0, Math.round(outHeight / 2 - my / mass)));
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < boxH; y++) out.set(digit.subarray(y * boxW, (y + 1) * boxW), (top + y) * outWidth + left);

  // Cropped when the content box is smaller than the image; scaled when the box changed size (a working
  // copy of a big photo was scaled too); centred when the content now sits elsewhere than it did.
  // A crop that is scaled back 1:1 to where it was changed nothing the user could see: not listed.
  const scaled = shrunk || boxW !== cropW || boxH !== cropH;
  const moved = scaled || left !== x0 || top !== y0 || width !== outWidth || height !== outHeight;
  const cropped = (cropW < width || cropH < height) && moved;
  if (cropped) steps.push('cropped');
  if (scaled) steps.push('scaled');
  if (moved) steps.push('centred');
  done.push(`cropped the ${cropW}×${cropH} content`, `scaled it to ${boxW}×${boxH}`, `centred it by mass in ${outWidth}×${outHeight}`);
  return { plane: out, found: true, steps, note: `fitted like MNIST: ${done.join(', ')}` };
}
