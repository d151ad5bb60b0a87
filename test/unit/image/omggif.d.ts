// The part of omggif 1.0.10 (plain JS, no types of its own) that the GIF decoder uses.
declare module 'omggif' {
  export class GifReader {
    constructor(buf: Uint8Array);
    readonly width: number;
    readonly height: number;
    numFrames(): number;
    frameInfo(frame: number): { x: number; y: number; width: number; height: number; transparent_index: number | null };
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array | Uint8ClampedArray): void;
  }
  export class GifWriter {
    constructor(
      buf: Uint8Array,
      width: number,
      height: number,
      options?: { palette?: number[]; loop?: number; background?: number },
    );
    addFrame(
      x: number,
      y: number,
      w: number,
      h: number,
      indexedPixels: ArrayLike<number>,
      options?: { palette?: number[]; delay?: number; transparent?: number; disposal?: number },
    ): number;
    end(): number;
  }
}
