// How a heatmap is shown: colour map and normalisation (the engine's renderer takes them too), and the
// panel's overlay.

export type ColormapName = 'bwr' | 'gray' | 'coldnhot' | 'viridis';

export const COLORMAPS: readonly ColormapName[] = ['bwr', 'gray', 'coldnhot', 'viridis'];

/** Which |R| maps to the ends of the colour map: a percentile of |R| (a robust maximum) or the maximum. */
export type Normalization = { kind: 'percentile'; p: number } | { kind: 'max' };

export const DEFAULT_NORMALIZATION: Normalization = { kind: 'percentile', p: 99.5 };

export interface DisplaySettings {
  colormap: ColormapName;
  normalization: Normalization;
  /** Draw the heatmap over the model input instead of alone. */
  overlay: boolean;
  /** Heatmap opacity in the overlay, 0..1. */
  opacity: number;
  /** The overlay's opacity per pixel follows |R| (opacity·|R|/scale): irrelevant pixels show the input. Absent: off. */
  opacityByRelevance?: boolean;
}
