// Extension entry point: registers commands; everything heavy starts on first use.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Explain Image');
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('explainImage.explain', async (uri?: vscode.Uri) => {
      log.appendLine(`explain ${uri?.fsPath ?? '(no file)'}`);
      const panel = vscode.window.createWebviewPanel('explainImage.panel', 'Explain Image', vscode.ViewColumn.Beside, {});
      panel.webview.html = '<!doctype html><html><body><h1>Explain Image</h1></body></html>';
    }),
  );
  log.appendLine('Explain Image activated');
}

export function deactivate(): void {}
