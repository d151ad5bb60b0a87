// Extension entry point: registers commands, panel serializers and the status bar. Nothing heavy runs
// here: the worker pool starts on the first explanation.
import * as path from 'path';
import * as vscode from 'vscode';
import { ComparePanel, COMPARE_VIEW_TYPE, type CompareRestoreState, type CompareSpec } from './host/comparePanel';
import { browseFolder, registerDatasetEditor } from './host/datasetEditor';
import { EngineService } from './host/engineService';
import { COMPARE_MODELS_KEY, modelChoice } from './host/compareModelsChoice';
import { pickCompareModels } from './host/compareModelsPick';
import { EXPLAIN_VIEW_TYPE, ExplainPanel, type ExplainPin, type ExplainRestoreState } from './host/explainPanel';
import type { HostServices } from './host/hostServices';
import { activeImageUri, openImageUris, pickWorkspaceImages, urisFromArgs } from './host/imageTargets';
import { bundledModels, bundledModelsFolder, resolveModelChoice, type ModelEntry } from './host/modelCatalog';
import { pickMethod, pickModel } from './host/pickers';
import type { ProbedModel } from './host/modelFacts';
import { isUserError } from './engine/errors';
import { checkpointKind } from './engine/import/pytorchCheckpoint';
import { createCard, offerCheckpointExport, tellCardFindings } from './host/ownModelHelp';
import { isSubjectRefList, subjectsFromRefs } from './host/restoreSubjects';
import { Selection } from './host/selection';
import { logRun } from './host/runLog';
import { readSettings } from './host/settings';
import { createStatusBar, methodLabel } from './host/statusBar';
import { fileSubject, type Subject } from './host/subjects';

/** The bundled samples the walkthrough opens (the first), explains and compares: MNIST test images 0, 1, 2. */
const WALKTHROUGH_SAMPLES = ['mnist-7-0000.png', 'mnist-2-0001.png', 'mnist-1-0002.png'];

