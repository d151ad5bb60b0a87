// Flattens alpha onto an opaque background, because classifiers take no alpha channel.
//
// Which background: transparent pixels are background, so they get the tone the picture implies.
// - Mostly transparent images are drawings (a stroke on a clear canvas): the visible pixels are the ink
//   and the background must contrast with it. Dark ink goes on white paper, light ink on black, as in MNIST.
// - Mostly opaque images are pictures with some clear pixels (rounded corners, a cut-out): those get the
//   picture's own tone, white unless the picture is mostly dark.
// Both cases come down to: ink-like content decides the opposite tone, a picture decides its own tone.
import type { RgbaImage } from './rgbaImage';

export type Background = 'white' | 'black';

function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** The background tone for an image's transparent pixels, or null when every pixel is opaque. */
export function chooseBackground(img: RgbaImage): Background | null {
  const { data } = img;
  let weight = 0;
  let weightedLuma = 0;
  let transparent = 0;
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3] / 255;
    if (a < 1) transparent++;
    weight += a;
    weightedLuma += a * luma(data[i], data[i + 1], data[i + 2]);
  }
  if (transparent === 0) return null;
  if (weight === 0) return 'white'; // nothing visible at all
  const visibleIsDark = weightedLuma / weight < 128;
  const isDrawing = transparent * 2 > data.length / 4;
  if (isDrawing) return visibleIsDark ? 'white' : 'black';
  return visibleIsDark ? 'black' : 'white';
}

/** Composites in place onto the chosen background; afterwards every alpha is 255, and `composited` says
 *  onto which (the panel's badge says "transparent → white"). */
export function flattenAlpha(img: RgbaImage): RgbaImage {
  const background = chooseBackground(img);
  if (background === null) return img;
  const bg = background === 'white' ? 255 : 0;
  const { data } = img;
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3] / 255;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round(data[i + c] * a + bg * (1 - a));
    data[i + 3] = 255;
  }
  img.composited = background;
  return img;
}
