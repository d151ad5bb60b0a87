// Saves what a webview shows as a PNG: the webview encodes its canvas (the pixels shown), the host asks
// where and writes the bytes.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

/** Asks for a file (unless `target` is given) and writes the PNG; returns the file or undefined. `title`: the save dialog's. */
export async function savePng(png: Uint8Array, suggestedName: string, target: vscode.Uri | undefined, title: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const safeName = suggestedName.replace(/[^\w.=-]+/g, '_').replace(/(\.png)?$/i, '.png');
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title,
      defaultUri: folder ? vscode.Uri.joinPath(folder, safeName) : vscode.Uri.file(path.join(os.homedir(), safeName)),
      filters: { 'PNG image': ['png'] },
    }));
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, png);
  return uri;
}
