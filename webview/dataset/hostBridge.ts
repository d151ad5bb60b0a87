// The dataset webview's only line to the extension host: typed posts, incoming messages, and the view
// settings VS Code keeps across a reload of the webview.
import type { FromDatasetView, ToDatasetView } from '../../src/protocol/datasetMessages';
import type { FilterSpec } from './sampleFilter';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface PersistedDatasetState {
  filter: FilterSpec;
}

export interface DatasetHostBridge {
  post(message: FromDatasetView): void;
  saveState(state: PersistedDatasetState): void;
  savedState(): Partial<PersistedDatasetState> | undefined;
  onMessage(handler: (message: ToDatasetView) => void): void;
}

export function connectToHost(): DatasetHostBridge {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    saveState: (state) => api.setState(state),
    savedState: () => (api.getState() ?? undefined) as Partial<PersistedDatasetState> | undefined,
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent) => {
        const data = event.data as { type?: unknown } | null;
        if (data && typeof data === 'object' && typeof data.type === 'string') handler(data as ToDatasetView);
      }),
  };
}
