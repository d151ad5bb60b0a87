// What the explain panel and the comparison share on top of the webview life cycle: the display (colour
// map, scale, overlay) that the webview changes on its own and the settings can change too, and the
// export, a PNG of exactly what the webview shows, asked for (request-export) or offered (Export button).
import * as vscode from 'vscode';
import type { DisplaySettings } from '../protocol/display';
import { PendingReplies } from '../protocol/replies';
import type { ExportedPng, FromWebview, ToWebview } from '../protocol/webviewMessages';
import { savePng } from './exportPng';
import type { HostServices } from './hostServices';
import { displaySettingValues, followSettings } from './panelState';
import { logRun } from './runLog';
import { DISPLAY_SETTINGS, readSettings } from './settings';
import { validateWebviewMessage } from './validateWebviewMessage';
import { WebviewPanel } from './webviewPanel';

/** How the export of one kind of panel is worded. */
export interface ExportWording {
  /** "heatmap" or "comparison": the log line and the notification ("Heatmap saved to …"). */
  what: string;
  /** The save dialog's title. */
  dialogTitle: string;
  /** Who did not answer, for the timeout error ("the panel"). */
  who: string;
}

const EXPORT_ANSWER_MS = 10_000;

export abstract class HeatmapPanel extends WebviewPanel<FromWebview, ToWebview> {
  /** Every open explain panel and comparison: "Use everywhere" reaches them all. */
  private static readonly open = new Set<HeatmapPanel>();
  protected display: DisplaySettings;
  private readonly exports = new PendingReplies<ExportedPng>();

  constructor(services: HostServices, panel: vscode.WebviewPanel, view: 'explain' | 'compare', private readonly wording: ExportWording) {
    super(services, panel, { view, title: panel.title, logTag: view, validate: (raw) => validateWebviewMessage(raw) });
    this.display = readSettings().display;
    HeatmapPanel.open.add(this);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // A display setting changed in settings.json: the panel takes its new value (its other display choices stay).
        if (!DISPLAY_SETTINGS.some((key) => e.affectsConfiguration(key))) return;
        this.display = followSettings(this.display, readSettings().display, (key) => e.affectsConfiguration(key));
        this.post({ type: 'display', display: this.display });
      }),
    );
  }

  /** A message other than ready, set-display and export. */
  protected abstract onPanelMessage(message: FromWebview): void;

  protected onMessage(message: FromWebview): void {
    switch (message.type) {
      case 'set-display':
        // The webview has drawn it already; kept for a reload and for the next state.
        this.display = { ...this.display, ...message.display };
        break;
      case 'use-display-everywhere':
        void this.useDisplayEverywhere();
        break;
      case 'export':
        if (message.inReplyTo === undefined || !this.exports.answer(message.inReplyTo, message)) void this.saveExport(message);
        break;
      default:
        this.onPanelMessage(message);
    }
  }

  /** Asks the webview for its PNG and saves it (to `target`, else where the user says). */
  protected async exportShown(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const exported = await this.exports.request((messageId) => this.post({ type: 'request-export', messageId }), {
      ms: EXPORT_ANSWER_MS,
      error: () => new Error(`${this.wording.who} did not answer the export request within ${EXPORT_ANSWER_MS / 1000} s`),
    });
    return this.saveExport(exported, target);
  }

  private async saveExport(exported: ExportedPng, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    try {
      const uri = await savePng(exported.png, exported.suggestedName, target, this.wording.dialogTitle);
      if (uri) {
        logRun(this.services.log, 'export', [`${this.wording.what} → ${uri.fsPath}`]);
        const saved = this.wording.what[0].toUpperCase() + this.wording.what.slice(1);
        if (!target) void vscode.window.showInformationMessage(`${saved} saved to ${vscode.workspace.asRelativePath(uri)}`);
      }
      return uri;
    } catch (e) {
      void vscode.window.showErrorMessage(`Explain Image: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * This panel's display to every other open panel at once (each keeps nothing of its own), and into the
   * settings (the workspace's, else the user's) so panels opened later start with it.
   */
  private async useDisplayEverywhere(): Promise<void> {
    const display = { ...this.display };
    const others = [...HeatmapPanel.open].filter((panel) => panel !== this);
    for (const panel of others) {
      panel.display = { ...display };
      panel.post({ type: 'display', display: panel.display });
    }
    const config = vscode.workspace.getConfiguration('explainImage');
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    try {
      for (const [key, value] of displaySettingValues(display)) await config.update(key, value, target);
    } catch (e) {
      void vscode.window.showErrorMessage(`Explain Image: the display could not be saved in the settings: ${(e as Error).message}`);
      return;
    }
    const where = target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user';
    logRun(this.services.log, 'display', [`used everywhere: ${others.length} other panel${others.length === 1 ? '' : 's'}`, `${where} settings`]);
    void vscode.window.showInformationMessage(`Explain Image: display applied to ${others.length} other open panel${others.length === 1 ? '' : 's'} and saved in the ${where} settings.`);
  }

  override dispose(): void {
    HeatmapPanel.open.delete(this);
    this.exports.failAll(new Error(`${this.wording.who} was closed`));
    super.dispose();
  }
}
