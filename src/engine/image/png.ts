// PNG through pngjs, which expands every bit depth and colour type (16-bit, palette, tRNS) to 8-bit RGBA.
// The chunk walk before it exists for the messages: pngjs reports a truncated file as "read requests
// waiting on finished stream", and a damaged IDAT as a zlib error before it ever compares the CRC.
import { PNG } from 'pngjs';
import { UserError } from '../errors';
import { assertImageSize, type RgbaImage } from './rgbaImage';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of a chunk's type and data, as the PNG spec defines it. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Checks that every chunk fits in the file, its CRC matches and IEND is there; returns the IHDR size. */
function walkChunks(bytes: Uint8Array, fileName: string): { width: number; height: number } {
  let at = 8;
  let size: { width: number; height: number } | undefined;
  while (at + 8 <= bytes.length) {
    const length = readUint32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (at + 12 + length > bytes.length) {
      throw new UserError(`truncated PNG: the ${chunkName(type)} chunk runs past the end of the file`, fileName);
    }
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== readUint32(bytes, at + 8 + length)) {
      throw new UserError(`corrupt PNG: the ${chunkName(type)} chunk's checksum (CRC) does not match its data`, fileName);
    }
    if (type === 'IHDR' && length >= 8) size = { width: readUint32(bytes, at + 8), height: readUint32(bytes, at + 12) };
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!size) throw new UserError('corrupt PNG: no IHDR header chunk', fileName);
  if (at + 8 > bytes.length) throw new UserError('truncated PNG: the file ends before the IEND chunk', fileName);
  return size;
}

/** A chunk type for a message: its four letters, or its bytes in hex when damage made them something else. */
function chunkName(type: string): string {
  if (/^[A-Za-z]{4}$/.test(type)) return type;
  return `0x${Array.from(type, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}

function describePngjsError(message: string): string {
  if (/crc/i.test(message)) return 'corrupt PNG: a chunk checksum (CRC) does not match its data';
  if (/finished stream|unexpected end|end of (input|file)/i.test(message)) return 'truncated PNG: the image data ends early';
  if (/incorrect header check|invalid (distance|code|block|stored)|zlib/i.test(message)) {
    return 'corrupt PNG: the compressed image data is damaged';
  }
  return `corrupt PNG: ${message.split('\n')[0]}`;
}

export function decodePng(bytes: Uint8Array, fileName: string): RgbaImage {
  const { width, height } = walkChunks(bytes, fileName);
  assertImageSize(width, height, fileName);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new UserError(describePngjsError((e as Error).message ?? String(e)), fileName);
  }
  // A copy, not a view: a small Buffer may be a slice of Node's shared pool, which would travel whole
  // if the pixels are posted to another thread.
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
}
