// A relevance map as an image: normalise (normalize.ts), colour (colormaps.ts), optionally blend over the
// model input, and enlarge by whole pixels so each input pixel stays a crisp square.
import { UserError } from '../errors';
import type { RgbaImage } from '../image/rgbaImage';
import { colormap } from './colormaps';
import type { ColormapName } from '../../protocol/display';
import { relevanceScale, unitValue } from './normalize';
import { DEFAULT_NORMALIZATION, type Normalization } from '../../protocol/display';

export interface HeatmapOptions {
  colormap: ColormapName;
  /** Robust maximum of |R| (99.5th percentile by default) or plain max. */
  normalization?: Normalization;
  /** Whole-number enlargement, nearest neighbour (default 1). */
  scale?: number;
  /** Blend the heatmap over the model input: out = opacity·heatmap + (1 − opacity)·input. */
  overlay?: {
    /** The input's 8-bit pixels, h·w (gray) or h·w·3 (RGB, HWC). */
    pixels: ArrayLike<number>;
    /** Heatmap opacity, 0..1. */
    opacity: number;
    /** Each pixel's opacity follows its relevance: opacity·min(1, |R_i| / s), s the normalisation's scale
     *  (max |R| with the "max" normalisation), so the input shows through where nothing is relevant. */
    byRelevance?: boolean;
  };
}

export function renderHeatmap(relevance: Float32Array, shape: [number, number], opts: HeatmapOptions): RgbaImage {
  const [h, w] = shape;
  const scale = opts.scale ?? 1;
  if (relevance.length !== h * w) throw new Error(`renderHeatmap: ${relevance.length} values for a ${h}×${w} map`);
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new UserError(`heatmap scale must be a whole number from 1 to 64, got ${scale}`);
  const overlay = opts.overlay;
  const channels = overlay ? overlay.pixels.length / (h * w) : 0;
  if (overlay && channels !== 1 && channels !== 3) {
    throw new Error(`renderHeatmap: overlay has ${overlay.pixels.length} values for a ${h}×${w} map (need h·w or h·w·3)`);
  }
  const opacity = overlay ? Math.min(1, Math.max(0, overlay.opacity)) : 1;

  const map = colormap(opts.colormap);
  const rScale = relevanceScale(relevance, opts.normalization ?? DEFAULT_NORMALIZATION);
  const colors = new Uint8ClampedArray(h * w * 3);
  for (let i = 0; i < h * w; i++) {
    const rgb = map.rgbAt(unitValue(relevance[i], rScale));
    const alpha = overlay?.byRelevance ? opacity * relevanceOpacity(relevance[i], rScale) : opacity;
    for (let c = 0; c < 3; c++) {
      const base = overlay ? overlay.pixels[channels === 1 ? i : 3 * i + c] : 0;
      colors[3 * i + c] = overlay ? Math.round(alpha * rgb[c] + (1 - alpha) * base) : rgb[c];
    }
  }

  const out: RgbaImage = { width: w * scale, height: h * scale, data: new Uint8ClampedArray(w * scale * h * scale * 4) };
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const src = 3 * (Math.floor(y / scale) * w + Math.floor(x / scale));
      const dst = 4 * (y * out.width + x);
      out.data[dst] = colors[src];
      out.data[dst + 1] = colors[src + 1];
      out.data[dst + 2] = colors[src + 2];
      out.data[dst + 3] = 255;
    }
  }
  return out;
}

/** A pixel's share of the overlay opacity when it follows relevance: |R| / scale, at most 1 (0 for a zero scale). */
export function relevanceOpacity(r: number, scale: number): number {
  return scale > 0 && Number.isFinite(r) ? Math.min(1, Math.abs(r) / scale) : 0;
}
