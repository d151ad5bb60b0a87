// How far a model's load is, as the panels waiting for it say it.
import type { ModelLoadView } from '../src/protocol/webviewMessages';

/** "Loading ResNet-18: 24.0 of 46.7 MB read, 12 nodes built". */
export function modelLoadText(load: ModelLoadView): string {
  const parts: string[] = [];
  if (load.bytesTotal > 0) parts.push(`${megabytes(load.bytesRead)} of ${megabytes(load.bytesTotal)} MB read`);
  if (load.nodesBuilt > 0) parts.push(`${load.nodesBuilt} node${load.nodesBuilt === 1 ? '' : 's'} built`);
  return `Loading ${load.model}${parts.length ? `: ${parts.join(', ')}` : '…'}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
