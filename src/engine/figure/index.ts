// The comparison figure: layout (pure, shared with the webview), text rendering, and the PNG-ready image.
export { renderComparisonFigure, type FigureRenderOptions } from './comparisonFigure';
export { defaultFontPath, loadFigureFont, type FigureFont, type TextMeasure } from './font';
export { layoutComparisonFigure, type ComparisonFigureSpec, type FigureInput, type FigureLayout, type Rect } from './layout';
export { SUB_DROP, SUB_SCALE, type TextRun } from './titleText';
