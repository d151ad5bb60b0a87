// Baseline and progressive JPEG through jpeg-js, with its memory and resolution guards switched on, and
// EXIF orientation applied so phone photos come out upright.
import * as jpeg from 'jpeg-js';
import { UserError } from '../errors';
import { applyExifOrientation, readJpegExifOrientation } from './exifOrientation';
import { MAX_IMAGE_PIXELS, type RgbaImage } from './rgbaImage';

/**
 * Whether the end-of-image marker follows the image data. Searched from the first start-of-scan on: an
 * EXIF thumbnail before it has an EOI of its own, and phones may append kilobytes of data after the real
 * one. Entropy-coded data cannot contain FF D9 (an FF there is always followed by 00 or a restart code).
 */
function hasEndOfImage(bytes: Uint8Array): boolean {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xda) break;
    at += marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) ? 2 : 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  for (let i = at; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

export function decodeJpeg(bytes: Uint8Array, fileName: string): RgbaImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/maxResolutionInMP/.test(message)) {
      throw new UserError(`image too large: ${message.replace(/.*exceeded by /, 'more than ')} above the ${MAX_IMAGE_PIXELS / 1e6} MP limit`, fileName);
    }
    if (/maxMemoryUsageInMB/.test(message)) throw new UserError('image too large: decoding it would need more than 1 GB', fileName);
    if (!hasEndOfImage(bytes)) throw new UserError('truncated JPEG: the file ends before the end-of-image marker', fileName);
    throw new UserError(`corrupt JPEG: ${message.split('\n')[0]}`, fileName);
  }
  if (!hasEndOfImage(bytes)) {
    // jpeg-js sometimes decodes a cut file without complaint and fills the missing part with grey.
    throw new UserError('truncated JPEG: the file ends before the end-of-image marker', fileName);
  }
  const image: RgbaImage = {
    width: decoded.width,
    height: decoded.height,
    data: new Uint8ClampedArray(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
  };
  return applyExifOrientation(image, readJpegExifOrientation(bytes));
}
