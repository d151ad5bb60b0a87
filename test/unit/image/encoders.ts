// Minimal writers for test images, written from the format specs so the decoders are checked against
// an independent source: PNG (any colour type and bit depth, palette, tRNS), BMP, lossless WebP (VP8L).
import * as zlib from 'zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface RawPng {
  width: number;
  height: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples per row, row-major, each sample a number in [0, 2^bitDepth). */
  samples: number[];
  palette?: Array<[number, number, number]>;
  /** tRNS: alpha per palette entry, or the one transparent gray/RGB value. */
  transparency?: number[];
}

export function writePng(p: RawPng): Buffer {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[p.colorType];
  const bitsPerRow = p.width * channels * p.bitDepth;
  const rowBytes = Math.ceil(bitsPerRow / 8);
  const raw = Buffer.alloc((rowBytes + 1) * p.height);
  for (let y = 0; y < p.height; y++) {
    raw[y * (rowBytes + 1)] = 0; // filter: none
    for (let s = 0; s < p.width * channels; s++) {
      const v = p.samples[y * p.width * channels + s];
      const at = y * (rowBytes + 1) + 1;
      if (p.bitDepth === 16) raw.writeUInt16BE(v, at + 2 * s);
      else if (p.bitDepth === 8) raw[at + s] = v;
      else {
        const bit = s * p.bitDepth;
        raw[at + (bit >> 3)] |= v << (8 - p.bitDepth - (bit & 7));
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr[8] = p.bitDepth;
  ihdr[9] = p.colorType;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (p.palette) parts.push(chunk('PLTE', Uint8Array.from(p.palette.flat())));
  if (p.transparency) {
    if (p.colorType === 3) parts.push(chunk('tRNS', Uint8Array.from(p.transparency)));
    else {
      const t = Buffer.alloc(2 * p.transparency.length);
      p.transparency.forEach((v, i) => t.writeUInt16BE(v, 2 * i));
      parts.push(chunk('tRNS', t));
    }
  }
  parts.push(chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

/** BMP, bottom-up, BITMAPINFOHEADER. `pixels` are RGB(A) per pixel; 8-bit writes a palette of `palette`. */
export function writeBmp(width: number, height: number, bits: 8 | 24 | 32, pixels: number[][], palette?: Array<[number, number, number]>): Buffer {
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  const paletteBytes = bits === 8 ? 4 * (palette?.length ?? 0) : 0;
  const offset = 14 + 40 + paletteBytes;
  const out = Buffer.alloc(offset + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bits, 28);
  out.writeUInt32LE(0, 30);
  out.writeUInt32LE(stride * height, 34);
  out.writeUInt32LE(bits === 8 ? palette!.length : 0, 46);
  palette?.forEach(([r, g, b], i) => out.set([b, g, r, 0], 54 + 4 * i));
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const px = pixels[y * width + x];
      if (bits === 8) out[row + x] = px[0]; // px[0] is the palette index
      else out.set(bits === 24 ? [px[2], px[1], px[0]] : [px[2], px[1], px[0], px[3] ?? 0], row + x * (bits / 8));
    }
  }
  return out;
}

/**
 * Lossless WebP (VP8L) for images with at most two values per channel: no transforms, no colour cache,
 * and per channel a "simple" prefix code of one or two 8-bit symbols (one bit per pixel, 0 = smaller).
 */
export function writeWebpLossless(width: number, height: number, rgba: number[][]): Buffer {
  const bits: number[] = [];
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++) bits.push((value >> i) & 1);
  };
  put(0x2f, 8);
  put(width - 1, 14);
  put(height - 1, 14);
  put(1, 1); // alpha used
  put(0, 3); // version
  put(0, 1); // no transform
  put(0, 1); // no colour cache
  put(0, 1); // no meta prefix codes
  const order = [1, 0, 2, 3]; // VP8L reads green, red, blue, alpha
  const symbols = order.map((c) => [...new Set(rgba.map((p) => p[c]))].sort((a, b) => a - b));
  for (const s of symbols) {
    if (s.length > 2) throw new Error('writeWebpLossless: at most two values per channel');
    put(1, 1); // simple code
    put(s.length - 1, 1);
    put(1, 1); // first symbol has 8 bits
    put(s[0], 8);
    if (s.length === 2) put(s[1], 8);
  }
  put(1, 1); // distance code: simple, one 1-bit symbol 0
  put(0, 1);
  put(0, 1);
  put(0, 1);
  for (const p of rgba) {
    order.forEach((c, k) => {
      if (symbols[k].length === 2) put(symbols[k].indexOf(p[c]), 1);
    });
  }
  const data = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (data[i >> 3] |= b << (i & 7)));
  const padded = Buffer.concat([data, Buffer.alloc(data.length & 1)]);
  const header = Buffer.alloc(20);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(12 + padded.length, 4);
  header.write('WEBPVP8L', 8, 'latin1');
  header.writeUInt32LE(data.length, 16);
  return Buffer.concat([header, padded]);
}

