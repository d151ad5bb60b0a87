// GIF: the first frame only (an animation's first frame is what a still-image classifier can use).
import { GifReader } from 'omggif';
import { UserError } from '../errors';
import { assertImageSize, type RgbaImage } from './rgbaImage';

export function decodeGif(bytes: Uint8Array, fileName: string): RgbaImage {
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch (e) {
    throw new UserError(`corrupt GIF: ${(e as Error).message}`, fileName);
  }
  assertImageSize(reader.width, reader.height, fileName);
  if (reader.numFrames() === 0) throw new UserError('GIF has no frames (truncated or empty)', fileName);
  // Pixels the frame does not cover, and transparent ones, stay at alpha 0 and are composited later.
  const pixels = new Uint8Array(reader.width * reader.height * 4);
  try {
    reader.decodeAndBlitFrameRGBA(0, pixels);
  } catch (e) {
    throw new UserError(`corrupt GIF: ${(e as Error).message}`, fileName);
  }
  return { width: reader.width, height: reader.height, data: new Uint8ClampedArray(pixels.buffer) };
}
