// The webview's only line to the extension host: typed posts, incoming messages, and the state VS Code
// keeps across reloads (the host's serializer reads it back to reopen the panel).
import type { FromWebview, ToWebview } from '../src/protocol/webviewMessages';
import type { DisplaySettings } from '../src/protocol/display';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

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
  /** The host's own restore data, passed through unchanged. */
  restore?: unknown;
}

export interface PersistedCompareState {
  view: 'compare';
  display: DisplaySettings;
  restore?: unknown;
}

export type PersistedState = PersistedExplainState | PersistedCompareState;

export interface HostBridge {
  post(message: FromWebview): void;
  saveState(state: PersistedState): void;
  onMessage(handler: (message: ToWebview) => void): void;
}

export function connectToHost(): HostBridge {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    saveState: (state) => api.setState(state),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent) => {
        const data = event.data as { type?: unknown } | null;
        // Only the host posts to this window; still, ignore anything that is not one of our messages.
        if (data && typeof data === 'object' && typeof data.type === 'string') handler(data as ToWebview);
      }),
  };
}
