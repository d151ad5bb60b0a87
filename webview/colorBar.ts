// The colour bar legend: which colours mean what. Signed maps show the full bar from R_i ≪ 0 through 0
// to R_i ≫ 0 (the seed figure); a non-negative map (Sensitivity) only uses the upper half, so its bar
// starts at 0. The model is pure data; `colorBarElement` renders it for the explain panel (the comparison
// figure draws the seed figure's bar, src/engine/figure/layout.ts).
import { R_NEGATIVE, R_POSITIVE } from '../src/engine/figure/layout';
import { colorBar } from '../src/engine/heatmap/colorBar';
import type { ColormapName } from '../src/protocol/display';
import { titleText, type MethodTitle } from '../src/protocol/methodTitle';
import { el } from './dom';
import { imageDataOf, type RgbaImage } from './heatmap/rasterize';
import { titleNodes } from './methodTitle';

export interface ColorBarLabel {
  /** Position along the bar, 0 = left end, 1 = right end. */
  at: number;
  title: MethodTitle;
  align: 'start' | 'center' | 'end';
}

export interface ColorBarModel {
  colormap: ColormapName;
  /** The part of the colour map shown: t from `from` to `to` (0..1, or 0.5..1 for non-negative maps). */
  from: number;
  to: number;
  labels: ColorBarLabel[];
  /** What a screen reader hears. */
  description: string;
}

const ZERO: MethodTitle = [{ text: '0' }];

/** Colour words for the low end, the middle and the high end of each map. */
const COLOR_WORDS: Record<ColormapName, [string, string, string]> = {
  bwr: ['blue', 'white', 'red'],
  gray: ['black', 'gray', 'white'],
  coldnhot: ['cyan', 'black', 'white'],
  viridis: ['purple', 'teal', 'yellow'],
};

export function colorBarModel(colormap: ColormapName, nonNegative: boolean): ColorBarModel {
  const [low, mid, high] = COLOR_WORDS[colormap];
  const labels: ColorBarLabel[] = nonNegative
    ? [
        { at: 0, title: ZERO, align: 'start' },
        { at: 1, title: R_POSITIVE, align: 'end' },
      ]
    : [
        { at: 0, title: R_NEGATIVE, align: 'start' },
        { at: 0.5, title: ZERO, align: 'center' },
        { at: 1, title: R_POSITIVE, align: 'end' },
      ];
  const description = nonNegative
    ? `Colour scale: ${mid} for no relevance (0) to ${high} for ${titleText(R_POSITIVE)}`
    : `Colour scale: ${low} for ${titleText(R_NEGATIVE)}, ${mid} for 0, ${high} for ${titleText(R_POSITIVE)}`;
  return { colormap, from: nonNegative ? 0.5 : 0, to: 1, labels, description };
}

/** The bar as pixels, left to right: column x shows t = from + (to − from)·x / (width − 1). */
export function colorBarPixels(model: ColorBarModel, width: number, height: number): RgbaImage {
  return colorBar(model.colormap, width, height, model.from, model.to);
}

/** The legend as DOM: a canvas strip with the labels under it. `caption` adds e.g. the scale used. */
export function colorBarElement(model: ColorBarModel, caption?: string): HTMLElement {
  const width = 256;
  const canvas = el('canvas', { class: 'colorbar-strip', attrs: { width, height: 1, 'aria-hidden': 'true' } });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const pixels = colorBarPixels(model, width, 1);
    ctx.putImageData(imageDataOf(pixels), 0, 0);
  }
  const labels = el(
    'div',
    { class: 'colorbar-labels' },
    model.labels.map((label) => el('span', { class: `colorbar-label align-${label.align}` }, titleNodes(label.title))),
  );
  return el('div', { class: 'colorbar', attrs: { role: 'img', 'aria-label': model.description } }, [
    canvas,
    labels,
    caption ? el('div', { class: 'colorbar-caption', text: caption }) : null,
  ]);
}
