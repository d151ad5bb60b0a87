// RGBA to float planes (0..255) and the border statistics that decide what is background.
import type { RgbaImage } from './rgbaImage';

/** ITU-R BT.601 luma, the weights MNIST-era tools and most grayscale conversions use. */
export function grayPlane(img: RgbaImage): Float32Array {
  const out = new Float32Array(img.width * img.height);
  const d = img.data;
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2];
  return out;
}

/** One plane per colour channel: R, G, B. */
export function rgbPlanes(img: RgbaImage): Float32Array[] {
  const n = img.width * img.height;
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planes[c][i] = img.data[4 * i + c];
  return planes;
}

/** The values of the outer frame of a plane, about 2% of the shorter side thick (at least 1 px). */
export function borderValues(plane: Float32Array, width: number, height: number): number[] {
  const t = Math.max(1, Math.round(0.02 * Math.min(width, height)));
  const values: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y < t || y >= height - t || x < t || x >= width - t) values.push(plane[y * width + x]);
    }
  }
  return values;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}

/** The p-th percentile (0..100) with linear interpolation between order statistics (numpy's default). */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
}
