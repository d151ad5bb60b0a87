// Colour maps as short data, in the spirit of Zennit's cmap strings: a few colour stops, evenly spaced
// unless positions are given, linearly interpolated in between. A map takes t in [0, 1]; relevance 0 is
// always t = 0.5 (see normalize.ts), so diverging maps put their neutral colour exactly there.

import { COLORMAPS, type ColormapName } from '../../protocol/display';

export type Rgb = [number, number, number];

/** Comma-separated hex colours (3 or 6 digits); `@position` after a colour pins it (0..1). */
const STOPS: Record<ColormapName, string> = {
  // The seed figure: blue for negative, white at 0, red for positive.
  bwr: '00f,fff,f00',
  gray: '000,fff',
  // Zennit's cold-and-hot: cyan and blue below 0, black at 0, red, yellow, white above.
  coldnhot: '0ff,00f@0.25,000@0.5,f00@0.6667,ff0@0.8333,fff',
  // Matplotlib's viridis at nine points (R's viridis(9)); close to the 256-entry original.
  viridis: '440154,472d7b,3b528b,2c728e,21908c,27ad81,5dc863,aadc32,fde725',
};

interface Stop {
  at: number;
  rgb: Rgb;
}

function parseHex(hex: string): Rgb {
  const full = hex.length === 3 ? Array.from(hex, (d) => d + d).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`bad colour "${hex}" in a colour map`);
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

function parseStops(source: string): Stop[] {
  const nodes = source.split(',').map((node) => {
    const [hex, at] = node.trim().split('@');
    return { rgb: parseHex(hex), at: at === undefined ? undefined : Number(at) };
  });
  return nodes.map((n, i) => ({ rgb: n.rgb, at: n.at ?? i / (nodes.length - 1) }));
}

export interface Colormap {
  name: ColormapName;
  /** 256 RGB triples, entry i the colour of t = i / 255: for legends, CSS and quick lookups. */
  lut: Uint8Array;
  /** The exact colour of t (clamped to [0, 1]), rounded to 8 bits: the stops come out exactly. */
  rgbAt(t: number): Rgb;
}

const cache = new Map<ColormapName, Colormap>();

export function colormap(name: ColormapName): Colormap {
  let map = cache.get(name);
  if (map) return map;
  if (!(name in STOPS)) throw new Error(`unknown colour map "${name}"; known: ${COLORMAPS.join(', ')}`);
  const stops = parseStops(STOPS[name]);
  const rgbAt = (t: number): Rgb => {
    const x = Number.isNaN(t) ? 0.5 : Math.min(1, Math.max(0, t));
    let k = 1;
    while (k < stops.length - 1 && stops[k].at < x) k++;
    const [a, b] = [stops[k - 1], stops[k]];
    const f = b.at > a.at ? (x - a.at) / (b.at - a.at) : 0;
    return [0, 1, 2].map((c) => Math.round(a.rgb[c] + f * (b.rgb[c] - a.rgb[c]))) as Rgb;
  };
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(rgbAt(i / 255), 3 * i);
  map = { name, lut, rgbAt };
  cache.set(name, map);
  return map;
}
