// The current model and method: the settings give the defaults, a pick persists per workspace, and every
// open panel and the status bar follow changes at once.
import * as vscode from 'vscode';
import { bundledModels, resolveModelChoice, type ModelEntry } from './modelCatalog';
import { readSettings } from './settings';

const MODEL_KEY = 'explainImage.selectedModel';
const METHOD_KEY = 'explainImage.selectedMethod';

export class Selection implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<'model' | 'method'>();
  readonly onDidChange = this.changed.event;
  private readonly configListener: vscode.Disposable;

  constructor(
    private readonly state: vscode.Memento,
    private readonly extensionPath: string,
  ) {
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('explainImage.model')) this.changed.fire('model');
      if (e.affectsConfiguration('explainImage.method')) this.changed.fire('method');
    });
  }

  get model(): ModelEntry {
    const stored = this.state.get<string>(MODEL_KEY);
    const fromSetting = readSettings().model;
    for (const choice of [stored, fromSetting]) {
      const entry = choice ? resolveModelChoice(choice, this.extensionPath) : undefined;
      if (entry) return entry;
    }
    const first = bundledModels(this.extensionPath)[0];
    if (!first) throw new Error(`no bundled models found in ${this.extensionPath}`);
    return first;
  }

  get method(): string {
    return this.state.get<string>(METHOD_KEY) ?? readSettings().method;
  }

  async setModel(choice: string): Promise<void> {
    await this.state.update(MODEL_KEY, choice);
    this.changed.fire('model');
  }

  async setMethod(spec: string): Promise<void> {
    await this.state.update(METHOD_KEY, spec);
    this.changed.fire('method');
  }

  dispose(): void {
    this.changed.dispose();
    this.configListener.dispose();
  }
}
