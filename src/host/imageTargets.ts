// Which images a command acts on: the Explorer selection it was invoked with, the active image preview,
// the image tabs open in the editor, or a quick pick of the workspace's images.
import * as vscode from 'vscode';
import { IMAGE_EXTENSIONS, isImagePath } from './subjects';

const IMAGE_PREVIEW = 'imagePreview.previewEditor';

/** Files from a menu invocation: VS Code passes (clicked, allSelected) from the Explorer. */
export function urisFromArgs(clicked?: unknown, selected?: unknown): vscode.Uri[] {
  const all = Array.isArray(selected) && selected.length > 0 ? selected : clicked ? [clicked] : [];
  return all.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === 'file');
}

/** The image shown in the active editor tab (built-in image preview or any tab on an image file). */
export function activeImageUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && (input.viewType === IMAGE_PREVIEW || isImagePath(input.uri.fsPath))) return input.uri;
  if (input instanceof vscode.TabInputText && isImagePath(input.uri.fsPath)) return input.uri;
  return undefined;
}

/** Every image open in a tab, in tab order, without duplicates. */
export function openImageUris(): vscode.Uri[] {
  const seen = new Set<string>();
  const uris: vscode.Uri[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input;
      const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
      if (uri && uri.scheme === 'file' && isImagePath(uri.fsPath) && !seen.has(uri.fsPath)) {
        seen.add(uri.fsPath);
        uris.push(uri);
      }
    }
  }
  return uris;
}

export async function pickWorkspaceImages(title: string, canPickMany: boolean): Promise<vscode.Uri[]> {
  const glob = `**/*.{${IMAGE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
  const files = await vscode.workspace.findFiles(glob, '**/node_modules/**', 2000);
  if (files.length === 0) {
    void vscode.window.showWarningMessage('Explain Image: no images (.png .jpg .jpeg .bmp .gif .webp) in this workspace.');
    return [];
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  if (canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, placeHolder: 'Select the images (rows of the figure)' });
    return picked?.map((p) => p.uri) ?? [];
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Select an image to explain' });
  return picked ? [picked.uri] : [];
}
