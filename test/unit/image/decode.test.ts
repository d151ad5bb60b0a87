import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as jpeg from 'jpeg-js';
import { GifWriter } from 'omggif';
import { PNG } from 'pngjs';
import { isUserError } from '../../../src/engine/errors';
import { decodeImage, readImageFile } from '../../../src/engine/image/decode';
import type { RgbaImage } from '../../../src/engine/image/rgbaImage';
import { writeBmp, writeGifLiterals, writePng, writeWebpLossless } from './encoders';

function pixel(img: RgbaImage, x: number, y: number): number[] {
  const i = 4 * (y * img.width + x);
  return Array.from(img.data.subarray(i, i + 4));
}

/** Runs fn, expects a one-line UserError naming the file whose message matches `pattern`. */
function expectUserError(fn: () => unknown, pattern: RegExp, file = 'x.img'): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isUserError(e), `expected a UserError, got ${String(e)}`);
    const message = (e as Error).message;
    assert.ok(message.startsWith(`${file}: `), message);
    assert.ok(!message.includes('\n'), 'one line');
    assert.match(message, pattern);
    return message;
  }
  assert.fail(`no error, expected ${pattern}`);
}

test('8-bit RGBA PNG written by pngjs decodes to the same pixels', () => {
  const png = new PNG({ width: 5, height: 3 });
  for (let i = 0; i < 15; i++) png.data.set([i * 17, 255 - i * 9, (i * 53) % 256, 255], 4 * i);
  const img = decodeImage(PNG.sync.write(png), 'x.img');
  assert.equal(img.width, 5);
  assert.equal(img.height, 3);
  assert.deepEqual(Array.from(img.data), Array.from(png.data));
});

test('16-bit grayscale PNG: each sample scaled to 8 bits (within rounding)', () => {
  const samples = [0, 65535, 4660, 32768, 50000, 1000];
  const img = decodeImage(writePng({ width: 3, height: 2, colorType: 0, bitDepth: 16, samples }), 'x.img');
  samples.forEach((v, i) => {
    const [r, g, b, a] = pixel(img, i % 3, Math.floor(i / 3));
    assert.ok(Math.abs(r - (v * 255) / 65535) < 1, `sample ${v} -> ${r}`);
    assert.deepEqual([g, b, a], [r, r, 255]);
  });
});

test('16-bit RGB PNG keeps channels apart', () => {
  const samples = [65535, 0, 0, 0, 65535, 0, 0, 0, 65535, 32896, 32896, 32896];
  const img = decodeImage(writePng({ width: 4, height: 1, colorType: 2, bitDepth: 16, samples }), 'x.img');
  assert.deepEqual(pixel(img, 0, 0), [255, 0, 0, 255]);
  assert.deepEqual(pixel(img, 1, 0), [0, 255, 0, 255]);
  assert.deepEqual(pixel(img, 2, 0), [0, 0, 255, 255]);
  assert.deepEqual(pixel(img, 3, 0), [128, 128, 128, 255]);
});

test('4-bit palette PNG with tRNS: colours from the palette, transparency composited on white', () => {
  const palette: Array<[number, number, number]> = [[200, 30, 40], [10, 220, 90], [250, 250, 250], [0, 0, 255]];
  // Mostly opaque light picture with one fully and one half transparent pixel: its own tone, white.
  const samples = [0, 1, 2, 2, 2, 2, 3, 2];
  const img = decodeImage(
    writePng({ width: 4, height: 2, colorType: 3, bitDepth: 4, samples, palette, transparency: [255, 255, 255, 0] }),
    'x.img',
  );
  assert.deepEqual(pixel(img, 0, 0), [200, 30, 40, 255]);
  assert.deepEqual(pixel(img, 1, 0), [10, 220, 90, 255]);
  assert.deepEqual(pixel(img, 2, 0), [250, 250, 250, 255]);
  assert.deepEqual(pixel(img, 2, 1), [255, 255, 255, 255], 'fully transparent entry becomes white');
});

test('8-bit palette PNG with a half-transparent entry blends with the background', () => {
  const palette: Array<[number, number, number]> = [[240, 240, 240], [0, 100, 200]];
  const samples = [0, 0, 0, 1];
  const img = decodeImage(writePng({ width: 2, height: 2, colorType: 3, bitDepth: 8, samples, palette, transparency: [255, 128] }), 'x.img');
  const a = 128 / 255;
  const expected = [0, 100, 200].map((c) => c * a + 255 * (1 - a));
  const got = pixel(img, 1, 1);
  expected.forEach((v, c) => assert.ok(Math.abs(got[c] - v) <= 0.5, `channel ${c}: ${got[c]} vs ${v}`));
  assert.equal(got[3], 255);
});

