// Quick picks for the method (with parameter prompts) and the model.
import * as vscode from 'vscode';
import { isUserError } from '../engine/errors';
import { formatMethodSpec, listMethods, methodTitleText, parseMethodSpec } from '../engine/methods/methodRegistry';
import { methodRecord, SEED_METHODS, type MethodId } from '../engine/methods/methodTable';
import { bundledModels, describeEntry, entryFormat, workspaceCheckpoints, workspaceModels, type ModelEntry } from './modelCatalog';
import { deferredSize, type ProbedModel } from './modelFacts';

interface MethodItem extends vscode.QuickPickItem {
  spec?: string;
  /** Ask for these parameters before use. */
  askFor?: string[];
  methodId?: MethodId;
  /** "Use the setting (…)": drop the workspace's override. */
  useSetting?: boolean;
}

/** What a pick gives: a choice that overrides the setting in this workspace, or the setting again. */
export type PickResult<T> = { kind: 'choice'; value: T } | { kind: 'setting' };

/** The current choice and where it comes from, so the picks can say so. */
export interface CurrentChoice {
  /** The value in force (method spec, or model.json path). */
  current: string;
  /** True when Select Method/Model chose it for this workspace, over the setting. */
  overridden: boolean;
  /** The setting's value, as the user wrote it. */
  setting: string;
}

/** Marks the entry of the current choice; its name stays as it is. */
const CURRENT_MARK = '$(check) current';

function placeholderFor(what: string, choice: CurrentChoice, currentName: string): string {
  return choice.overridden
    ? `Current: ${currentName}, chosen for this workspace (the setting explainImage.${what} says ${choice.setting})`
    : `Current: ${currentName} (from the setting explainImage.${what})`;
}

function useSettingItem<T extends vscode.QuickPickItem>(what: string, choice: CurrentChoice, extra: Partial<T>): T[] {
  if (!choice.overridden) return [];
  return [
    {
      label: `$(discard) Use the setting (${choice.setting})`,
      description: `explainImage.${what}`,
      detail: 'Drop the choice made for this workspace; later changes of the setting apply at once',
      ...extra,
    } as T,
  ];
}

