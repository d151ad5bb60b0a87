// Compare Models' columns: a quick pick of the bundled and workspace models with checkboxes, ticked as
// last chosen in this workspace (else as explainImage.compare.models says, else the selected model's data
// set's bundled models); the choice is remembered for the next comparison.
import * as vscode from 'vscode';
import { modelChoice, ticked } from './compareModelsChoice';
import { bundledModels, describeEntry, entryFormat, workspaceModels, type ModelEntry } from './modelCatalog';

interface ModelPickItem extends vscode.QuickPickItem {
  entry?: ModelEntry;
}

/**
 * The pick, with `remembered` (else `fallback`) ticked; resolves to the models chosen, in the pick's
 * order, or undefined when dismissed or when nothing was ticked (then it says so).
 */
export async function pickCompareModels(extensionPath: string, remembered: readonly string[] | undefined, fallback: readonly ModelEntry[]): Promise<ModelEntry[] | undefined> {
  const bundled = bundledModels(extensionPath);
  const workspace = await workspaceModels();
  const all = [...bundled, ...workspace];
  const on = ticked(all, remembered, fallback);
  const item = (m: ModelEntry): ModelPickItem => ({ label: m.id, description: [m.card.name && m.card.name !== m.id ? m.card.name : undefined, entryFormat(m)].filter(Boolean).join(' · '), detail: describeEntry(m), picked: on.has(modelChoice(m)), entry: m });
  const items: ModelPickItem[] = [
    { label: 'Bundled', kind: vscode.QuickPickItemKind.Separator },
    ...bundled.map(item),
    ...(workspace.length ? [{ label: 'Workspace', kind: vscode.QuickPickItemKind.Separator }, ...workspace.map(item)] : []),
  ];
  const chosen = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: 'Explain Image: Compare Models',
    placeHolder: 'Tick the models to compare, one column each (Enter to compare)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!chosen) return undefined;
  const models = chosen.flatMap((c) => (c.entry ? [c.entry] : []));
  if (models.length === 0) {
    void vscode.window.showInformationMessage('Explain Image: tick at least one model to compare.');
    return undefined;
  }
  return models;
}