test('gray+alpha drawing: dark ink on a clear canvas goes on white, light ink on black', () => {
  // 4×4, only the diagonal drawn (12 of 16 pixels transparent): a drawing.
  const draw = (ink: number) => {
    const samples: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) samples.push(ink, x === y ? 255 : 0);
    return decodeImage(writePng({ width: 4, height: 4, colorType: 4, bitDepth: 8, samples }), 'x.img');
  };
  const dark = draw(0);
  assert.deepEqual(pixel(dark, 1, 1), [0, 0, 0, 255]);
  assert.deepEqual(pixel(dark, 2, 1), [255, 255, 255, 255]);
  const light = draw(255);
  assert.deepEqual(pixel(light, 1, 1), [255, 255, 255, 255]);
  assert.deepEqual(pixel(light, 2, 1), [0, 0, 0, 255]);
});

test('mostly opaque dark picture with clear corners: corners take its own tone, black', () => {
  const samples: number[] = [];
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) samples.push(30, (x === 0 || x === 3) && (y === 0 || y === 3) ? 0 : 255);
  const img = decodeImage(writePng({ width: 4, height: 4, colorType: 4, bitDepth: 8, samples }), 'x.img');
  assert.deepEqual(pixel(img, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(img, 1, 1), [30, 30, 30, 255]);
});

test('grayscale PNG with a tRNS transparent value', () => {
  const samples = [7, 7, 7, 200, 7, 7];
  const img = decodeImage(writePng({ width: 3, height: 2, colorType: 0, bitDepth: 8, samples, transparency: [7] }), 'x.img');
  // Five of six pixels transparent, the visible one light: a light drawing, so black background.
  assert.deepEqual(pixel(img, 0, 1), [200, 200, 200, 255]);
  assert.deepEqual(pixel(img, 0, 0), [0, 0, 0, 255]);
});

test('1-bit grayscale PNG', () => {
  const img = decodeImage(writePng({ width: 9, height: 1, colorType: 0, bitDepth: 1, samples: [1, 0, 1, 1, 0, 0, 0, 1, 1] }), 'x.img');
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((x) => pixel(img, x, 0)[0]), [255, 0, 255, 255, 0, 0, 0, 255, 255]);
});

function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([(x * 255) / (width - 1), (y * 255) / (height - 1), 128, 255], 4 * (y * width + x));
  }
  return data;
}

test('JPEG decodes close to what was encoded', () => {
  const [w, h] = [48, 32];
  const original = gradient(w, h);
  const bytes = jpeg.encode({ width: w, height: h, data: original }, 95).data;
  const img = decodeImage(bytes, 'x.img');
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  let err = 0;
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) err += Math.abs(img.data[4 * i + c] - original[4 * i + c]);
  assert.ok(err / (w * h * 3) < 3, `mean abs error ${err / (w * h * 3)}`);
});

/** An APP1 Exif segment holding only the Orientation tag, big-endian TIFF. */
function exifSegment(orientation: number): Buffer {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

test('JPEG EXIF orientation 6 (needs 90° clockwise) comes out upright', () => {
  const [w, h] = [32, 16];
  const data = Buffer.alloc(w * h * 4, 255);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) data.set([0, 0, 0, 255], 4 * (y * w + x)); // dark top-left block
  const plain = jpeg.encode({ width: w, height: h, data }, 95).data;
  const rotated = decodeImage(Buffer.concat([plain.subarray(0, 2), exifSegment(6), plain.subarray(2)]), 'x.img');
  assert.equal(rotated.width, h);
  assert.equal(rotated.height, w);
  // Turning clockwise moves the top-left corner to the top-right.
  assert.ok(pixel(rotated, h - 3, 3)[0] < 40, 'top-right is dark');
  assert.ok(pixel(rotated, 2, 3)[0] > 215, 'top-left is light');
  assert.ok(pixel(rotated, h - 3, w - 3)[0] > 215, 'bottom-right is light');
});

test('JPEG: kilobytes after the end-of-image marker are fine; an EOI inside metadata does not hide a cut', () => {
  const bytes = jpeg.encode({ width: 16, height: 16, data: gradient(16, 16) }, 90).data;
  const trailer = Buffer.alloc(4096, 0x5a); // phones append such trailers after EOI
  assert.equal(decodeImage(Buffer.concat([bytes, trailer]), 'x.img').width, 16);
  // An APP1 segment that happens to contain FF D9 (as an embedded EXIF thumbnail does), then a cut file.
  const app1 = Buffer.from([0xff, 0xe1, 0x00, 0x08, 0x00, 0x00, 0xff, 0xd9, 0x00, 0x00]);
  const withThumb = Buffer.concat([bytes.subarray(0, 2), app1, bytes.subarray(2)]);
  assert.equal(decodeImage(withThumb, 'x.img').width, 16);
  expectUserError(() => decodeImage(withThumb.subarray(0, withThumb.length - 40), 'x.img'), /truncated JPEG/);
});