/** Shows the method pick; returns the chosen spec or "use the setting", or undefined when dismissed. */
export async function pickMethod(choice: CurrentChoice): Promise<PickResult<string> | undefined> {
  const current = safeFormat(choice.current);
  const methods = listMethods();
  const items: MethodItem[] = [...useSettingItem<MethodItem>('method', choice, { useSetting: true }), { label: 'Seed figure methods', kind: vscode.QuickPickItemKind.Separator }];
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
  let currentName = choice.current;
  for (const item of items) {
    if (item.spec && formatMethodSpec(parseMethodSpec(item.spec)) === current) {
      item.description = `${item.description} · ${CURRENT_MARK}`;
      currentName = item.label;
    }
  }
  const chosen = await vscode.window.showQuickPick(items, {
    title: 'Explain Image: Select Method',
    placeHolder: placeholderFor('method', choice, currentName),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!chosen) return undefined;
  if (chosen.useSetting) return { kind: 'setting' };
  const spec = chosen.methodId ? await askParameters(chosen.methodId) : chosen.spec;
  return spec === undefined ? undefined : { kind: 'choice', value: spec };
}

/** The spec in its canonical form, or as given when it does not parse (a bad setting). */
function safeFormat(spec: string): string {
  try {
    return formatMethodSpec(parseMethodSpec(spec));
  } catch {
    return spec;
  }
}

/**
 * The method's name without parameter values: a title fills in the defaults ("LRP-α2β1"), which would
 * read as one fixed choice on an entry that asks for α and β.
 */
function familyName(id: MethodId): string {
  return methodRecord(id).title;
}

/** One input box for all of a method's parameters ("alpha=2, beta=1"), validated as the user types. */
async function askParameters(id: MethodId): Promise<string | undefined> {
  const method = listMethods().find((m) => m.id === id);
  if (!method) return undefined;
  const example = method.params.map((p) => `${p.name}=${p.default}`).join(', ');
  // Commas or spaces between parameters (the spec parser takes both).
  const toSpec = (text: string) => `${id}:${text.trim()}`;
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
  useSetting?: boolean;
}

/** Reads a model in the engine (its card and layout as loaded), or says in one line why it cannot. */
export type ModelProbe = (entry: ModelEntry) => Promise<ProbedModel>;

/**
 * Bundled models, then every model file in the workspace (model.json, .onnx, .keras, .h5) with its card
 * facts; while the pick is open, `probe` reads the workspace models one at a time, so what their cards
 * leave out (input shape, layout, labels) is filled in and a file that cannot be used says so at once.
 * Returns the chosen entry or "use the setting".
 */
export async function pickModel(extensionPath: string, choice: CurrentChoice, currentId: string, probe?: ModelProbe): Promise<PickResult<ModelEntry> | undefined> {
  const probed = new Map<string, ProbedModel>();
  /** Files too large to read while the pick is open: their sizes (they are read when chosen). */
  const deferred = new Map<string, number>();
  const toItem = (m: ModelEntry): ModelItem => {
    const name = m.card.name && m.card.name !== m.id ? m.card.name : undefined;
    const parts = [name, entryFormat(m), m.path === choice.current ? CURRENT_MARK : undefined].filter(Boolean);
    const result = probed.get(m.path);
    // The whole reason on hover (the detail line shows its key words first, cut to the pick's width).
    const buttons = result && 'error' in result ? [{ iconPath: new vscode.ThemeIcon('info'), tooltip: result.error }] : undefined;
    return { label: m.id, description: parts.join(' · '), detail: describeEntry(m, result, deferred.get(m.path)), entry: m, buttons };
  };
  const checkpointItem = (m: ModelEntry): ModelItem => ({
    label: m.id,
    description: 'PyTorch',
    detail: '$(warning) pickled Python, not read: choose it for the torch.onnx.export lines that make an .onnx of it',
    entry: m,
  });
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = 'Explain Image: Select Model';
  pick.placeholder = placeholderFor('model', choice, currentId);
  pick.matchOnDetail = true;
  pick.matchOnDescription = true;
  const head = [...useSettingItem<ModelItem>('model', choice, { useSetting: true }), { label: 'Bundled', kind: vscode.QuickPickItemKind.Separator } as ModelItem];
  const bundled = bundledModels(extensionPath);
  let found: ModelEntry[] = [];
  let checkpoints: ModelEntry[] = [];
  const separator = (label: string) => ({ label, kind: vscode.QuickPickItemKind.Separator }) as ModelItem;
  const render = () => {
    const active = pick.activeItems[0]?.entry?.path;
    const workspace = found.map(toItem);
    pick.items = [
      ...head,
      ...bundled.map(toItem),
      ...(workspace.length ? [separator('Workspace'), ...workspace] : []),
      ...(checkpoints.length ? [separator('PyTorch files (export to ONNX first)'), ...checkpoints.map(checkpointItem)] : []),
    ];
    // Keep the row the user is on when details are filled in.
    const again = active ? pick.items.find((i) => i.entry?.path === active) : undefined;
    if (again) pick.activeItems = [again];
  };
  render();
  pick.busy = true;
  pick.show();
  const controller = new AbortController();
  void (async () => {
    [found, checkpoints] = await Promise.all([workspaceModels(), workspaceCheckpoints()]);
    if (probe) {
      for (const entry of found) {
        const size = deferredSize(entry.path);
        if (size !== undefined) deferred.set(entry.path, size);
      }
    }
    render();
    if (probe) {
      for (const entry of found) {
        if (controller.signal.aborted) break;
        if (deferred.has(entry.path)) continue;
        const result = await probe(entry).catch((e: unknown) => ({ error: (e as Error)?.message ?? String(e) }));
        if (controller.signal.aborted) break;
        probed.set(entry.path, result);
        render();
      }
    }
    pick.busy = false;
  })();
  return new Promise((resolve) => {
    pick.onDidTriggerItemButton((e) => {
      const result = e.item.entry && probed.get(e.item.entry.path);
      if (result && 'error' in result) void vscode.window.showErrorMessage(`Explain Image: ${result.error}`);
    });
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      resolve(item?.useSetting ? { kind: 'setting' } : item?.entry ? { kind: 'choice', value: item.entry } : undefined);
      pick.hide();
    });
    pick.onDidHide(() => {
      controller.abort();
      resolve(undefined);
      pick.dispose();
    });
  });
}
