// Colour maps as a few colour stops with linear interpolation in between, in the spirit of Zennit's
// cmap strings ("00f,80:fff,f00"). A map takes t in [0, 1]; relevance 0 always sits at t = 0.5 (see
// normalize.ts), so diverging maps put their neutral colour there.
import type { ColormapName } from '../../src/protocol/webviewMessages';

export type Rgb = [number, number, number];

interface Stop {
  at: number;
  rgb: Rgb;
}

const hex = (s: string): Rgb => [parseInt(s.slice(0, 2), 16), parseInt(s.slice(2, 4), 16), parseInt(s.slice(4, 6), 16)];

const stops = (colors: string[], at?: number[]): Stop[] =>
  colors.map((c, i) => ({ at: at ? at[i] : i / (colors.length - 1), rgb: hex(c) }));

export const COLORMAP_STOPS: Record<ColormapName, readonly Stop[]> = {
  // The seed figure: blue for negative, white at 0, red for positive.
  bwr: stops(['0000ff', 'ffffff', 'ff0000']),
  gray: stops(['000000', 'ffffff']),
  // Zennit's "coldnhot": cyan, blue, black at 0, red, yellow, white.
  coldnhot: stops(['00ffff', '0000ff', '000000', 'ff0000', 'ffff00', 'ffffff'], [0, 0.25, 0.5, 2 / 3, 5 / 6, 1]),
  // Matplotlib's viridis sampled at nine points.
  viridis: stops(['440154', '472d7b', '3b528b', '2c728e', '21918c', '28ae80', '5ec962', 'addc30', 'fde725']),
};

/** Human names for the colour-map picker. */
export const COLORMAP_LABELS: Record<ColormapName, string> = {
  bwr: 'Blue – white – red',
  gray: 'Gray',
  coldnhot: 'Cold and hot',
  viridis: 'Viridis',
};

/** The colour of `t` (clamped to [0, 1]; NaN counts as 0.5), as 8-bit RGB. */
export function colorAt(name: ColormapName, t: number): Rgb {
  const table = COLORMAP_STOPS[name];
  const x = Number.isNaN(t) ? 0.5 : Math.min(1, Math.max(0, t));
  let k = 1;
  while (k < table.length - 1 && table[k].at < x) k++;
  const a = table[k - 1];
  const b = table[k];
  const f = b.at === a.at ? 0 : (x - a.at) / (b.at - a.at);
  return [0, 1, 2].map((c) => Math.round(a.rgb[c] + (b.rgb[c] - a.rgb[c]) * f)) as Rgb;
}
