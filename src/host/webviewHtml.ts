// The HTML shell of both webviews: a strict CSP with a per-load nonce, the bundled script and styles from
// dist/, and nothing from the network.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

export type ViewKind = 'explain' | 'compare' | 'dataset';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: true,
    // Only the bundles, styles and fonts in dist/; images reach the webview as data, not file URIs.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: ViewKind, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  // The dataset browser is its own bundle; the explain panel and the comparison share one.
  const bundle = view === 'dataset' ? 'dataset' : 'webview';
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', name)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="csp-nonce" content="${nonce}">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet" nonce="${nonce}">
<link rel="stylesheet" href="${asset(`${bundle}.css`)}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body data-view="${view}">
<div id="app" role="main" aria-busy="true">Loading…</div>
<script nonce="${nonce}" src="${asset(`${bundle}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
