// How an image of any size becomes the model's input size when it is not MNIST-fitted: what torchvision's
// eval transform does, to the pixel. By default (`crop`) the image is scaled, aspect kept, until it covers
// the input (the shorter side to the input's: torchvision's Resize(size)), then centre-cropped
// (CenterCrop); a card's `cropFraction` f < 1 first scales the binding side to input / f, as
// Resize(256) + CenterCrop(224) does for f = 0.875 (timm's crop_pct). `stretch` scales each axis to the
// input's (Resize((h, w))), changing the aspect ratio.
//
// The resampling is PIL's bilinear filter (what torchvision's Resize applies to PIL images, antialiased:
// when shrinking, the triangle filter widens to cover every source pixel), computed as Pillow's
// Resample.c does: coefficients normalised per output pixel, 22-bit fixed point, the horizontal pass first
// into 8-bit rows, then the vertical pass. The result equals Pillow's byte for byte
// (test/fixtures/resize, written by torchvision).
import type { ResizeMode } from '../../protocol/preprocess';

export interface ResizeResult {
  /** One plane per channel, dstH × dstW, integer values 0..255. */
  planes: Uint8Array[];
  /** What was done, for the UI: "resized 640×480 → 299×224", "centre crop 224×224". */
  steps: string[];
  /** The part of the source image the input shows, in source pixels (fractional): where an overlay of the
   *  heatmap on the original goes. The whole image unless cropped. */
  region: SourceRegion;
}

export interface SourceRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pillow's fixed-point precision for 8-bit images. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/**
 * Resizes 8-bit planes of `width` × `height` to the model's [outH, outW]: `crop` (cover, then centre crop;
 * `cropFraction` in (0, 1]) or `stretch`.
 */
export function resizeForModel(
  planes: Uint8Array[],
  width: number,
  height: number,
  [outH, outW]: [number, number],
  mode: ResizeMode = 'crop',
  cropFraction = 1,
): ResizeResult {
  const whole: SourceRegion = { x: 0, y: 0, width, height };
  if (width === outW && height === outH && (mode === 'stretch' || cropFraction === 1)) return { planes, steps: [], region: whole };
  if (mode === 'stretch') {
    return {
      planes: planes.map((p) => resizeBilinear(p, width, height, outW, outH)),
      steps: [`resized ${width}×${height} → ${outW}×${outH} (aspect not kept)`],
      region: whole,
    };
  }
  // The side that binds (the image is relatively wider than the input: its height) goes to input / f; the
  // other follows the aspect ratio, truncated as torchvision does.
  const imageIsWider = width * outH >= height * outW;
  let newW: number;
  let newH: number;
  if (imageIsWider) {
    newH = Math.floor(outH / cropFraction + 1e-9);
    newW = Math.max(Math.trunc((newH * width) / height), outW);
  } else {
    newW = Math.floor(outW / cropFraction + 1e-9);
    newH = Math.max(Math.trunc((newW * height) / width), outH);
  }
  const steps: string[] = [];
  let resized = planes;
  if (newW !== width || newH !== height) {
    resized = planes.map((p) => resizeBilinear(p, width, height, newW, newH));
    steps.push(`resized ${width}×${height} → ${newW}×${newH}`);
  }
  if (newW === outW && newH === outH) return { planes: resized, steps, region: whole };
  // torchvision: int(round((size - crop) / 2.0)), Python's round (halves to even).
  const top = roundHalfEven((newH - outH) / 2);
  const left = roundHalfEven((newW - outW) / 2);
  const cropped = resized.map((p) => {
    const out = new Uint8Array(outW * outH);
    for (let y = 0; y < outH; y++) out.set(p.subarray((top + y) * newW + left, (top + y) * newW + left + outW), y * outW);
    return out;
  });
  steps.push(`centre crop ${outW}×${outH}`);
  const [sx, sy] = [width / newW, height / newH];
  return { planes: cropped, steps, region: { x: left * sx, y: top * sy, width: outW * sx, height: outH * sy } };
}

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Pillow's ImagingResample with the bilinear filter on one 8-bit plane. */
export function resizeBilinear(src: Uint8Array, srcW: number, srcH: number, dstW: number, dstH: number): Uint8Array {
  if (srcW === dstW && srcH === dstH) return Uint8Array.from(src);
  const horizontal = coefficients(srcW, dstW);
  const vertical = coefficients(srcH, dstH);
  let rows = src;
  let rowOffset = 0;
  let rowWidth = srcW;
  if (dstW !== srcW) {
    // Only the source rows the vertical pass reads.
    const first = vertical.bounds[0];
    const last = vertical.bounds[2 * (dstH - 1)] + vertical.bounds[2 * (dstH - 1) + 1];
    const temp = new Uint8Array((last - first) * dstW);
    for (let y = first; y < last; y++) {
      for (let x = 0; x < dstW; x++) {
        const xmin = horizontal.bounds[2 * x];
        const count = horizontal.bounds[2 * x + 1];
        let ss = ONE / 2;
        for (let k = 0; k < count; k++) ss += src[y * srcW + xmin + k] * horizontal.kk[x * horizontal.ksize + k];
        temp[(y - first) * dstW + x] = clip8(ss);
      }
    }
    rows = temp;
    rowOffset = first;
    rowWidth = dstW;
  }
  if (dstH === srcH) return rows;
  const out = new Uint8Array(dstW * dstH);
  for (let y = 0; y < dstH; y++) {
    const ymin = vertical.bounds[2 * y] - rowOffset;
    const count = vertical.bounds[2 * y + 1];
    for (let x = 0; x < dstW; x++) {
      let ss = ONE / 2;
      for (let k = 0; k < count; k++) ss += rows[(ymin + k) * rowWidth + x] * vertical.kk[y * vertical.ksize + k];
      out[y * dstW + x] = clip8(ss);
    }
  }
  return out;
}

function clip8(ss: number): number {
  if (ss >= ONE * 256) return 255;
  if (ss <= 0) return 0;
  return Math.floor(ss / ONE);
}

/** Pillow's precompute_coeffs (bilinear support 1, widened by the scale when shrinking) in fixed point. */
function coefficients(inSize: number, outSize: number): { ksize: number; bounds: Int32Array; kk: Int32Array } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const weights = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      weights[x] = t < 1 ? 1 - t : 0;
      total += weights[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? weights[x] / total : weights[x];
      // C's (int)(x ± 0.5): truncation toward zero.
      kk[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { ksize, bounds, kk };
}
