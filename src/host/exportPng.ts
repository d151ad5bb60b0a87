// Saves what a webview shows as a PNG: the webview renders its canvas to a data URL (same pixels as
// shown), the host asks where and writes the bytes.
import * as path from 'path';
import * as vscode from 'vscode';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngBytesFromDataUrl(dataUrl: string): Uint8Array {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('export: not a PNG data URL');
  const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('export: the data is not a PNG');
  return bytes;
}

/** Asks for a file (unless `target` is given) and writes the PNG; returns the file or undefined. `title`: the save dialog's. */
export async function savePng(dataUrl: string, suggestedName: string, target?: vscode.Uri, title = 'Export heatmap as PNG'): Promise<vscode.Uri | undefined> {
  const bytes = pngBytesFromDataUrl(dataUrl);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const safeName = suggestedName.replace(/[^\w.=-]+/g, '_').replace(/(\.png)?$/i, '.png');
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title,
      defaultUri: folder ? vscode.Uri.joinPath(folder, safeName) : vscode.Uri.file(path.join(require('os').homedir(), safeName)),
      filters: { 'PNG image': ['png'] },
    }));
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, bytes);
  return uri;
}

/** Pairs the host's export requests with the webview's answers (a PNG of exactly what it shows). */
export class ExportRequests {
  private readonly waiting = new Map<number, (dataUrl: string, name: string) => void>();
  private nextId = 1;

  /** Sends a request through `send` and waits for the webview's PNG; rejects after 10 s of silence. */
  request(send: (requestId: number) => void, who: string): Promise<{ dataUrl: string; name: string }> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new Error(`${who} did not answer the export request within 10 s`));
      }, 10_000);
      this.waiting.set(requestId, (dataUrl, name) => {
        clearTimeout(timer);
        resolve({ dataUrl, name });
      });
      send(requestId);
    });
  }

  /** Delivers an `export` message; false when nobody asked for it (the user clicked Export). */
  answer(requestId: number, dataUrl: string, name: string): boolean {
    const waiting = this.waiting.get(requestId);
    if (!waiting) return false;
    this.waiting.delete(requestId);
    waiting(dataUrl, name);
    return true;
  }
}
