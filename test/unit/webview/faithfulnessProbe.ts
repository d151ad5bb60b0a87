// Bundled for faithfulnessCanvas.browser.test.ts: sets a theme's --vscode-* variables, then lays out and
// draws a comparison with its Faithfulness section with the webview's own code (the theme as the panel
// reads it, the canvas's measure, drawComparisonCanvas), and hands back the layouts and the pixels.
import type { CompareViewState } from '../../../src/protocol/webviewMessages';
import { drawComparisonCanvas } from '../../../webview/faithfulnessCanvas';
import { canvasMeasure, layoutFigure } from '../../../webview/figureCanvas';
import { readCanvasTheme } from '../../../webview/theme';

(window as unknown as { faithfulnessProbe: unknown }).faithfulnessProbe = {
  draw(state: CompareViewState, cell: number, vars: Record<string, string>) {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
    const theme = readCanvasTheme();
    const canvas = document.createElement('canvas');
    document.body.appendChild(canvas);
    const measure = canvasMeasure(canvas.getContext('2d')!, theme.fontFamily);
    const figure = layoutFigure(state, cell, measure);
    const section = drawComparisonCanvas(canvas, state, figure, theme, 1, measure);
    // The pixels as a PNG (lossless, and far smaller across page.evaluate than an array of numbers).
    return { theme, figure, section, width: canvas.width, height: canvas.height, png: canvas.toDataURL('image/png') };
  },
};
