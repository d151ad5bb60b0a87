// RGBA to PNG bytes (pngjs, 8-bit RGBA, default compression).
import { PNG } from 'pngjs';
import type { RgbaImage } from '../image/rgbaImage';

export function encodePng(img: RgbaImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png);
}
