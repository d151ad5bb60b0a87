// The one pixel container shared by decoders, preprocessing, heatmaps and the figure.
import { UserError } from '../errors';

/** 8-bit RGBA pixels, row-major, 4 bytes per pixel, no premultiplied alpha. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** Animated formats (GIF): how many frames the file holds; `data` is the first. */
  frames?: number;
  /** Set by decoding when the file had transparent pixels: the tone they were composited onto. */
  composited?: 'white' | 'black';
}

/** Decoding refuses images above this many pixels: 100 MP is already 400 MB of RGBA. */
export const MAX_IMAGE_PIXELS = 100_000_000;

export function createRgbaImage(width: number, height: number, rgba: [number, number, number, number] = [255, 255, 255, 255]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = rgba[0];
    data[i + 1] = rgba[1];
    data[i + 2] = rgba[2];
    data[i + 3] = rgba[3];
  }
  return { width, height, data };
}

/** Checks declared dimensions before any pixel memory is allocated. */
export function assertImageSize(width: number, height: number, fileName: string): void {
  if (!(width > 0 && height > 0)) throw new UserError(`image has no pixels (${width}×${height})`, fileName);
  const pixels = width * height;
  if (pixels > MAX_IMAGE_PIXELS) {
    const mp = (pixels / 1e6).toFixed(0);
    throw new UserError(`image too large: ${width}×${height} is ${mp} MP, the limit is ${MAX_IMAGE_PIXELS / 1e6} MP`, fileName);
  }
}
