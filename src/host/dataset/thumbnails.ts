// The pixels the dataset grid draws: a sample's own bytes (1 or 3 per pixel, HWC, never widened to RGBA:
// colour costs 3× grey on the wire, not 4×), or for samples larger than THUMBNAIL_MAX_SIDE on a side a
// shrunk copy, so a folder of 640×480 photos sends 64×48 thumbnails instead of 300 times the bytes. No
// `vscode` import.
import { resizeBilinear } from '../../engine/image/resizeForModel';
import { THUMBNAIL_MAX_SIDE } from '../../protocol/datasetMessages';

export interface ThumbnailShape {
  width: number;
  height: number;
  channels: number;
}

/** The thumbnail size of height × width samples: as they are, or the longer side to `maxSide`, aspect kept. */
export function thumbnailSize(height: number, width: number, maxSide = THUMBNAIL_MAX_SIDE): { width: number; height: number } {
  const longer = Math.max(height, width);
  if (longer <= maxSide) return { width, height };
  const scale = maxSide / longer;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * `n` samples of `from` (HWC, concatenated) at the size `to` (same channels): the same bytes when the
 * sizes agree, else each channel shrunk with the engine's (Pillow's antialiased bilinear) resampling.
 */
export function thumbnailPixels(pixels: Uint8Array, n: number, from: ThumbnailShape, to: { width: number; height: number }): Uint8Array {
  if (from.width === to.width && from.height === to.height) return pixels;
  const { width, height, channels } = from;
  const inSize = width * height;
  const outSize = to.width * to.height;
  const out = new Uint8Array(n * outSize * channels);
  const plane = new Uint8Array(inSize);
  for (let i = 0; i < n; i++) {
    const sample = i * inSize * channels;
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < inSize; p++) plane[p] = pixels[sample + p * channels + c];
      const small = resizeBilinear(plane, width, height, to.width, to.height);
      const at = i * outSize * channels + c;
      for (let p = 0; p < outSize; p++) out[at + p * channels] = small[p];
    }
  }
  return out;
}
