// A webview's only line to the extension host, for every view (explain, compare, dataset): typed posts,
// incoming messages, and the state VS Code keeps across a reload of the webview (the explain panel's and
// the comparison's are read back by the host's WebviewPanelSerializer).
import type { DisplaySettings } from '../src/protocol/display';
import type { FromWebview, ToWebview } from '../src/protocol/webviewMessages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostBridge<To, From, Persisted> {
  post(message: From): void;
  saveState(state: Persisted): void;
  savedState(): Partial<Persisted> | undefined;
  onMessage(handler: (message: To) => void): void;
}

/** What the explain panel persists with setState (read by the host's WebviewPanelSerializer). */
export interface PersistedExplainState {
  view: 'explain';
  /** Image names, in panel order. */
  images: string[];
  selected: number;
  target: number | null;
  display: DisplaySettings;
  model: string;
  method: string;
  /** "With legend" beside Export (the webview's own choice; the host does not read it). */
  exportLegend?: boolean;
  /** The host's own restore data, passed through unchanged. */
  restore?: unknown;
}

export interface PersistedCompareState {
  view: 'compare';
  display: DisplaySettings;
  restore?: unknown;
}

export type PersistedPanelState = PersistedExplainState | PersistedCompareState;

/** The explain panel's and the comparison's bridge. */
export type PanelBridge = HostBridge<ToWebview, FromWebview, PersistedPanelState>;

/** acquireVsCodeApi may be called once per page: every view shares this bridge. */
export function connectToHost<To, From, Persisted>(): HostBridge<To, From, Persisted> {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    saveState: (state) => api.setState(state),
    savedState: () => (api.getState() ?? undefined) as Partial<Persisted> | undefined,
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent) => {
        const data = event.data as { type?: unknown } | null;
        // Only the host posts to this window; still, ignore anything that is not one of our messages.
        if (data && typeof data === 'object' && typeof data.type === 'string') handler(data as To);
      }),
  };
}
