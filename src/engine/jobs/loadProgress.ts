// How far a model load has come, for a panel that waits for it: bytes of the model's files read and graph
// nodes built. The readers and the graph builder report here; the worker listens while a job runs and
// posts what it hears (throttled) to the host. Nothing listens in the CLI and in tests: reports cost a call.
import type { ModelLoadProgress } from '../../protocol/model';

/** Bytes per read while someone listens: a 45 MB ResNet-18 is told in six steps. */
export const READ_CHUNK = 8 * 1024 * 1024;

let listener: ((progress: ModelLoadProgress) => void) | null = null;
const state: ModelLoadProgress = { file: '', bytesRead: 0, bytesTotal: 0, nodesBuilt: 0 };
/** Files whose size is in bytesTotal already. */
const sized = new Set<string>();

/** Runs `load` with `onProgress` told of its reads and nodes (a fresh count for each call). */
export async function observeModelLoad<T>(onProgress: (progress: ModelLoadProgress) => void, load: () => Promise<T>): Promise<T> {
  Object.assign(state, { file: '', bytesRead: 0, bytesTotal: 0, nodesBuilt: 0 });
  sized.clear();
  listener = onProgress;
  try {
    return await load();
  } finally {
    listener = null;
  }
}

/** `bytes` more of `file` (of `fileSize` bytes) have been read. */
export function reportBytesRead(file: string, bytes: number, fileSize: number): void {
  if (!listener) return;
  if (!sized.has(file)) {
    sized.add(file);
    state.bytesTotal += fileSize;
  }
  state.file = file;
  state.bytesRead += bytes;
  listener({ ...state });
}

/** One more node of the graph built. */
export function reportNodeBuilt(): void {
  if (!listener) return;
  state.nodesBuilt++;
  listener({ ...state });
}
