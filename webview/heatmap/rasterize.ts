// Relevance and model inputs → RGBA pixels, with no DOM: the same numbers feed the canvases, the export
// and the unit tests. Upscaling is nearest-neighbour by an integer factor so every model pixel stays a
// crisp square (a 28×28 map at 9× is 252×252 with 81 identical pixels per input pixel).
import type { DisplaySettings, PixelImage } from '../../src/protocol/webviewMessages';
import { colorAt } from './colormaps';
import { relevanceScale, unitValue } from './normalize';

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA, 4 bytes per pixel, alpha always 255. */
  data: Uint8ClampedArray<ArrayBuffer>;
}

export function blankRgba(width: number, height: number): RgbaImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** A relevance map of `shape` [height, width] coloured with the display's colour map and normalisation. */
export function heatmapRgba(
  relevance: ArrayLike<number>,
  shape: [number, number],
  display: Pick<DisplaySettings, 'colormap' | 'normalization'>,
): RgbaImage {
  const [height, width] = shape;
  const image = blankRgba(width, height);
  const scale = relevanceScale(relevance, display.normalization);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = colorAt(display.colormap, unitValue(relevance[i] ?? 0, scale));
    image.data.set([r, g, b, 255], i * 4);
  }
  return image;
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

/** Nearest-neighbour resampling to another size (only needed if a heatmap and its input differ). */
export function resampleNearest(src: RgbaImage, width: number, height: number): RgbaImage {
  if (src.width === width && src.height === height) return src;
  const out = blankRgba(width, height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(src.height - 1, Math.floor(((y + 0.5) * src.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(src.width - 1, Math.floor(((x + 0.5) * src.width) / width));
      const from = (sy * src.width + sx) * 4;
      out.data.set(src.data.subarray(from, from + 4), (y * width + x) * 4);
    }
  }
  return out;
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

/** out = (1 − opacity)·under + opacity·over, per channel, rounded; `over` is resampled to `under`'s size. */
export function blend(under: RgbaImage, over: RgbaImage, opacity: number): RgbaImage {
  const top = resampleNearest(over, under.width, under.height);
  const a = Math.min(1, Math.max(0, Number.isFinite(opacity) ? opacity : 1));
  const out = blankRgba(under.width, under.height);
  for (let i = 0; i < out.data.length; i += 4) {
    for (let c = 0; c < 3; c++) out.data[i + c] = Math.round((1 - a) * under.data[i + c] + a * top.data[i + c]);
    out.data[i + 3] = 255;
  }
  return out;
}

/** The heatmap exactly as the panel shows it: coloured, and over the model input when overlay is on. */
export function displayedHeatmap(
  relevance: ArrayLike<number>,
  shape: [number, number],
  input: PixelImage | undefined,
  display: DisplaySettings,
): RgbaImage {
  const heat = heatmapRgba(relevance, shape, display);
  if (!display.overlay || !input) return heat;
  return blend(resampleNearest(inputRgba(input), heat.width, heat.height), heat, display.opacity);
}

/** The largest integer factor that keeps max(width, height)·factor ≤ target (at least 1). */
export function integerScale(width: number, height: number, target: number): number {
  return Math.max(1, Math.floor(target / Math.max(1, width, height)));
}