test('GIF: first frame, palette colours, transparent index composited', () => {
  const buf = new Uint8Array(1024);
  const gif = new GifWriter(buf, 4, 2, { palette: [0x000000, 0xff0000, 0x00ff00, 0x0000ff] });
  gif.addFrame(0, 0, 4, 2, [1, 2, 3, 1, 2, 3, 1, 0], { transparent: 0 });
  gif.addFrame(0, 0, 4, 2, [0, 0, 0, 0, 0, 0, 0, 0]);
  const end = gif.end();
  const img = decodeImage(buf.subarray(0, end), 'x.img');
  assert.equal(img.width, 4);
  assert.deepEqual(pixel(img, 0, 0), [255, 0, 0, 255]);
  assert.deepEqual(pixel(img, 1, 0), [0, 255, 0, 255]);
  assert.deepEqual(pixel(img, 2, 0), [0, 0, 255, 255]);
  // One clear pixel in a mostly opaque picture whose mean luma is about 84: its own tone, black.
  assert.deepEqual(pixel(img, 3, 1), [0, 0, 0, 255]);
  assert.equal(img.frames, 2, 'the file holds two frames');
});

test('GIF: frame count of a 5-frame animation with local palettes; a one-image GIF reports none', () => {
  const buf = new Uint8Array(4096);
  const gif = new GifWriter(buf, 6, 6, { palette: [0x000000, 0xffffff], loop: 0 });
  for (let k = 0; k < 5; k++) {
    const local = k % 2 ? { palette: [0x000000, 0xff0000, 0x00ff00, 0x0000ff] } : {};
    gif.addFrame(0, 0, 6, 6, Array.from({ length: 36 }, (_, i) => (i + k) % 2), { delay: 10, ...local });
  }
  const animated = decodeImage(buf.subarray(0, gif.end()), 'anim.gif');
  assert.equal(animated.frames, 5);
  assert.deepEqual(pixel(animated, 0, 0), [0, 0, 0, 255], 'the first frame is the one decoded');
  assert.deepEqual(pixel(animated, 1, 0), [255, 255, 255, 255]);
  const one = new Uint8Array(1024);
  const single = new GifWriter(one, 2, 2, { palette: [0x000000, 0xffffff] });
  single.addFrame(0, 0, 2, 2, [0, 1, 1, 0]);
  assert.equal(decodeImage(one.subarray(0, single.end()), 'still.gif').frames, undefined);
  // Cut inside the last frame's data (trailer, block terminator and one data byte gone): the four whole frames count.
  const cut = buf.subarray(0, gif.end() - 3);
  assert.equal(decodeImage(cut, 'cut.gif').frames, 4);
});

test('GIF: interlaced frame with an offset, a local palette and a transparent index', () => {
  const [fw, fh] = [3, 10]; // 10 rows exercise all four interlace passes
  const indices = Array.from({ length: fw * fh }, (_, i) => (Math.floor(i / fw) + (i % fw)) % 4);
  const local: Array<[number, number, number]> = [[10, 20, 30], [40, 50, 60], [70, 80, 90], [200, 210, 220]];
  const img = decodeImage(
    writeGifLiterals({
      width: 6,
      height: 12,
      palette: [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 255]],
      frame: { left: 2, top: 1, width: fw, height: fh, interlaced: true, localPalette: local },
      indices,
      transparent: 3,
    }),
    'x.img',
  );
  assert.equal(img.width, 6);
  assert.equal(img.height, 12);
  // Mostly transparent (outside the frame, index 3) with dark visible pixels: a drawing, so white paper.
  for (let y = 0; y < 12; y++) {
    for (let x = 0; x < 6; x++) {
      const inFrame = x >= 2 && x < 2 + fw && y >= 1 && y < 1 + fh;
      const index = inFrame ? indices[(y - 1) * fw + (x - 2)] : 3;
      assert.deepEqual(pixel(img, x, y), index === 3 ? [255, 255, 255, 255] : [...local[index], 255], `(${x}, ${y})`);
    }
  }
});

