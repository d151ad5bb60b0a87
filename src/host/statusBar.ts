// "model · method" in the status bar; a click offers both picks (Select Model, Select Method). The tooltip
// says where each comes from: the setting, or a choice made for this workspace.
import * as vscode from 'vscode';
import { methodTitleText, parseMethodSpec } from '../engine/methods/methodRegistry';
import type { Selection } from './selection';

export const STATUS_MENU_COMMAND = 'explainImage.statusMenu';

export function methodLabel(spec: string): string {
  try {
    return methodTitleText(parseMethodSpec(spec));
  } catch {
    return spec; // shown as stored; the panel reports the error
  }
}

/** A bundled id as it is; a model chosen from the workspace (stored by its path) relative to the workspace. */
export function modelLabel(selection: Selection): { label: string; path: string } {
  try {
    const entry = selection.model;
    return { label: entry.bundled ? entry.id : vscode.workspace.asRelativePath(entry.path), path: entry.path };
  } catch {
    return { label: '?', path: '' };
  }
}

export function createStatusBar(selection: Selection): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('explainImage.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Explain Image';
  item.command = STATUS_MENU_COMMAND;
  const update = () => {
    const method = methodLabel(selection.method);
    const model = modelLabel(selection);
    const from = (overridden: boolean, setting: string) => (overridden ? `chosen for this workspace (setting: ${setting})` : 'from the settings');
    item.text = `$(flame) ${model.label} · ${method}`;
    item.tooltip = [
      'Explain Image (click to choose the model or the method)',
      `Model: ${model.label}, ${from(selection.modelOverride !== undefined, 'explainImage.model')}${model.path ? `\n${model.path}` : ''}`,
      `Method: ${method}, ${from(selection.methodOverride !== undefined, 'explainImage.method')}`,
    ].join('\n');
    item.show();
  };
  update();
  const listener = selection.onDidChange(update);
  const menu = vscode.commands.registerCommand(STATUS_MENU_COMMAND, async () => {
    const picked = await vscode.window.showQuickPick(
      [
        { label: `$(circuit-board) Model: ${modelLabel(selection).label}`, detail: 'Select Model…', command: 'explainImage.selectModel' },
        { label: `$(beaker) Method: ${methodLabel(selection.method)}`, detail: 'Select Method…', command: 'explainImage.selectMethod' },
      ],
      { title: 'Explain Image', placeHolder: 'Choose the model or the method' },
    );
    if (picked) await vscode.commands.executeCommand(picked.command);
  });
  return vscode.Disposable.from(item, listener, menu);
}
