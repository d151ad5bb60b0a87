// A small BMP reader for what image tools actually write: uncompressed 1/4/8-bit palette images and
// 16/24/32-bit direct colour, with or without BITFIELDS masks. RLE and embedded JPEG/PNG are refused.
import { UserError } from '../errors';
import { assertImageSize, type RgbaImage } from './rgbaImage';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG' };
const SUPPORTED = 'uncompressed 1/4/8-bit palette or 16/24/32-bit colour';

interface Channel {
  mask: number;
  shift: number;
  max: number;
}

function channelOf(mask: number): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask: 0, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { mask, shift, max: mask >>> shift };
}

function readChannel(value: number, c: Channel): number {
  return Math.round((((value & c.mask) >>> 0) >>> c.shift) * 255 / c.max);
}

export function decodeBmp(bytes: Uint8Array, fileName: string): RgbaImage {
  if (bytes.length < 26) throw new UserError('truncated BMP: the header is incomplete', fileName);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12; // OS/2 BITMAPCOREHEADER: 16-bit sizes, 3-byte palette entries
  if (!core && headerSize < 40) throw new UserError(`corrupt BMP: unknown header size ${headerSize}`, fileName);
  if (bytes.length < 14 + headerSize) throw new UserError('truncated BMP: the header is incomplete', fileName);
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getUint16(20, true) : view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(core ? 24 : 28, true);
  const compression = core ? BI_RGB : view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  assertImageSize(width, height, fileName);

  const usesMasks = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  const direct = bitsPerPixel === 16 || bitsPerPixel === 24 || bitsPerPixel === 32;
  const indexed = bitsPerPixel === 1 || bitsPerPixel === 4 || bitsPerPixel === 8;
  const supported = (compression === BI_RGB && (direct || indexed)) || (usesMasks && (bitsPerPixel === 16 || bitsPerPixel === 32));
  if (!supported) {
    const what = COMPRESSION_NAMES[compression] ? `${COMPRESSION_NAMES[compression]}-compressed` : `${bitsPerPixel}-bit (compression ${compression})`;
    throw new UserError(`${what} BMP is not supported; supported: ${SUPPORTED}`, fileName);
  }

  // Direct colour: channel masks, either given (BITFIELDS) or the format's defaults.
  let channels: Channel[] = [];
  if (usesMasks) {
    const alphaMask = headerSize >= 56 || compression === BI_ALPHABITFIELDS ? view.getUint32(66, true) : 0;
    channels = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true), alphaMask].map(channelOf);
  } else if (bitsPerPixel === 16) {
    channels = [0x7c00, 0x03e0, 0x001f, 0].map(channelOf);
  }

  // Palette: after the header (and after the masks when a 40-byte header carries them).
  const palette: number[][] = [];
  if (indexed) {
    const entrySize = core ? 3 : 4;
    const paletteStart = 14 + headerSize;
    const declared = core ? 0 : view.getUint32(46, true);
    const count = Math.min(declared || 1 << bitsPerPixel, Math.floor((dataOffset - paletteStart) / entrySize));
    for (let i = 0; i < count; i++) {
      const at = paletteStart + i * entrySize;
      palette.push([bytes[at + 2], bytes[at + 1], bytes[at]]);
    }
    if (palette.length === 0) throw new UserError('corrupt BMP: palette image without a palette', fileName);
  }

  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    throw new UserError(`truncated BMP: ${height} rows of ${stride} bytes do not fit in the file`, fileName);
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const rowStart = dataOffset + row * stride;
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      let r: number, g: number, b: number;
      let a = 255;
      if (indexed) {
        const bit = x * bitsPerPixel;
        const byte = bytes[rowStart + (bit >> 3)];
        const index = (byte >> (8 - bitsPerPixel - (bit & 7))) & ((1 << bitsPerPixel) - 1);
        [r, g, b] = palette[Math.min(index, palette.length - 1)];
      } else if (bitsPerPixel === 24 || (bitsPerPixel === 32 && !usesMasks)) {
        // BI_RGB 32-bit: the fourth byte is reserved, and Windows ignores it, so we do too.
        const at = rowStart + x * (bitsPerPixel / 8);
        [b, g, r] = [bytes[at], bytes[at + 1], bytes[at + 2]];
      } else {
        const value = bitsPerPixel === 16 ? view.getUint16(rowStart + 2 * x, true) : view.getUint32(rowStart + 4 * x, true);
        [r, g, b] = [readChannel(value, channels[0]), readChannel(value, channels[1]), readChannel(value, channels[2])];
        if (channels[3].mask) a = readChannel(value, channels[3]);
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = a;
    }
  }
  return { width, height, data: out };
}
