// The life cycle every webview of the extension shares (explain panel, comparison, dataset browser): its
// HTML with a fresh CSP nonce, the load watchdog, every incoming message checked before use, 'ready'
// before anything is posted (and everything posted again when the webview reloads), and dispose; and where
// its work stands in the engine's queue (the panel the user looks at first, hidden panels after visible
// ones), with a hook for work a hidden panel put off until it is shown again.
// Subclasses say what to send on 'ready' and what to do with each message.
import * as vscode from 'vscode';
import { RANK, type JobPriority } from '../engine/pool/jobPriority';
import type { HostServices } from './hostServices';
import { WebviewLoadWatchdog } from './webviewLoadWatchdog';
import { webviewHtml, webviewOptions, type ViewKind } from './webviewHtml';

export interface WebviewPanelOptions<In> {
  view: ViewKind;
  /** The HTML's <title>. */
  title: string;
  /** The tag of the log lines ("[explain] …"). */
  logTag: string;
  /** The message, typed, or null when it is not a valid one. */
  validate: (raw: unknown) => In | null;
}

/** How a panel is named in another panel's "paused while … computes". */
const OWNER: Record<ViewKind, string> = { explain: 'the explain panel', compare: 'the comparison', dataset: 'the data set browser' };

/** Open panels, the one the user opened, revealed or focused last first: the first visible one is the panel
 *  the user looks at, whose current request the engine runs before anything else. */
const engaged: Array<{ readonly visible: boolean }> = [];

/** What a panel asks the engine for: its current request (the heatmap or figure it shows next), other work
 *  it shows, or background work (predictions of a data set, faithfulness). */
export type WorkKind = 'request' | 'work' | 'background';

export abstract class WebviewPanel<In extends { type: string }, Out> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private webviewReady = false;
  private disposed = false;
  private readonly loadWatchdog: WebviewLoadWatchdog;
  private wasVisible: boolean;

  constructor(
    protected readonly services: HostServices,
    readonly panel: vscode.WebviewPanel,
    private readonly options: WebviewPanelOptions<In>,
  ) {
    panel.webview.options = webviewOptions(services.extensionUri);
    const setHtml = () => (panel.webview.html = webviewHtml(panel.webview, services.extensionUri, options.view, options.title));
    setHtml();
    this.loadWatchdog = new WebviewLoadWatchdog(panel, setHtml, (line) => this.log(line));
    this.wasVisible = panel.visible;
    this.engage();
    this.disposables.push(
      this.loadWatchdog,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (this.disposed) return;
        if (panel.active) this.engage();
        const shown = panel.visible && !this.wasVisible;
        this.wasVisible = panel.visible;
        if (shown) this.onShown();
      }),
    );
  }

  /** The panel is shown again after it was hidden: work it put off may run now. */
  protected onShown(): void {}

  /** The user opened, revealed or focused this panel: its current request goes first while it is visible. */
  protected engage(): void {
    const at = engaged.indexOf(this);
    if (at >= 0) engaged.splice(at, 1);
    engaged.unshift(this);
  }

  /** Shown in its editor group (not a background tab), and not closed. */
  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  /** Where this panel's work of `kind` stands in the engine's queue, read whenever the pool picks a job. */
  protected priority(kind: WorkKind): JobPriority {
    return {
      owner: OWNER[this.options.view],
      rank: () => {
        if (kind === 'background') return RANK.background;
        if (!this.visible) return RANK.hidden;
        return kind === 'request' && engaged.find((p) => p.visible) === this ? RANK.current : RANK.visible;
      },
    };
  }

  /** The webview (re)loaded and is empty: send it everything it shows. */
  protected abstract onReady(): void;

  /** A checked message other than 'ready'. */
  protected abstract onMessage(message: In): void;

  /** Whether the webview is up (messages before 'ready' would be lost: `post` drops them). */
  protected get ready(): boolean {
    return this.webviewReady;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Posts when the webview is up; false when the message was dropped (it will get everything on 'ready'). */
  protected post(message: Out): boolean {
    if (!this.webviewReady || this.disposed) return false;
    void this.panel.webview.postMessage(message);
    return true;
  }

  protected log(line: string): void {
    this.services.log.appendLine(`[${this.options.logTag}] ${line}`);
  }

  private receive(raw: unknown): void {
    const message = this.options.validate(raw);
    if (!message) {
      this.log(`ignored an invalid message from the webview: ${describe(raw)}`);
      return;
    }
    if (message.type === 'ready') {
      this.webviewReady = true;
      this.loadWatchdog.ready();
      this.onReady();
      return;
    }
    this.onMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const at = engaged.indexOf(this);
    if (at >= 0) engaged.splice(at, 1);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** A message for the log: its JSON, short, typed arrays by their size. */
function describe(raw: unknown): string {
  const text = JSON.stringify(raw, (_key, value: unknown) => (ArrayBuffer.isView(value) ? `<${value.byteLength} bytes>` : value));
  return (text ?? String(raw)).slice(0, 200);
}
