// The current model and method: the settings give the defaults, Select Model / Select Method override them
// per workspace (until "Use the setting" drops the override), and every open panel and the status bar
// follow changes at once — of the override and of the settings.
import * as vscode from 'vscode';
import { bundledModels, resolveModelChoice, type ModelEntry } from './modelCatalog';
import { readSettings } from './settings';

const MODEL_KEY = 'explainImage.selectedModel';
const METHOD_KEY = 'explainImage.selectedMethod';

export class Selection implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<'model' | 'method'>();
  readonly onDidChange = this.changed.event;
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly state: vscode.Memento,
    private readonly extensionPath: string,
  ) {
    this.listeners = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('explainImage.model')) this.changed.fire('model');
        if (e.affectsConfiguration('explainImage.method')) this.changed.fire('method');
      }),
      // Trusting the workspace can bring its own explainImage.model into force.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire('model')),
    ];
  }

  get model(): ModelEntry {
    const fromSetting = readSettings().model;
    for (const choice of [this.modelOverride, fromSetting]) {
      const entry = choice ? resolveModelChoice(choice, this.extensionPath) : undefined;
      if (entry) return entry;
    }
    const first = bundledModels(this.extensionPath)[0];
    if (!first) throw new Error(`no bundled models found in ${this.extensionPath}`);
    return first;
  }

  get method(): string {
    return this.methodOverride ?? readSettings().method;
  }

  /** The model chosen with Select Model in this workspace, when it overrides the setting. */
  get modelOverride(): string | undefined {
    return this.state.get<string>(MODEL_KEY);
  }

  /** The method chosen with Select Method in this workspace, when it overrides the setting. */
  get methodOverride(): string | undefined {
    return this.state.get<string>(METHOD_KEY);
  }

  /** `undefined` drops the override: the setting applies again. */
  async setModel(choice: string | undefined): Promise<void> {
    await this.state.update(MODEL_KEY, choice);
    this.changed.fire('model');
  }

  /** `undefined` drops the override: the setting applies again. */
  async setMethod(spec: string | undefined): Promise<void> {
    await this.state.update(METHOD_KEY, spec);
    this.changed.fire('method');
  }

  dispose(): void {
    this.changed.dispose();
    for (const l of this.listeners) l.dispose();
  }
}