test('GIF: damaged LZW data that sends omggif into an endless loop is an error here', () => {
  const damaged = Buffer.from('R0lGODlhEAAQAIEAAAAAAP////8AAAD/ACwAAAAAEAAQAAACHcQUhprX66aMFNqH59W59u1xYkiC5oeOp5qW7eoUADs=', 'base64');
  expectUserError(() => decodeImage(damaged, 'x.img'), /corrupt GIF|truncated GIF/);
});

test('BMP 24-bit with row padding, 32-bit and 8-bit palette', () => {
  const rgb = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30], [40, 50, 60], [70, 80, 90]];
  for (const bits of [24, 32] as const) {
    const img = decodeImage(writeBmp(3, 2, bits, rgb.map((p) => [...p, 0])), 'x.img');
    assert.equal(img.width, 3);
    rgb.forEach((p, i) => assert.deepEqual(pixel(img, i % 3, Math.floor(i / 3)), [...p, 255], `${bits}-bit pixel ${i}`));
  }
  const palette: Array<[number, number, number]> = [[0, 0, 0], [255, 255, 255], [12, 34, 56]];
  const img = decodeImage(writeBmp(5, 1, 8, [[2], [1], [0], [1], [2]], palette), 'x.img');
  assert.deepEqual([0, 1, 2, 3, 4].map((x) => pixel(img, x, 0)), [[12, 34, 56, 255], [255, 255, 255, 255], [0, 0, 0, 255], [255, 255, 255, 255], [12, 34, 56, 255]]);
});

test('lossless WebP decodes exactly', () => {
  const [w, h] = [5, 3];
  const pixels = Array.from({ length: w * h }, (_, i) => ((i * 7) % 3 === 0 ? [200, 10, 30, 255] : [20, 100, 250, 255]));
  const img = decodeImage(writeWebpLossless(w, h, pixels), 'x.img');
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  pixels.forEach((p, i) => assert.deepEqual(pixel(img, i % w, Math.floor(i / w)), p));
});

test('WebP errors: damaged data, and a missing decoder named in the message', () => {
  const good = writeWebpLossless(16, 16, Array.from({ length: 256 }, (_, i) => (i % 3 ? [1, 2, 3, 255] : [200, 100, 50, 255])));
  expectUserError(() => decodeImage(good.subarray(0, 24), 'x.img'), /truncated WebP: the file ends inside its header/);
  expectUserError(() => decodeImage(good.subarray(0, good.length - 40), 'x.img'), /corrupt, truncated or animated WebP/);
  expectUserError(
    () => decodeImage(good, 'x.img', { webpWasmPath: '/nonexistent/webp.wasm' }),
    /cannot decode WebP here: the decoder \/nonexistent\/webp.wasm is missing/,
  );
});

test('errors: empty, unknown, unsupported, corrupt and truncated files', () => {
  expectUserError(() => decodeImage(new Uint8Array(0), 'x.img'), /empty file \(0 bytes\)/);
  let seed = 42;
  const random = Uint8Array.from({ length: 300 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % 256));
  random[0] = 0x13; // not accidentally a signature
  expectUserError(() => decodeImage(random, 'x.img'), /supported formats are PNG, JPEG, GIF, BMP and WebP/);
  expectUserError(() => decodeImage(Buffer.from('II*\0\x08\0\0\0', 'latin1'), 'x.img'), /TIFF images are not supported/);

  const good = writePng({ width: 8, height: 8, colorType: 0, bitDepth: 8, samples: Array.from({ length: 64 }, (_, i) => i * 4) });
  const idat = good.indexOf('IDAT', 0, 'latin1');
  const idatLength = good.readUInt32BE(idat - 4);
  const badData = Buffer.from(good);
  badData[idat + 4 + 2] ^= 0x55; // inside the compressed data: the chunk's CRC no longer matches
  expectUserError(() => decodeImage(badData, 'x.img'), /corrupt PNG: .*CRC/);
  const badCrc = Buffer.from(good);
  badCrc[idat + 4 + idatLength] ^= 0x01; // the CRC itself
  expectUserError(() => decodeImage(badCrc, 'x.img'), /corrupt PNG: .*CRC/);
  expectUserError(() => decodeImage(good.subarray(0, idat + 10), 'x.img'), /truncated PNG/);
  expectUserError(() => decodeImage(good.subarray(0, good.length - 12), 'x.img'), /truncated PNG/);

  const jpg = jpeg.encode({ width: 32, height: 32, data: gradient(32, 32) }, 90).data;
  expectUserError(() => decodeImage(jpg.subarray(0, Math.floor(jpg.length / 2)), 'x.img'), /truncated JPEG/);
  expectUserError(() => decodeImage(jpg.subarray(0, jpg.length - 2), 'x.img'), /truncated JPEG/);

  const rle = writeBmp(2, 2, 8, [[0], [0], [0], [0]], [[0, 0, 0]]);
  rle.writeUInt32LE(1, 30);
  expectUserError(() => decodeImage(rle, 'x.img'), /RLE8-compressed BMP is not supported/);
  const cutBmp = writeBmp(10, 10, 24, Array.from({ length: 100 }, () => [1, 2, 3]));
  expectUserError(() => decodeImage(cutBmp.subarray(0, 100), 'x.img'), /truncated BMP/);
});

