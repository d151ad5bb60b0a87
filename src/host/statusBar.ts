// "model · method" in the status bar; a click opens the method pick.
import * as vscode from 'vscode';
import { methodTitleText, parseMethodSpec } from '../engine/methods/methodRegistry';
import type { Selection } from './selection';

export function createStatusBar(selection: Selection): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('explainImage.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Explain Image';
  item.command = 'explainImage.selectMethod';
  const update = () => {
    let method = selection.method;
    try {
      method = methodTitleText(parseMethodSpec(method));
    } catch {
      // show the spec as stored
    }
    let model = '?';
    let modelPath = '';
    try {
      const entry = selection.model;
      // A model chosen from the workspace is stored by its absolute path: show it relative to the workspace.
      model = entry.bundled ? entry.id : vscode.workspace.asRelativePath(entry.path);
      modelPath = entry.path;
    } catch {
      // no model available; the panel reports it
    }
    item.text = `$(flame) ${model} · ${method}`;
    item.tooltip = `Explain Image: model · method (click to select the method)${modelPath ? `\n${modelPath}` : ''}`;
    item.show();
  };
  update();
  const listener = selection.onDidChange(update);
  return vscode.Disposable.from(item, listener);
}
