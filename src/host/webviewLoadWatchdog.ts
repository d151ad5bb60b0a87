// VS Code in a browser (code-server, vscode.dev) serves a webview's scripts and styles through a service
// worker shared by every webview of the page. When several webviews load at once (an image preview and
// our panel, or all of them after a window reload), a request can stay unanswered until the worker's
// 30 s timeout, and the panel keeps showing "Loading…" for good: its script never ran. Seen in the e2e
// runs. Setting the HTML again makes the webview load its content afresh, which then succeeds; so a
// panel whose webview has not said 'ready' in time gets its HTML again, a few times, later each time.
import type * as vscode from 'vscode';

/** A webview normally says 'ready' within a second or two. */
export const WEBVIEW_RELOAD_AFTER_MS = [10_000, 20_000, 30_000];

export class WebviewLoadWatchdog implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private visibility: vscode.Disposable | undefined;
  private attempt = 0;
  private readonly started = Date.now();
  private done = false;

  /**
   * Calls `reload` (which sets the webview's HTML again) each time the webview has not said 'ready'
   * within the next delay of `delaysMs`, counted while the panel is visible (a hidden webview does
   * not load). `log` hears about each reload.
   */
  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly reload: () => void,
    private readonly log: (line: string) => void,
    private readonly delaysMs = WEBVIEW_RELOAD_AFTER_MS,
  ) {
    this.arm();
  }

  private arm(): void {
    const delay = this.delaysMs[this.attempt];
    if (delay === undefined || this.done) return;
    this.timer = setTimeout(() => {
      if (this.done) return;
      if (!this.panel.visible) {
        this.visibility = this.panel.onDidChangeViewState(() => {
          if (!this.panel.visible) return;
          this.visibility?.dispose();
          this.visibility = undefined;
          this.arm();
        });
        return;
      }
      this.attempt++;
      this.log(`the webview has not loaded after ${Date.now() - this.started} ms; loading its content again (${this.attempt} of ${this.delaysMs.length})`);
      this.reload();
      this.arm();
    }, delay);
  }

  /** The webview said 'ready': stop watching, and note a slow load. */
  ready(): void {
    if (this.done) return;
    const ms = Date.now() - this.started;
    if (ms > 5000) this.log(`the webview took ${ms} ms to load`);
    this.dispose();
  }

  dispose(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.visibility?.dispose();
    this.visibility = undefined;
  }
}