export function activate(context: vscode.ExtensionContext) {
  const log = vscode.window.createOutputChannel('Explain Image');
  const dist = path.join(context.extensionPath, 'dist');
  const engine = new EngineService({
    workerScript: path.join(dist, 'worker.js'),
    wasmDir: dist,
    workers: () => readSettings().workers,
    threads: () => readSettings().threads,
  });
  const selection = new Selection(context.workspaceState, context.extensionPath);
  const services: HostServices = { extensionUri: context.extensionUri, engine, selection, log };
  context.subscriptions.push(log, { dispose: () => void engine.dispose() }, selection, createStatusBar(selection));
  context.subscriptions.push(registerDatasetEditor(services));

  const command = (id: string, run: (...args: any[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (e) {
          log.appendLine(`[${id}] ${(e as Error)?.stack ?? e}`);
          void vscode.window.showErrorMessage(`Explain Image: ${(e as Error)?.message ?? e}`);
          return undefined;
        }
      }),
    );

  command('explainImage.explain', async (clicked?: unknown, selected?: unknown) => {
    let uris = urisFromArgs(clicked, selected);
    if (uris.length === 0) {
      const active = activeImageUri();
      uris = active ? [active] : await pickWorkspaceImages('Explain Image', false);
    }
    if (uris.length === 0) return undefined;
    const panel = ExplainPanel.show(services, uris.map((u) => fileSubject(u.fsPath)));
    return panel;
  });

  // The walkthrough's steps: a bundled sample opened, explained, compared (samples of the default model).
  const sample = (name: string) => vscode.Uri.file(path.join(bundledModelsFolder(context.extensionPath), 'samples', name));
  command('explainImage.openSample', () => vscode.commands.executeCommand('vscode.open', sample(WALKTHROUGH_SAMPLES[0])));
  command('explainImage.explainSample', () => ExplainPanel.show(services, [fileSubject(sample(WALKTHROUGH_SAMPLES[0]).fsPath)]));
  command('explainImage.compareSample', () =>
    ComparePanel.show(services, WALKTHROUGH_SAMPLES.map((name) => fileSubject(sample(name).fsPath)), { kind: 'methods', model: selection.model, methods: readSettings().compareMethods }),
  );

  command('explainImage.browseFolderAsDataset', async (clicked?: unknown) => {
    let folder = clicked instanceof vscode.Uri ? clicked : undefined;
    if (!folder) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Browse as Dataset' });
      folder = picked?.[0];
    }
    if (folder) browseFolder(services, folder);
  });

  /** For the dataset browser and tests: explain subjects that are not files. */
  command('explainImage.explainSubjects', (subjects: Subject[]) => ExplainPanel.show(services, subjects));
  // A comparison cell opened: a new panel with the cell's model, method and class (comparePanel.openCell).
  command('explainImage.explainPinned', (subjects: Subject[], pin: ExplainPin, target: number | null, contrast: number | null) => ExplainPanel.showPinned(services, subjects, pin, target, contrast));

  command('explainImage.selectMethod', async () => {
    const settings = readSettings();
    const picked = await pickMethod({ current: selection.method, overridden: selection.methodOverride !== undefined, setting: settings.method });
    if (!picked) return undefined;
    const before = selection.method;
    await selection.setMethod(picked.kind === 'choice' ? picked.value : undefined);
    logRun(log, 'method', [`${methodLabel(before)} → ${methodLabel(selection.method)}`, picked.kind === 'setting' ? 'from the setting explainImage.method' : 'chosen for this workspace', selection.method]);
    return selection.method;
  });

  /** Reads a model in the engine: its card and layout as loaded, or the one line saying why it cannot be used. */
  // No AbortSignal: closing the pick lets a read finish (cancelling would stop its worker), and the pick reads
  // no further model.
  const probeModel = async (entry: ModelEntry): Promise<ProbedModel> => {
    try {
      const info = await engine.modelInfo({ path: entry.path });
      return { card: info.card, notes: info.notes, cardReport: { cardFile: info.cardFile, cardWarnings: info.cardWarnings, cardAssumed: info.cardAssumed } };
    } catch (e) {
      return { error: relativeToWorkspace(isUserError(e) ? e.message : `unexpected error: ${(e as Error)?.message ?? e}`, entry.path) };
    }
  };

  /**
   * Makes `entry` the model of this workspace (Select Model, "Use This Model"), once the engine has read it:
   * a model that cannot be used says so in one line naming the file, and the model in use stays.
   */
  const useModel = async (entry: ModelEntry, how: string): Promise<string | undefined> => {
    const current = selection.model;
    // A PyTorch file: why not, and the export lines instead (the engine would refuse it in the same words).
    const checkpoint = entry.bundled ? undefined : await checkpointKind(entry.path);
    if (checkpoint) {
      void offerCheckpointExport(entry.path, checkpoint, log);
      return undefined;
    }
    const probed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Explain Image: reading ${entry.id}` }, () => probeModel(entry));
    if ('error' in probed) {
      logRun(log, 'model', [`${entry.id} not used`, how, probed.error]);
      void vscode.window.showErrorMessage(`Explain Image: ${probed.error}`, 'Show Log').then((a) => a && log.show());
      return undefined;
    }
    // Told before the switch: the panels that read the model next then know it was told.
    if (probed.cardReport) tellCardFindings(entry.id, entry.path, probed.cardReport);
    await selection.setModel(entry.bundled ? entry.id : entry.path);
    const now = selection.model;
    logRun(log, 'model', [`${current.id} → ${now.id}`, how, now.path]);
    return now.id;
  };

  command('explainImage.selectModel', async () => {
    const current = selection.model;
    const choice = { current: current.path, overridden: selection.modelOverride !== undefined, setting: readSettings().model };
    // In Restricted Mode no workspace file is parsed as a model before the user chooses it.
    const picked = await pickModel(context.extensionPath, choice, current.id, vscode.workspace.isTrusted ? probeModel : undefined);
    if (!picked) return undefined;
    if (picked.kind === 'choice') return useModel(picked.value, 'chosen for this workspace');
    await selection.setModel(undefined);
    const now = selection.model;
    logRun(log, 'model', [`${current.id} → ${now.id}`, 'from the setting explainImage.model', now.path]);
    return now.id;
  });

  // Explorer: a model file's "Explain Image: Use This Model", the same as picking it in Select Model.
  command('explainImage.useModel', async (clicked?: unknown) => {
    const uri = clicked instanceof vscode.Uri ? clicked : typeof clicked === 'string' ? vscode.Uri.file(clicked) : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') return vscode.commands.executeCommand('explainImage.selectModel');
    const entry = resolveModelChoice(uri.fsPath, context.extensionPath);
    if (!entry) throw new Error(`${vscode.workspace.asRelativePath(uri)}: no such model file`);
    return useModel({ ...entry, id: vscode.workspace.asRelativePath(uri) }, 'chosen for this workspace (Explorer)');
  });

  // "Create Card…" (the card-less hint's button, the Explorer, the palette for the model in use).
  command('explainImage.createCard', async (clicked?: unknown) => {
    const uri = clicked instanceof vscode.Uri ? clicked : typeof clicked === 'string' ? vscode.Uri.file(clicked) : undefined;
    const model = uri?.fsPath ?? (selection.model.bundled ? undefined : selection.model.path);
    if (!model) throw new Error('choose a model of the workspace first (Select Model); the bundled models have cards');
    return createCard(engine, model, log);
  });

  command('explainImage.compareMethods', async (clicked?: unknown, selected?: unknown) => {
    const subjects = await compareSubjects(clicked, selected);
    if (subjects.length === 0) return undefined;
    return ComparePanel.show(services, subjects, { kind: 'methods', model: selection.model, methods: readSettings().compareMethods });
  });

  command('explainImage.compareModels', async (clicked?: unknown, selected?: unknown) => {
    const subjects = await compareSubjects(clicked, selected);
    if (subjects.length === 0) return undefined;
    // The columns: a pick with checkboxes, ticked as last chosen here (else the setting's, else the data set's).
    const models = await pickCompareModels(context.extensionPath, context.workspaceState.get<string[]>(COMPARE_MODELS_KEY), compareModelList());
    if (!models) return undefined;
    await context.workspaceState.update(COMPARE_MODELS_KEY, models.map(modelChoice));
    return ComparePanel.show(services, subjects, { kind: 'models', models, method: selection.method });
  });

  command('explainImage.exportHeatmap', async (target?: unknown) => {
    const panel = ExplainPanel.current;
    if (!panel) throw new Error('no Explain Image panel is open');
    const uri = await panel.exportPng(target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.file(target) : undefined);
    return uri?.fsPath;
  });

  command('explainImage.exportComparison', async (target?: unknown) => {
    const panel = ComparePanel.latest;
    if (!panel) throw new Error('no comparison figure is open');
    const uri = await panel.exportPng(target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.file(target) : undefined);
    return uri?.fsPath;
  });

  command('explainImage.showLog', () => log.show());

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(EXPLAIN_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: { restore?: ExplainRestoreState } | undefined) {
        const restore = state?.restore;
        const subjects = isSubjectRefList(restore?.subjects) ? await subjectsFromRefs(restore.subjects, () => classNamesOf(selection.model)) : [];
        if (subjects.length === 0) {
          panel.dispose();
          return;
        }
        ExplainPanel.revive(services, panel, subjects, restore);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: { restore?: CompareRestoreState } | undefined) {
        const restore = state?.restore;
        const spec = restore ? reviveCompareSpec(restore) : undefined;
        // Rows name a sample's label with the first model's classes (comparePanel.ts): map it to those.
        const first = spec && (spec.kind === 'methods' ? spec.model : spec.models[0]);
        const subjects = isSubjectRefList(restore?.subjects) && first ? await subjectsFromRefs(restore.subjects, () => classNamesOf(first)) : [];
        if (subjects.length === 0 || !spec) {
          panel.dispose();
          return;
        }
        ComparePanel.show(services, subjects, spec, panel);
      },
    }),
  );

  /** A model's class names as the engine reads them (card, labels.txt), for restored samples' labels. */
  async function classNamesOf(model: ModelEntry): Promise<string[]> {
    return (await engine.modelInfo({ path: model.path })).card.labels;
  }

  function reviveCompareSpec(restore: CompareRestoreState): CompareSpec | undefined {
    const find = (id: string) => resolveModelChoice(id, context.extensionPath);
    if (restore.spec.kind === 'methods') {
      const model = find(restore.spec.model);
      return model ? { kind: 'methods', model, methods: restore.spec.methods } : undefined;
    }
    const models = restore.spec.models.map(find).filter((m): m is ModelEntry => !!m);
    return models.length ? { kind: 'models', models, method: restore.spec.method } : undefined;
  }

  /** Images for a comparison: the Explorer selection, else the open image tabs, else a pick. */
  async function compareSubjects(clicked?: unknown, selected?: unknown): Promise<Subject[]> {
    if (Array.isArray(clicked) && clicked.every((s) => s && typeof s === 'object' && 'source' in s)) return clicked as Subject[];
    let uris = urisFromArgs(clicked, selected);
    if (uris.length === 0) uris = openImageUris();
    if (uris.length === 0) uris = await pickWorkspaceImages('Explain Image: Compare', true);
    return uris.map((u) => fileSubject(u.fsPath));
  }

  /** Models for "Compare Models": the setting, else the bundled models of the selected model's data set. */
  function compareModelList(): ModelEntry[] {
    const fromSetting = readSettings()
      .compareModels.map((id) => resolveModelChoice(id, context.extensionPath))
      .filter((m): m is ModelEntry => !!m);
    if (fromSetting.length) return fromSetting;
    const current = selection.model;
    const sameData = bundledModels(context.extensionPath).filter((m) => !current.card.dataset || m.card.dataset === current.card.dataset);
    return sameData.some((m) => m.path === current.path) ? sameData : [current, ...sameData];
  }

  // Settings changed in settings.json: the model and method changes are logged like picks are.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('explainImage.model')) {
        logRun(log, 'model', [`setting explainImage.model = ${readSettings().model}`, selection.modelOverride !== undefined ? `not in force: ${selection.model.id} was chosen for this workspace` : `now ${selection.model.id}`]);
      }
      if (e.affectsConfiguration('explainImage.method')) {
        logRun(log, 'method', [`setting explainImage.method = ${readSettings().method}`, selection.methodOverride !== undefined ? `not in force: ${selection.method} was chosen for this workspace` : `now ${methodLabel(selection.method)}`]);
      }
    }),
  );

  log.appendLine(`Explain Image activated${vscode.workspace.isTrusted ? '' : ' (restricted mode: bundled models only unless one is picked; workspace values of explainImage.model and explainImage.compare.models are ignored)'}`);
  return { services };
}

export function deactivate(): void {}

/** The engine names a model by its absolute path; messages read better with the workspace-relative one. */
function relativeToWorkspace(message: string, file: string): string {
  return message.split(file).join(vscode.workspace.asRelativePath(file));
}
