// Phones store photos sideways and record how to turn them in the EXIF Orientation tag (0x0112).
// Browsers honour it, so users expect us to: a digit photographed upright must reach the model upright.
import type { RgbaImage } from './rgbaImage';

/** Orientation 1..8 from the APP1/Exif segment of a JPEG, 1 (as stored) when absent or unreadable. */
export function readJpegExifOrientation(bytes: Uint8Array): number {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image: no more metadata
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const isExif =
      marker === 0xe1 && bytes[at + 4] === 0x45 && bytes[at + 5] === 0x78 && bytes[at + 6] === 0x69 && bytes[at + 7] === 0x66;
    if (isExif) return orientationFromTiff(bytes.subarray(at + 10, Math.min(bytes.length, at + 2 + length)));
    at += 2 + length;
  }
  return 1;
}

function orientationFromTiff(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49; // 'II' little-endian, 'MM' big-endian
  const u16 = (i: number) => (little ? tiff[i] | (tiff[i + 1] << 8) : (tiff[i] << 8) | tiff[i + 1]);
  const u32 = (i: number) => (little ? u16(i) + u16(i + 2) * 65536 : u16(i) * 65536 + u16(i + 2));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** Returns the image as it should be displayed for an EXIF orientation (a new image unless 1). */
export function applyExifOrientation(img: RgbaImage, orientation: number): RgbaImage {
  if (orientation === 1) return img;
  const { width: w, height: h } = img;
  const swaps = orientation >= 5;
  const outW = swaps ? h : w;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      let dx: number;
      let dy: number;
      switch (orientation) {
        case 2: [dx, dy] = [w - 1 - sx, sy]; break; // mirrored
        case 3: [dx, dy] = [w - 1 - sx, h - 1 - sy]; break; // rotated 180°
        case 4: [dx, dy] = [sx, h - 1 - sy]; break; // flipped
        case 5: [dx, dy] = [sy, sx]; break; // transposed
        case 6: [dx, dy] = [h - 1 - sy, sx]; break; // needs 90° clockwise
        case 7: [dx, dy] = [h - 1 - sy, w - 1 - sx]; break; // transversed
        default: [dx, dy] = [sy, w - 1 - sx]; break; // 8: needs 90° counter-clockwise
      }
      const s = 4 * (sy * w + sx);
      const d = 4 * (dy * outW + dx);
      out[d] = img.data[s];
      out[d + 1] = img.data[s + 1];
      out[d + 2] = img.data[s + 2];
      out[d + 3] = img.data[s + 3];
    }
  }
  return { width: outW, height: swaps ? w : h, data: out };
}