test('damaged files of every format: cut anywhere or with bytes flipped, only UserErrors come out', () => {
  const gifBuffer = new Uint8Array(4096);
  const gif = new GifWriter(gifBuffer, 16, 16, { palette: [0x000000, 0xffffff, 0xff0000, 0x00ff00] });
  gif.addFrame(0, 0, 16, 16, Array.from({ length: 256 }, (_, i) => (i * 7) % 4));
  const files: Record<string, Uint8Array> = {
    png: writePng({ width: 16, height: 16, colorType: 2, bitDepth: 8, samples: Array.from({ length: 768 }, (_, i) => (i * 13) % 256) }),
    jpeg: jpeg.encode({ width: 16, height: 16, data: gradient(16, 16) }, 80).data,
    gif: gifBuffer.slice(0, gif.end()),
    bmp: writeBmp(16, 16, 24, Array.from({ length: 256 }, (_, i) => [i, 255 - i, (i * 3) % 256])),
    webp: writeWebpLossless(16, 16, Array.from({ length: 256 }, (_, i) => (i % 5 ? [9, 8, 7, 255] : [90, 80, 70, 255]))),
  };
  let rng = 99;
  const next = () => ((rng = (rng * 48271) % 2147483647), rng);
  for (const [format, bytes] of Object.entries(files)) {
    const damaged: Uint8Array[] = [];
    for (let cut = 1; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 60))) damaged.push(bytes.slice(0, cut));
    for (let k = 0; k < 60; k++) {
      // Flip a byte in the second half: image data, past headers and tables. (Header damage is covered
      // above; a damaged JPEG Huffman table costs jpeg-js ~0.2 s of CPU each, too slow to repeat here.)
      const copy = bytes.slice();
      const half = Math.floor(bytes.length / 2);
      const at = half + (next() % (bytes.length - half));
      copy[at] ^= 1 + (next() % 255);
      damaged.push(copy);
    }
    for (const d of damaged) {
      try {
        const img = decodeImage(d, 'x.img');
        assert.equal(img.data.length, img.width * img.height * 4);
      } catch (e) {
        assert.ok(isUserError(e), `${format}, ${d.length} bytes: ${String(e)}`);
        assert.ok(!(e as Error).message.includes('\n'));
      }
    }
  }
});

test('an image above the size limit is refused from its header, before decoding', () => {
  // Claim 20000×20000 in IHDR (and fix its CRC so only the size is wrong).
  const huge = writePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, samples: [0] });
  huge.writeUInt32BE(20000, 16);
  huge.writeUInt32BE(20000, 20);
  const fixed = writePngWithIhdr(huge);
  const message = expectUserError(() => decodeImage(fixed, 'x.img'), /image too large: 20000×20000 is 400 MP, the limit is 100 MP/);
  assert.ok(message.length < 120);
});

/** Recomputes the IHDR CRC after editing its fields. */
function writePngWithIhdr(png: Buffer): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of png.subarray(12, 29)) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  const out = Buffer.from(png);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0, 29);
  return out;
}

test('readImageFile: reads a file, names a missing file and a directory', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decode-test-'));
  try {
    const file = path.join(dir, 'digit.png');
    fs.writeFileSync(file, writePng({ width: 2, height: 1, colorType: 0, bitDepth: 8, samples: [10, 250] }));
    const img = await readImageFile(file);
    assert.deepEqual(Array.from(img.data), [10, 10, 10, 255, 250, 250, 250, 255]);
    await assert.rejects(readImageFile(path.join(dir, 'nope.png')), (e: Error) => isUserError(e) && /nope\.png: file not found$/.test(e.message));
    await assert.rejects(readImageFile(dir), (e: Error) => isUserError(e) && e.message === `${dir}: is a directory, not an image file`);
    const empty = path.join(dir, 'empty.jpg');
    fs.writeFileSync(empty, '');
    await assert.rejects(readImageFile(empty), (e: Error) => isUserError(e) && /empty file/.test(e.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
