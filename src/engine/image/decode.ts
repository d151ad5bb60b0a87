// Bytes or a path in, opaque RGBA out. The format comes from the magic bytes, never the extension, and
// every failure is a one-line UserError that names the file.
import { promises as fsp } from 'fs';
import { isUserError, UserError } from '../errors';
import { decodeBmp } from './bmp';
import { flattenAlpha } from './composite';
import { decodeGif } from './gif';
import { decodeJpeg } from './jpeg';
import { decodePng } from './png';
import type { RgbaImage } from './rgbaImage';

export type { RgbaImage };
import { FORMAT_NAMES, sniffImageFormat, SUPPORTED_FORMATS, type ImageFormat } from './sniff';
import { decodeWebp } from './webp';

export interface DecodeOptions {
  /** Path of libwebp's webp.wasm; by default beside the bundle, else from node_modules. */
  webpWasmPath?: string;
}

/**
 * Decodes PNG, JPEG, GIF (first frame), BMP or WebP into RGBA with every alpha 255: transparency is
 * composited onto white or black as `flattenAlpha` explains.
 */
export function decodeImage(bytes: Uint8Array, fileName: string, options: DecodeOptions = {}): RgbaImage {
  if (bytes.length === 0) throw new UserError('empty file (0 bytes), not an image', fileName);
  const sniffed = sniffImageFormat(bytes);
  if ('unsupported' in sniffed) {
    throw new UserError(`${sniffed.unsupported} images are not supported; use ${SUPPORTED_FORMATS}`, fileName);
  }
  if ('unknown' in sniffed) {
    throw new UserError(`not an image in a known format; supported formats are ${SUPPORTED_FORMATS}`, fileName);
  }
  let decoded: RgbaImage;
  try {
    decoded = decodeFormat(sniffed.format, bytes, fileName, options);
  } catch (e) {
    // Decoders read untrusted bytes; whatever else they throw (a RangeError from a lying header, an
    // exception inside a library) still means a damaged file to the user.
    if (isUserError(e)) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new UserError(`corrupt ${FORMAT_NAMES[sniffed.format]}: ${message.split('\n')[0]}`, fileName);
  }
  return flattenAlpha(decoded);
}

function decodeFormat(format: ImageFormat, bytes: Uint8Array, fileName: string, options: DecodeOptions): RgbaImage {
  switch (format) {
    case 'png':
      return decodePng(bytes, fileName);
    case 'jpeg':
      return decodeJpeg(bytes, fileName);
    case 'gif':
      return decodeGif(bytes, fileName);
    case 'bmp':
      return decodeBmp(bytes, fileName);
    case 'webp':
      return decodeWebp(bytes, fileName, options.webpWasmPath);
  }
}

/** Reads and decodes an image file, with "not found" and "is a directory" as UserErrors. */
export async function readImageFile(filePath: string, options: DecodeOptions = {}): Promise<RgbaImage> {
  return decodeImage(await readImageBytes(filePath), filePath, options);
}

/** An image file's bytes, with "not found", "is a directory" and "permission denied" as UserErrors. */
export async function readImageBytes(filePath: string): Promise<Uint8Array> {
  try {
    const stat = await fsp.stat(filePath);
    if (stat.isDirectory()) throw new UserError('is a directory, not an image file', filePath);
    // A FIFO would block the read until something writes to it, /dev/zero would never end.
    if (!stat.isFile()) throw new UserError('is not a regular file (a FIFO, a device or a socket); give an image file', filePath);
    return await fsp.readFile(filePath);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('file not found', filePath);
    if (code === 'EACCES' || code === 'EPERM') throw new UserError('permission denied', filePath);
    if (code === 'EISDIR') throw new UserError('is a directory, not an image file', filePath);
    throw new UserError(`cannot read: ${(e as Error).message}`, filePath);
  }
}
