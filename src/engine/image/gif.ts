// GIF: the first image of the file (an animation's first frame), decoded here rather than with omggif,
// whose LZW decoder loops forever on some damaged files. LZW as in the GIF89a spec: variable code
// width from minCodeSize + 1 up to 12 bits, clear and end codes, KwKwK, no early change.
import { UserError } from '../errors';
import { assertImageSize, type RgbaImage } from './rgbaImage';

const MAX_CODES = 4096;

/** Decodes LZW sub-block data into `count` palette indices; throws if the data ends early. */
function decodeLzw(data: Uint8Array, minCodeSize: number, count: number, fileName: string): Uint8Array {
  if (minCodeSize < 2 || minCodeSize > 8) throw new UserError(`corrupt GIF: LZW code size ${minCodeSize}`, fileName);
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const prefix = new Int16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES); // first index of each code's string
  for (let c = 0; c < clear; c++) {
    suffix[c] = c;
    first[c] = c;
  }
  const stack = new Uint8Array(MAX_CODES);
  const out = new Uint8Array(count);
  let written = 0;
  let codeSize = minCodeSize + 1;
  let nextCode = end + 1;
  let previous = -1;
  let bitPos = 0;
  const totalBits = data.length * 8;

  while (written < count && bitPos + codeSize <= totalBits) {
    let code = 0;
    for (let i = 0; i < codeSize; i++, bitPos++) code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << i;
    if (code === clear) {
      codeSize = minCodeSize + 1;
      nextCode = end + 1;
      previous = -1;
      continue;
    }
    if (code === end) break;
    if (previous === -1) {
      if (code > clear) throw new UserError('corrupt GIF: the image data starts with an unknown code', fileName);
      out[written++] = code;
      previous = code;
      continue;
    }
    if (code > nextCode || (code === nextCode && nextCode >= MAX_CODES)) {
      throw new UserError('corrupt GIF: invalid code in the image data', fileName);
    }
    // Every table code's prefix is a smaller code made since the last clear, so this walk ends.
    const known = code < nextCode;
    let depth = 0;
    if (!known) stack[depth++] = first[previous]; // KwKwK: previous string + its own first index
    for (let c = known ? code : previous; ; c = prefix[c]) {
      stack[depth++] = suffix[c];
      if (c < clear) break;
    }
    while (depth > 0 && written < count) out[written++] = stack[--depth];
    if (nextCode < MAX_CODES) {
      prefix[nextCode] = previous;
      first[nextCode] = first[previous];
      suffix[nextCode] = known ? first[code] : first[previous];
      nextCode++;
      if (nextCode === 1 << codeSize && codeSize < 12) codeSize++;
    }
    previous = code;
  }
  if (written < count) throw new UserError('truncated GIF: the image data ends early', fileName);
  return out;
}

/** Row order of an interlaced image: every 8th row from 0, every 8th from 4, every 4th from 2, every 2nd from 1. */
function interlacedRows(height: number): number[] {
  const rows: number[] = [];
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let y = start; y < height; y += step) rows.push(y);
  return rows;
}

export function decodeGif(bytes: Uint8Array, fileName: string): RgbaImage {
  const truncated = () => new UserError('truncated GIF: the file ends before its first image', fileName);
  if (bytes.length < 13) throw truncated();
  const u16 = (at: number) => bytes[at] | (bytes[at + 1] << 8);
  const width = u16(6);
  const height = u16(8);
  assertImageSize(width, height, fileName);
  const paletteSize = (flags: number) => (flags & 0x80 ? 3 * (2 << (flags & 7)) : 0);
  let globalPalette = bytes.subarray(13, 13 + paletteSize(bytes[10]));
  let p = 13 + globalPalette.length;
  let transparent = -1;

  /** Skips data sub-blocks (size byte, data, ..., 0) and returns their concatenated data. */
  const readSubBlocks = (): Uint8Array => {
    const parts: Uint8Array[] = [];
    for (;;) {
      if (p >= bytes.length) throw truncated();
      const size = bytes[p++];
      if (size === 0) break;
      if (p + size > bytes.length) throw truncated();
      parts.push(bytes.subarray(p, p + size));
      p += size;
    }
    const data = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    parts.reduce((at, b) => (data.set(b, at), at + b.length), 0);
    return data;
  };

  for (;;) {
    if (p >= bytes.length) throw truncated();
    const block = bytes[p++];
    if (block === 0x3b) throw new UserError('GIF has no image in it', fileName);
    if (block === 0x21) {
      const label = bytes[p++];
      const start = p;
      const data = readSubBlocks();
      // Graphic Control Extension: bit 0 of the flags says the following image has a transparent index.
      if (label === 0xf9 && data.length >= 4) transparent = data[0] & 1 ? bytes[start + 4] : -1;
      continue;
    }
    if (block !== 0x2c) throw new UserError(`corrupt GIF: unknown block type 0x${block.toString(16)}`, fileName);

    if (p + 9 > bytes.length) throw truncated();
    const [left, top, frameWidth, frameHeight, flags] = [u16(p), u16(p + 2), u16(p + 4), u16(p + 6), bytes[p + 8]];
    p += 9;
    const localSize = paletteSize(flags);
    if (localSize) globalPalette = bytes.subarray(p, p + localSize);
    p += localSize;
    if (p >= bytes.length) throw truncated();
    const minCodeSize = bytes[p++];
    const indices = decodeLzw(readSubBlocks(), minCodeSize, frameWidth * frameHeight, fileName);
    const palette = globalPalette;
    const rows = flags & 0x40 ? interlacedRows(frameHeight) : null;

    // Pixels outside the frame and transparent ones stay at alpha 0 and are composited later.
    const out = new Uint8ClampedArray(width * height * 4);
    for (let r = 0; r < frameHeight; r++) {
      const y = top + (rows ? rows[r] : r);
      if (y >= height) continue;
      for (let fx = 0; fx < frameWidth; fx++) {
        const x = left + fx;
        const index = indices[r * frameWidth + fx];
        if (x >= width || index === transparent) continue;
        const o = 4 * (y * width + x);
        out[o] = palette[3 * index] ?? 0;
        out[o + 1] = palette[3 * index + 1] ?? 0;
        out[o + 2] = palette[3 * index + 2] ?? 0;
        out[o + 3] = 255;
      }
    }
    const frames = 1 + countFramesAfter(bytes, p);
    return frames > 1 ? { width, height, data: out, frames } : { width, height, data: out };
  }
}

/**
 * Images in the blocks from `p` to the trailer, without decoding them (the panel says "frame 1 of N").
 * A file damaged after its first image still shows that image: counting stops at the damage.
 */
function countFramesAfter(bytes: Uint8Array, p: number): number {
  const skipSubBlocks = (): boolean => {
    for (;;) {
      if (p >= bytes.length) return false;
      const size = bytes[p++];
      if (size === 0) return true;
      p += size;
    }
  };
  let count = 0;
  while (p < bytes.length) {
    const block = bytes[p++];
    if (block === 0x21) {
      p++; // label
      if (!skipSubBlocks()) break;
    } else if (block === 0x2c) {
      if (p + 9 > bytes.length) break;
      const flags = bytes[p + 8];
      p += 9 + (flags & 0x80 ? 3 * (2 << (flags & 7)) : 0) + 1; // descriptor, local palette, LZW code size
      if (!skipSubBlocks()) break;
      count++;
    } else {
      break; // 0x3b (trailer) or damage
    }
  }
  return count;
}
