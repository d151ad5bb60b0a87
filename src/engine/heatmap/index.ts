// Heatmap rendering: colour maps, normalisation, colouring and overlay, PNG encoding, the legend.
export { colorBar, colorBarGradient } from './colorBar';
export { colormap, COLORMAP_NAMES, type Colormap, type ColormapName, type Rgb } from './colormaps';
export { DEFAULT_NORMALIZATION, percentileOfMagnitudes, relevanceScale, unitValue, type Normalization } from './normalize';
export { encodePng } from './png';
export { renderHeatmap, type HeatmapOptions } from './render';
