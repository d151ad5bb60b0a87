// What pixel flipping and ROAD remove at a time (docs/faithfulness.md, "Faithfulness measures"): single pixels up to
// 64×64, square patches of side P = round(max(H, W)/28) above (8 at 224×224), tiled from the top-left, the
// last row and column narrower when P does not divide H or W. A patch's relevance is the sum of R over it.
import { UserError } from '../errors';

/** Inputs up to this side are perturbed pixel by pixel. */
export const LARGEST_PIXEL_UNIT_SIDE = 64;

/** The default patch side for an h × w input: 1 up to 64×64, else round(max(h, w)/28). */
export function defaultPatch(h: number, w: number): number {
  const side = Math.max(h, w);
  return side <= LARGEST_PIXEL_UNIT_SIDE ? 1 : Math.max(1, Math.round(side / 28));
}

export interface FlipUnits {
  /** The patch side (1: pixels). */
  patch: number;
  /** U: the number of units. */
  count: number;
  /** The pixels of unit u are pixels[offsets[u] … offsets[u+1]), row-major indices into h·w, ascending. */
  offsets: Uint32Array;
  pixels: Uint32Array;
}

/** The units of an h × w image for patches of side `patch` (default: defaultPatch). */
export function flipUnits(h: number, w: number, patch = defaultPatch(h, w)): FlipUnits {
  if (!Number.isInteger(patch) || patch < 1 || patch > Math.max(h, w)) {
    throw new UserError(`the patch side must be a whole number from 1 to ${Math.max(h, w)} (the ${h}×${w} image), got ${patch}`);
  }
  const rows = Math.ceil(h / patch);
  const columns = Math.ceil(w / patch);
  const count = rows * columns;
  const offsets = new Uint32Array(count + 1);
  const pixels = new Uint32Array(h * w);
  let n = 0;
  for (let pr = 0; pr < rows; pr++) {
    for (let pc = 0; pc < columns; pc++) {
      offsets[pr * columns + pc] = n;
      for (let y = pr * patch; y < Math.min(h, (pr + 1) * patch); y++) {
        for (let x = pc * patch; x < Math.min(w, (pc + 1) * patch); x++) pixels[n++] = y * w + x;
      }
    }
  }
  offsets[count] = n;
  return { patch, count, offsets, pixels };
}

/** Each unit's relevance: the sum of the map over its pixels (the map itself for pixel units). */
export function unitRelevance(units: FlipUnits, relevance: ArrayLike<number>): Float64Array | ArrayLike<number> {
  if (units.patch === 1) return relevance;
  const out = new Float64Array(units.count);
  for (let u = 0; u < units.count; u++) {
    let total = 0;
    for (let i = units.offsets[u]; i < units.offsets[u + 1]; i++) total += relevance[units.pixels[i]];
    out[u] = total;
  }
  return out;
}

/** Marks in `mask` (h·w, 1 = removed) the pixels of the first `removed` units of `order`; clears the rest. */
export function markRemoved(mask: Uint8Array, units: FlipUnits, order: Uint32Array, removed: number): void {
  mask.fill(0);
  for (let j = 0; j < removed; j++) {
    const u = order[j];
    for (let i = units.offsets[u]; i < units.offsets[u + 1]; i++) mask[units.pixels[i]] = 1;
  }
}
