// The models a user can pick: the bundled ones and every model file in the workspace (model.json, .onnx,
// .keras, .h5), each described by its card (read as plain JSON; weights are loaded only by the workers).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { bundledModelIds } from '../engine/bundledModels';
import { isModelFileName } from '../engine/import/modelFiles';
import { CHECKPOINT_EXTENSIONS } from '../engine/import/pytorchCheckpoint';
import type { ModelCard } from '../protocol/model';
import { describeFacts, FORMAT_LABELS, formatOf, readCardQuietly, staticFacts, type ModelFacts } from './modelFacts';

export { readCardQuietly };

export interface ModelEntry {
  /** Bundled id, or the workspace-relative path of the model file. */
  id: string;
  path: string;
  bundled: boolean;
  card: Partial<ModelCard>;
}

/** The workspace's model files: tfjs model.json, ONNX, Keras .keras and .h5 (as the engine reads them). */
export const WORKSPACE_MODEL_GLOB = '**/{model.json,*.onnx,*.keras,*.h5,*.hdf5}';

export function bundledModelsFolder(extensionPath: string): string {
  return path.join(extensionPath, 'models');
}

export function bundledModels(extensionPath: string): ModelEntry[] {
  const dir = bundledModelsFolder(extensionPath);
  return bundledModelIds(dir).map((id) => {
    const p = path.join(dir, id, 'model.json');
    return { id, path: p, bundled: true, card: readCardQuietly(p) };
  });
}

export async function workspaceModels(): Promise<ModelEntry[]> {
  const files = (await vscode.workspace.findFiles(WORKSPACE_MODEL_GLOB, '**/node_modules/**', 500)).filter((uri) => isModelFileName(uri.fsPath));
  return files
    .map((uri) => ({ id: vscode.workspace.asRelativePath(uri), path: uri.fsPath, bundled: false, card: readCardQuietly(uri.fsPath) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** PyTorch's own files in the workspace, listed so that choosing one says why it cannot be read and how to export it. */
export const WORKSPACE_CHECKPOINT_GLOB = `**/*{${CHECKPOINT_EXTENSIONS.join(',')}}`;

export async function workspaceCheckpoints(): Promise<ModelEntry[]> {
  const files = await vscode.workspace.findFiles(WORKSPACE_CHECKPOINT_GLOB, '**/node_modules/**', 100);
  return files.map((uri) => ({ id: vscode.workspace.asRelativePath(uri), path: uri.fsPath, bundled: false, card: {} })).sort((a, b) => a.id.localeCompare(b.id));
}

/** A setting or stored choice (bundled id or path) → entry; undefined when it no longer exists. */
export function resolveModelChoice(choice: string, extensionPath: string): ModelEntry | undefined {
  const bundled = bundledModels(extensionPath).find((m) => m.id === choice);
  if (bundled) return bundled;
  const candidates = path.isAbsolute(choice)
    ? [choice]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, choice));
  for (const c of candidates) {
    const file = fs.existsSync(c) && fs.statSync(c).isDirectory() ? path.join(c, 'model.json') : c;
    // A workspace model is named by its workspace-relative path (status bar, log, tab titles), however stored.
    if (fs.existsSync(file)) return { id: path.isAbsolute(choice) ? vscode.workspace.asRelativePath(file) : choice, path: file, bundled: false, card: readCardQuietly(file) };
  }
  return undefined;
}

/** The facts of an entry known without loading it (card, labels.txt, format). */
export function entryFacts(entry: ModelEntry): ModelFacts {
  return { ...staticFacts(entry.path), card: entry.card };
}

/** "MNIST · 99.1% test accuracy · input 28×28×1 grey · 10 labels" */
export function describeEntry(entry: ModelEntry, probed?: ModelFacts['probed'], deferredBytes?: number): string {
  return describeFacts({ ...entryFacts(entry), probed, deferredBytes });
}

/** "ONNX", "Keras .keras", "TensorFlow.js". */
export function entryFormat(entry: ModelEntry): string {
  return FORMAT_LABELS[formatOf(entry.path)];
}
