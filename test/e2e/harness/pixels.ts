// Pixels the scenarios look at: a webview canvas read in its own frame (getImageData), and a PNG file
// read from disk with pngjs. "Ink" is every pixel that differs from the most common colour (the
// background); a signature is a hash of all pixels, to tell whether a canvas was redrawn differently.
import * as fs from 'fs';
import { PNG } from 'pngjs';
import type { Locator } from 'playwright-core';

export interface CanvasPixels {
  width: number;
  height: number;
  /** Distinct RGBA colours. */
  colours: number;
  /** Pixels that differ from the most common colour. */
  nonBackground: number;
  /** FNV-1a over the RGBA bytes: equal pictures, equal signatures. */
  signature: string;
}

/** Reads a `<canvas>` in a webview (2D context) and summarises its pixels. */
export function readCanvas(canvas: Locator): Promise<CanvasPixels> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return { width: c.width, height: c.height, colours: 0, nonBackground: 0, signature: 'empty' };
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map<number, number>();
    let hash = 0x811c9dc5;
    for (let i = 0; i < data.length; i += 4) {
      const key = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      hash = Math.imul(hash ^ key, 0x01000193) >>> 0;
    }
    const background = Math.max(...counts.values());
    return {
      width: c.width,
      height: c.height,
      colours: counts.size,
      nonBackground: c.width * c.height - background,
      signature: `${c.width}x${c.height}:${hash.toString(16)}`,
    };
  });
}

/** A relevance map of a sample lights up at least its strokes: at least 0.5 % of the pixels are ink. */
export function hasInk(pixels: CanvasPixels): boolean {
  return pixels.colours > 1 && pixels.nonBackground >= 0.005 * pixels.width * pixels.height;
}

export interface PngFile {
  width: number;
  height: number;
  /** Pixels that are neither white nor transparent. */
  nonWhite: number;
  /** Distinct RGBA colours. */
  colours: number;
  /** The same hash as `CanvasPixels.signature`: equal to it when the file holds the canvas's pixels. */
  signature: string;
}

/** Decodes a PNG file from disk. */
export function readPngFile(file: string): PngFile {
  const png = PNG.sync.read(fs.readFileSync(file));
  const colours = new Set<number>();
  let nonWhite = 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
    const key = ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
    colours.add(key);
    hash = Math.imul(hash ^ key, 0x01000193) >>> 0;
    if (a > 0 && (r < 250 || g < 250 || b < 250)) nonWhite++;
  }
  return { width: png.width, height: png.height, nonWhite, colours: colours.size, signature: `${png.width}x${png.height}:${hash.toString(16)}` };
}

/**
 * A PNG file as soon as it is whole: the extension writes it while the test polls, so a read can see a
 * file that exists but is not finished ("read requests waiting on finished stream"). `undefined` on timeout.
 */
export async function waitForPngFile(file: string, timeoutMs = 15_000): Promise<PngFile | undefined> {
  const deadline = Date.now() + timeoutMs;
  do {
    try {
      if (fs.existsSync(file) && fs.statSync(file).size > 0) return readPngFile(file);
    } catch {
      // not finished yet
    }
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() < deadline);
  return undefined;
}
