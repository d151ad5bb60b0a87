// The legend: a colour map drawn left (t = 0, R ≪ 0) to right (t = 1, R ≫ 0), as an image for PNG
// figures and as a CSS gradient for HTML.
import type { RgbaImage } from '../image/rgbaImage';
import { colormap } from './colormaps';
import type { ColormapName } from '../../protocol/display';

/**
 * A horizontal bar of the map from t = `from` to t = `to` (0 to 1: R ≪ 0 to R ≫ 0; a non-negative map's
 * legend shows 0.5 to 1): the first column is `from` exactly, the last `to`.
 */
export function colorBar(name: ColormapName, width: number, height: number, from = 0, to = 1): RgbaImage {
  const map = colormap(name);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let x = 0; x < width; x++) {
    const rgb = map.rgbAt(from + (to - from) * (width > 1 ? x / (width - 1) : 0.5));
    for (let y = 0; y < height; y++) data.set([rgb[0], rgb[1], rgb[2], 255], 4 * (y * width + x));
  }
  return { width, height, data };
}

/** `linear-gradient(to right, …)` with `steps` evenly spaced colours of the map. */
export function colorBarGradient(name: ColormapName, steps = 17): string {
  const map = colormap(name);
  const stops = Array.from({ length: steps }, (_, i) => {
    const t = i / (steps - 1);
    const [r, g, b] = map.rgbAt(t);
    return `rgb(${r}, ${g}, ${b}) ${(t * 100).toFixed(2)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
