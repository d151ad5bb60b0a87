// What every reader turns its stored values into: images of any height × width with 1 or 3 channels as
// 8-bit pixels in HWC order, and the one rule that decides how float data were meant ([0,1] or [0,255]).

/** How float values were understood: 1 means [0,1] (multiplied by 255), 255 means [0,255] already. */
export type ValueScale = 255 | 1;

/** The stored element types images may have. */
export type PixelType = 'u1' | 'f4' | 'f8';

export const BYTES_PER_ELEMENT: Record<PixelType, number> = { u1: 1, f4: 4, f8: 8 };

export type Channels = 1 | 3;

/** The size of one sample as the readers hand it out: height × width × channels bytes, HWC. */
export interface SampleShape {
  height: number;
  width: number;
  channels: Channels;
}

export function sampleBytes(shape: SampleShape): number {
  return shape.height * shape.width * shape.channels;
}

/**
 * How many samples the float-range check looks at: spread evenly over the whole array (first and last
 * included), so a file whose first rows happen to be dark is still judged by the rest.
 */
export const SCALE_SAMPLE_ROWS = 256;

/** Sample indices for the float-range check: up to SCALE_SAMPLE_ROWS, evenly spaced, ascending. */
export function scaleSampleIndices(count: number, rows = SCALE_SAMPLE_ROWS): number[] {
  if (count <= rows) return Array.from({ length: count }, (_, i) => i);
  const picked: number[] = [];
  for (let k = 0; k < rows; k++) picked.push(Math.round((k * (count - 1)) / (rows - 1)));
  return picked;
}

/** The rule: if no value seen exceeds 1.0 the data are [0,1], otherwise [0,255]. */
export function valueScaleFromMax(max: number): ValueScale {
  return max <= 1 ? 1 : 255;
}

/** The largest finite value in a block of stored elements (-Infinity when there is none). */
export function maxValue(bytes: Uint8Array, type: PixelType): number {
  const values = typedView(bytes, type);
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > max && v !== Infinity) max = v;
  }
  return max;
}

/**
 * Stored elements → 8-bit pixels. Floats are multiplied by 255 when the scale is [0,1], then rounded to
 * the nearest integer (ties to even) and clamped to 0..255; NaN becomes 0. A Uint8ClampedArray does
 * exactly that on assignment, which is why it is used here.
 */
export function toPixels(bytes: Uint8Array, type: PixelType, scale: ValueScale): Uint8Array {
  if (type === 'u1') return bytes;
  const values = typedView(bytes, type);
  const out = new Uint8ClampedArray(values.length);
  const factor = scale === 1 ? 255 : 1;
  for (let i = 0; i < values.length; i++) out[i] = values[i] * factor;
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * n samples stored channel by channel (CHW: all of channel 0, then channel 1, ...) → HWC, the order every
 * reader returns. Used for NumPy (N, C, H, W) arrays and CIFAR records.
 */
export function planarToInterleaved(planar: Uint8Array, n: number, shape: SampleShape): Uint8Array {
  const { channels } = shape;
  if (channels === 1) return planar;
  const plane = shape.height * shape.width;
  const size = plane * channels;
  const out = new Uint8Array(n * size);
  for (let s = 0; s < n; s++) {
    const base = s * size;
    for (let c = 0; c < channels; c++) {
      const from = base + c * plane;
      for (let p = 0; p < plane; p++) out[base + p * channels + c] = planar[from + p];
    }
  }
  return out;
}

/**
 * A typed view of little-endian stored elements. Every platform VS Code runs on is little-endian, so the
 * native Float32Array/Float64Array byte order is the stored one. Unaligned blocks are copied first.
 */
function typedView(bytes: Uint8Array, type: PixelType): ArrayLike<number> {
  if (type === 'u1') return bytes;
  const size = BYTES_PER_ELEMENT[type];
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes); // copies
  const length = Math.floor(aligned.byteLength / size);
  return type === 'f4'
    ? new Float32Array(aligned.buffer, aligned.byteOffset, length)
    : new Float64Array(aligned.buffer, aligned.byteOffset, length);
}

/** Rejects reads outside [0, count): a programming error in the caller, not a bad file. */
export function checkSampleRange(start: number, n: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > count) {
    throw new RangeError(`samples [${start}, ${start + n}) are outside [0, ${count})`);
  }
}
