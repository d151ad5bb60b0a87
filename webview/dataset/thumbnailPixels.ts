// One thumbnail's bytes (1 or 3 per pixel, HWC, as the host sends them) into the RGBA of an ImageData,
// enlarged by a whole factor with nearest-neighbour pixels so a 28×28 digit or a 32×32 CIFAR image stays
// crisp. Pure: the unit tests check it without a canvas.

/** Thumbnails are drawn at most this many CSS pixels on a side (the host shrinks larger samples to fit). */
export const THUMB_BOX = 64;

/** The whole zoom that fits a width × height thumbnail in THUMB_BOX (1 when it already fills it). */
export function thumbZoom(width: number, height: number, box = THUMB_BOX): number {
  return Math.max(1, Math.floor(box / Math.max(width, height, 1)));
}

/**
 * Writes `pixels` (width × height × channels, channels 1 = grey, 3 = RGB) enlarged `zoom`× into `rgba`
 * (width·zoom × height·zoom × 4, opaque).
 */
export function thumbnailRgba(rgba: Uint8ClampedArray, pixels: Uint8Array, width: number, height: number, channels: 1 | 3, zoom: number): void {
  const outWidth = width * zoom;
  for (let y = 0; y < height * zoom; y++) {
    const sourceRow = ((y / zoom) | 0) * width;
    for (let x = 0; x < outWidth; x++) {
      const p = (sourceRow + ((x / zoom) | 0)) * channels;
      const o = 4 * (y * outWidth + x);
      if (channels === 1) {
        rgba[o] = rgba[o + 1] = rgba[o + 2] = pixels[p];
      } else {
        rgba[o] = pixels[p];
        rgba[o + 1] = pixels[p + 1];
        rgba[o + 2] = pixels[p + 2];
      }
      rgba[o + 3] = 255;
    }
  }
}
