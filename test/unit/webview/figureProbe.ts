// Bundled for figureCanvas.browser.test.ts: lays out and draws a comparison figure in the page with the
// webview's own code (webview/figureCanvas.ts), measured and drawn by a canvas.
import type { CompareViewState } from '../../../src/protocol/webviewMessages';
import { canvasMeasure, drawFigure, layoutFigure } from '../../../webview/figureCanvas';
import type { CanvasTheme } from '../../../webview/theme';

/** The engine's PNG colours, so the two renders can be compared pixel for pixel where they should agree. */
const THEME: CanvasTheme = { background: '#ffffff', foreground: '#000000', muted: '#000000', border: '#bebebe', error: '#d32f2f', fontFamily: 'FigureFont' };

(window as unknown as { figureProbe: unknown }).figureProbe = {
  /** The figure's layout at `cell` px and its drawing at pixel ratio 1: layout, canvas size and RGBA. */
  draw(state: CompareViewState, cell: number) {
    const canvas = document.createElement('canvas');
    document.body.appendChild(canvas);
    const layout = layoutFigure(state, cell, canvasMeasure(canvas.getContext('2d')!, THEME.fontFamily));
    drawFigure(canvas, state, layout, THEME, 1);
    const rgba = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return { layout, width: canvas.width, height: canvas.height, rgba: Array.from(rgba) };
  },
};