/**
 * A GIF whose LZW stream holds only literal codes, with a clear code before the table would widen the
 * codes: valid GIF without a compressor, and every option the decoder must honour is ours to set.
 */
export function writeGifLiterals(opts: {
  width: number;
  height: number;
  palette: Array<[number, number, number]>; // 4 entries (2-bit codes)
  frame: { left: number; top: number; width: number; height: number; interlaced?: boolean; localPalette?: Array<[number, number, number]> };
  /** Frame pixels as palette indices, in display order (rows top to bottom). */
  indices: number[];
  transparent?: number;
}): Buffer {
  const { frame } = opts;
  const u16 = (v: number) => [v & 0xff, v >> 8];
  const bytes: number[] = [...Buffer.from('GIF89a', 'latin1'), ...u16(opts.width), ...u16(opts.height), 0x80 | 0x01, 0, 0];
  bytes.push(...opts.palette.flat());
  if (opts.transparent !== undefined) bytes.push(0x21, 0xf9, 4, 1, 0, 0, opts.transparent, 0);
  bytes.push(0x2c, ...u16(frame.left), ...u16(frame.top), ...u16(frame.width), ...u16(frame.height));
  bytes.push((frame.localPalette ? 0x81 : 0) | (frame.interlaced ? 0x40 : 0));
  if (frame.localPalette) bytes.push(...frame.localPalette.flat());
  // Stream order: interlaced images store rows 0, 8, ..., 4, 12, ..., 2, 6, ..., 1, 3, ...
  const order: number[] = [];
  if (frame.interlaced) for (const [s, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let y = s; y < frame.height; y += step) order.push(y);
  else for (let y = 0; y < frame.height; y++) order.push(y);
  const minCodeSize = 2;
  const [clear, end] = [4, 5];
  const codes: number[] = [clear];
  let sinceClear = 0;
  for (const y of order) {
    for (let x = 0; x < frame.width; x++) {
      // With 3-bit codes the decoder widens to 4 bits once its table reaches 8 entries: clear before that.
      if (sinceClear === 2) {
        codes.push(clear);
        sinceClear = 0;
      }
      codes.push(opts.indices[y * frame.width + x]);
      sinceClear++;
    }
  }
  codes.push(end);
  const packed: number[] = [];
  let bit = 0;
  for (const code of codes) {
    for (let i = 0; i < 3; i++, bit++) {
      if ((bit & 7) === 0) packed.push(0);
      packed[packed.length - 1] |= ((code >> i) & 1) << (bit & 7);
    }
  }
  bytes.push(minCodeSize);
  for (let i = 0; i < packed.length; i += 255) {
    const block = packed.slice(i, i + 255);
    bytes.push(block.length, ...block);
  }
  bytes.push(0, 0x3b);
  return Buffer.from(bytes);
}
