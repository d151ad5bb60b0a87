// Relevance and model inputs → RGBA pixels, with no DOM: the same numbers feed the canvases, the export
// and the unit tests. Colouring is the engine's own renderHeatmap (src/engine/heatmap: colour maps,
// percentile normalisation, overlay), so the panel, its PNG export and the CLI produce identical pixels.
// Upscaling is nearest-neighbour by an integer factor so every model pixel stays a crisp square.
import { renderHeatmap } from '../../src/engine/heatmap/render';
import type { RgbaImage } from '../../src/engine/image/rgbaImage';
import type { PixelImage } from '../../src/protocol/webviewMessages';
import type { DisplaySettings } from '../../src/protocol/display';

export type { RgbaImage };

export function blankRgba(width: number, height: number): RgbaImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** A relevance map of `shape` [height, width], coloured with the display's colour map and normalisation. */
export function heatmapRgba(
  relevance: ArrayLike<number>,
  shape: [number, number],
  display: Pick<DisplaySettings, 'colormap' | 'normalization'>,
  scale = 1,
): RgbaImage {
  return renderHeatmap(Float32Array.from(relevance), shape, { colormap: display.colormap, normalization: display.normalization, scale });
}

/** The heatmap exactly as the panel shows it: coloured, over the model input when overlay is on, enlarged. */
export function displayedHeatmap(
  relevance: ArrayLike<number>,
  shape: [number, number],
  input: PixelImage | undefined,
  display: DisplaySettings,
  scale = 1,
): RgbaImage {
  // The overlay needs the input at the map's size (it always is: both are the model's input size).
  const overlay = display.overlay && input && input.height === shape[0] && input.width === shape[1] && (input.channels === 1 || input.channels === 3);
  return renderHeatmap(Float32Array.from(relevance), shape, {
    colormap: display.colormap,
    normalization: display.normalization,
    scale,
    overlay: overlay ? { pixels: input.pixels, opacity: display.opacity, byRelevance: display.opacityByRelevance === true } : undefined,
  });
}

/** The model input (gray or RGB bytes) as RGBA. */
export function inputRgba(input: PixelImage): RgbaImage {
  const image = blankRgba(input.width, input.height);
  const c = input.channels;
  for (let i = 0; i < input.width * input.height; i++) {
    const r = input.pixels[i * c] ?? 0;
    const g = c >= 3 ? input.pixels[i * c + 1] : r;
    const b = c >= 3 ? input.pixels[i * c + 2] : r;
    image.data.set([r, g, b, 255], i * 4);
  }
  return image;
}

/** Each pixel becomes a factor × factor square. */
export function upscale(src: RgbaImage, factor: number): RgbaImage {
  const k = Math.max(1, Math.floor(factor));
  if (k === 1) return src;
  const out = blankRgba(src.width * k, src.height * k);
  const rowBytes = out.width * 4;
  for (let y = 0; y < src.height; y++) {
    const row = new Uint8ClampedArray(rowBytes);
    for (let x = 0; x < src.width; x++) {
      const pixel = src.data.subarray((y * src.width + x) * 4, (y * src.width + x) * 4 + 4);
      for (let dx = 0; dx < k; dx++) row.set(pixel, (x * k + dx) * 4);
    }
    for (let dy = 0; dy < k; dy++) out.data.set(row, (y * k + dy) * rowBytes);
  }
  return out;
}

/** The largest integer factor that keeps max(width, height)·factor ≤ target (at least 1). */
export function integerScale(width: number, height: number, target: number): number {
  return Math.max(1, Math.floor(target / Math.max(1, width, height)));
}

/** No negative values (Sensitivity): only the upper half of a colour map is used, and the legend says so. */
export function isNonNegative(relevance: ArrayLike<number>): boolean {
  for (let i = 0; i < relevance.length; i++) if (relevance[i] < 0) return false;
  return true;
}

/** Pixels for `new ImageData(...)`: our buffers are always plain ArrayBuffers, never shared memory. */
export function imageDataOf(image: RgbaImage): ImageData {
  return new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height);
}
