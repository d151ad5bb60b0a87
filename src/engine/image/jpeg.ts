// Baseline and progressive JPEG through jpeg-js, with its memory and resolution guards switched on, and
// EXIF orientation applied so phone photos come out upright.
import * as jpeg from 'jpeg-js';
import { UserError } from '../errors';
import { applyExifOrientation, readJpegExifOrientation } from './exifOrientation';
import { MAX_IMAGE_PIXELS, type RgbaImage } from './rgbaImage';

function endsWithEndOfImage(bytes: Uint8Array): boolean {
  // Some writers append padding after EOI, so look at the last few hundred bytes, not only the last two.
  for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 512); i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
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
    if (!endsWithEndOfImage(bytes)) throw new UserError('truncated JPEG: the file ends before the end-of-image marker', fileName);
    throw new UserError(`corrupt JPEG: ${message.split('\n')[0]}`, fileName);
  }
  if (!endsWithEndOfImage(bytes)) {
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
