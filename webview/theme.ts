// Canvas drawing cannot use CSS variables, so the figure reads the current VS Code theme colours here
// (and redraws when VS Code switches theme: it rewrites the body class and the root style).

export interface CanvasTheme {
  background: string;
  foreground: string;
  muted: string;
  border: string;
  error: string;
  fontFamily: string;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function readCanvasTheme(): CanvasTheme {
  return {
    background: cssVar('--vscode-editor-background', '#ffffff'),
    foreground: cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#333333')),
    muted: cssVar('--vscode-descriptionForeground', '#717171'),
    border: cssVar('--vscode-contrastBorder', cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#c8c8c8'))),
    error: cssVar('--vscode-errorForeground', '#d32f2f'),
    fontFamily: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
  };
}

/** Calls `onChange` when VS Code changes the theme (body class or the variables on <html>). */
export function watchTheme(onChange: () => void): void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}

export function canvasFont(size: number, bold: boolean, family: string): string {
  return `${bold ? 600 : 400} ${size}px ${family}`;
}
