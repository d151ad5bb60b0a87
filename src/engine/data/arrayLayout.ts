// How the shape of a NumPy array of images is read: which axes are height, width and channels.
//   (N, H, W)                       grey
//   (N, H, W, C), C = 1 or 3        channels last (NumPy, PIL, Keras, TensorFlow)
//   (N, C, H, W), C = 1 or 3        channels first (PyTorch)
//   (N, S·S), S ≥ 8                 flat square grey images, e.g. MNIST's (N, 784)
// A shape that fits both 4-D readings, such as (N, 3, 32, 3), is read channels last, and a note says so:
// that is the layout NumPy and image libraries write, and a PyTorch batch only fits both when its width
// is 1 or 3 pixels.
import type { Channels, SampleShape } from './pixels';

export interface ArrayLayout extends SampleShape {
  /** Stored as (N, C, H, W): each sample's channels are planes to interleave. */
  channelsFirst: boolean;
  /** Said once to the user when the shape could be read two ways. */
  note?: string;
}

/** Flat rows shorter than 8×8 are more likely features than images. */
const MIN_FLAT_SIDE = 8;

export const SUPPORTED_SHAPES = '(N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3, or (N, S·S) for square grey images';

/** The layout of an image array's shape, or why it is not one. */
export function arrayLayout(shape: number[]): ArrayLayout | { problem: string } {
  const [n, ...rest] = shape;
  if (shape.length < 2 || shape.length > 4) return { problem: `unsupported array shape ${formatShape(shape)}; supported: ${SUPPORTED_SHAPES}` };
  if (n === 0) return { problem: `the array ${formatShape(shape)} holds no images` };
  if (rest.some((d) => d === 0)) return { problem: `unsupported array shape ${formatShape(shape)}: an image axis of length 0` };
  if (rest.length === 1) return flatLayout(shape);
  if (rest.length === 2) return { height: rest[0], width: rest[1], channels: 1, channelsFirst: false };
  const [a, b, c] = rest;
  const last = isChannelCount(c);
  const first = isChannelCount(a);
  if (last) {
    const note = first
      ? `shape ${formatShape(shape)} fits both (N, H, W, C) and (N, C, H, W); read as channels last: ${a}×${b} images with ${c} channel${c === 1 ? '' : 's'}`
      : undefined;
    return { height: a, width: b, channels: c, channelsFirst: false, note };
  }
  if (first) return { height: b, width: c, channels: a, channelsFirst: true };
  return { problem: `unsupported array shape ${formatShape(shape)}: no axis of 1 or 3 channels; supported: ${SUPPORTED_SHAPES}` };
}

function flatLayout(shape: number[]): ArrayLayout | { problem: string } {
  const k = shape[1];
  const side = Math.round(Math.sqrt(k));
  if (side * side === k && side >= MIN_FLAT_SIDE) return { height: side, width: side, channels: 1, channelsFirst: false };
  const rgbSide = Math.round(Math.sqrt(k / 3));
  if (3 * rgbSide * rgbSide === k && rgbSide >= MIN_FLAT_SIDE) {
    // CIFAR's Python pickles store (N, 3072) as colour planes, x.reshape(N, -1) of an (N, H, W, 3) array
    // interleaves them: the same shape, two meanings. Guessing would show scrambled colours.
    return {
      problem: `flat shape ${formatShape(shape)} could be ${rgbSide}×${rgbSide} RGB as planes or as interleaved pixels; save it as (N, ${rgbSide}, ${rgbSide}, 3) or (N, 3, ${rgbSide}, ${rgbSide})`,
    };
  }
  return { problem: `unsupported array shape ${formatShape(shape)}: ${k} values per row is not a square grey image; supported: ${SUPPORTED_SHAPES}` };
}

function isChannelCount(d: number): d is Channels {
  return d === 1 || d === 3;
}

export function isImageShape(shape: number[]): boolean {
  return !('problem' in arrayLayout(shape));
}

export function formatShape(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
