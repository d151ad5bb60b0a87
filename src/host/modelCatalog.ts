// The models a user can pick: the bundled ones and every model.json in the workspace, each described by
// its card (read as plain JSON; weights are loaded only by the workers, on use).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { bundledModelIds } from '../engine/bundledModels';
import { cardPath } from '../engine/model/modelCard';
import type { ModelCard } from '../protocol/model';

export interface ModelEntry {
  /** Bundled id, or the workspace-relative path of model.json. */
  id: string;
  path: string;
  bundled: boolean;
  card: Partial<ModelCard>;
}

export function bundledModelsFolder(extensionPath: string): string {
  return path.join(extensionPath, 'models');
}

/** The card file of a model of any format (`<model file>.card.json`, else card.json beside it), unchecked. */
export function readCardQuietly(modelPath: string): Partial<ModelCard> {
  try {
    return JSON.parse(fs.readFileSync(cardPath(modelPath), 'utf8')) as Partial<ModelCard>;
  } catch {
    return {};
  }
}

export function bundledModels(extensionPath: string): ModelEntry[] {
  const dir = bundledModelsFolder(extensionPath);
  return bundledModelIds(dir).map((id) => {
    const p = path.join(dir, id, 'model.json');
    return { id, path: p, bundled: true, card: readCardQuietly(p) };
  });
}

export async function workspaceModels(): Promise<ModelEntry[]> {
  const files = await vscode.workspace.findFiles('**/model.json', '**/node_modules/**', 200);
  return files
    .map((uri) => ({ id: vscode.workspace.asRelativePath(uri), path: uri.fsPath, bundled: false, card: readCardQuietly(uri.fsPath) }))
    .sort((a, b) => a.id.localeCompare(b.id));
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
    if (fs.existsSync(file)) return { id: choice, path: file, bundled: false, card: readCardQuietly(file) };
  }
  return undefined;
}

/** "MNIST · 99.1% · 28×28×1" */
export function describeCard(card: Partial<ModelCard>): string {
  const parts: string[] = [];
  if (card.dataset) parts.push(card.dataset);
  if (typeof card.accuracy === 'number') parts.push(`${(card.accuracy * 100).toFixed(1)}% test accuracy`);
  if (Array.isArray(card.inputShape)) parts.push(`input ${card.inputShape.join('×')}`);
  return parts.join(' · ') || 'no card.json (defaults: 28×28, range [0, 1], labels 0–9)';
}
