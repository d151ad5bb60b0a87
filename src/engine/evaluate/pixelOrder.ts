// The order in which pixel flipping removes pixels (METHODS.md, "Faithfulness: pixel flipping"):
// MoRF (most relevant first) sorts the map by R descending, LeRF (least relevant first) by R ascending,
// and equal relevances go by the lower row-major index first in both orders. Written out here so that
// the numbers can be reproduced exactly by another implementation (a stable sort by key does the same).

export type FlipOrder = 'morf' | 'lerf';

export const FLIP_ORDERS: readonly FlipOrder[] = ['morf', 'lerf'];

/**
 * Pixel indices (row-major into the h·w map) in the order `order` removes them. A NaN in the map (a
 * method that failed numerically) ranks as least relevant in MoRF and as most relevant in LeRF, i.e.
 * last in both orders, so it never decides which informative pixels go first.
 */
export function pixelOrder(relevance: ArrayLike<number>, order: FlipOrder): Uint32Array {
  const sign = order === 'morf' ? -1 : 1;
  const indices = Array.from({ length: relevance.length }, (_, i) => i);
  indices.sort((a, b) => {
    const ra = relevance[a];
    const rb = relevance[b];
    const na = Number.isNaN(ra);
    const nb = Number.isNaN(rb);
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    return ra === rb ? a - b : sign * (ra - rb) > 0 ? 1 : -1;
  });
  return Uint32Array.from(indices);
}
