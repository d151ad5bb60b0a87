// The part of omggif 1.0.10 (plain JS, no types of its own) that the tests use to write GIFs.
declare module 'omggif' {
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
