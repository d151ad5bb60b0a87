// Panels follow a model re-exported on disk: the model file, its card(s), labels.txt and the files its
// weights are read from beside it (tfjs .bin shards, an ONNX model's external data such as
// `model.onnx.data`). A change, creation or deletion calls back once per burst (an export writes several
// files); the worker's model cache sees the new version by the files' sizes and times.
import * as path from 'path';
import * as vscode from 'vscode';

/** The files of the model at `modelPath`, as one glob relative to its folder. */
export function modelFilesGlob(modelPath: string): string {
  const base = path.basename(modelPath);
  // `<name>*`: the model, `<name>.card.json`, external data `<name>.data`; `*.bin`: tfjs shards and the
  // usual ONNX external-data name.
  return `{${base}*,card.json,labels.txt,*.bin,*.data}`;
}

/** Watches the files of each model; `onChange` is called 300 ms after the last event of a burst. */
export function watchModelFiles(modelPaths: string[], onChange: () => void): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, 300);
  };
  const watchers = [...new Set(modelPaths)].map((p) => {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(p)), modelFilesGlob(p)));
    w.onDidChange(fire);
    w.onDidCreate(fire);
    w.onDidDelete(fire);
    return w;
  });
  return {
    dispose: () => {
      clearTimeout(timer);
      for (const w of watchers) w.dispose();
    },
  };
}
