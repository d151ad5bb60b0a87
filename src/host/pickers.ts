// Quick picks for the method (with parameter prompts) and the model.
import * as vscode from 'vscode';
import { isUserError } from '../engine/errors';
import { formatMethodSpec, listMethods, methodTitleText, parseMethodSpec, SEED_METHODS } from '../engine/methods/methodRegistry';
import { bundledModels, describeCard, workspaceModels, type ModelEntry } from './modelCatalog';

interface MethodItem extends vscode.QuickPickItem {
  spec?: string;
  /** Ask for these parameters before use. */
  askFor?: string[];
  methodId?: string;
}

/** Shows the method pick; returns the chosen spec, or undefined when dismissed. */
export async function pickMethod(current: string): Promise<string | undefined> {
  const methods = listMethods();
  const items: MethodItem[] = [{ label: 'Seed figure methods', kind: vscode.QuickPickItemKind.Separator }];
  for (const spec of SEED_METHODS) {
    const m = methods.find((x) => x.id === parseMethodSpec(spec).id);
    items.push({ label: methodTitleText(parseMethodSpec(spec)), description: spec, detail: m?.description, spec });
  }
  items.push({ label: 'All methods', kind: vscode.QuickPickItemKind.Separator });
  for (const m of methods) {
    const names = m.params.map((p) => p.name);
    const withDefaults = names.length ? ` (${m.params.map((p) => `${p.name}=${p.default}`).join(', ')})` : '';
    items.push({ label: methodTitleText(parseMethodSpec(m.id)), description: `${m.id}${withDefaults}`, detail: m.description, spec: m.id });
    if (names.length) {
      items.push({
        label: `$(settings) ${familyName(m.id)} with parameters…`,
        description: m.id,
        detail: `Set ${names.join(', ')}`,
        methodId: m.id,
        askFor: names,
      });
    }
  }
  for (const item of items) if (item.spec && formatMethodSpec(parseMethodSpec(item.spec)) === current) item.picked = true;
  const chosen = await vscode.window.showQuickPick(items, {
    title: 'Explain Image: Select Method',
    placeHolder: `Current: ${current}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!chosen) return undefined;
  if (chosen.methodId) return askParameters(chosen.methodId);
  return chosen.spec;
}

/**
 * The method's name without parameter values: a title fills in the defaults ("LRP-α2β1"), which would
 * read as one fixed choice on an entry that asks for α and β.
 */
function familyName(id: string): string {
  return id === 'lrp-ab' ? 'LRP-αβ' : methodTitleText(parseMethodSpec(id));
}

/** One input box for all of a method's parameters ("alpha=2, beta=1"), validated as the user types. */
async function askParameters(id: string): Promise<string | undefined> {
  const method = listMethods().find((m) => m.id === id);
  if (!method) return undefined;
  const example = method.params.map((p) => `${p.name}=${p.default}`).join(', ');
  const toSpec = (text: string) => `${id}:${text.replace(/\s+/g, '')}`;
  const value = await vscode.window.showInputBox({
    title: `${familyName(id)}: parameters`,
    prompt: method.params.map((p) => `${p.name}: ${p.description}`).join(' · '),
    value: example,
    validateInput: (text) => {
      if (!text.trim()) return 'Enter parameters, e.g. ' + example;
      try {
        parseMethodSpec(toSpec(text));
        return undefined;
      } catch (e) {
        return isUserError(e) ? e.message : String(e);
      }
    },
  });
  return value === undefined ? undefined : formatMethodSpec(parseMethodSpec(toSpec(value)));
}

interface ModelItem extends vscode.QuickPickItem {
  entry?: ModelEntry;
}

/** Bundled models, then every model.json in the workspace; returns the chosen entry. */
export async function pickModel(extensionPath: string, currentPath: string): Promise<ModelEntry | undefined> {
  const toItem = (m: ModelEntry): ModelItem => ({
    label: m.card.name && m.card.name !== m.id ? `${m.id}` : m.id,
    description: m.path === currentPath ? '(current)' : m.card.name && m.card.name !== m.id ? m.card.name : undefined,
    detail: describeCard(m.card),
    entry: m,
  });
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = 'Explain Image: Select Model';
  pick.placeholder = 'Bundled models and the model.json files of this workspace';
  pick.matchOnDetail = true;
  const bundled = bundledModels(extensionPath).map(toItem);
  pick.items = [{ label: 'Bundled', kind: vscode.QuickPickItemKind.Separator }, ...bundled];
  pick.busy = true;
  pick.show();
  void workspaceModels().then((found) => {
    if (found.length) pick.items = [...pick.items, { label: 'Workspace', kind: vscode.QuickPickItemKind.Separator }, ...found.map(toItem)];
    pick.busy = false;
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.entry);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
  });
}
