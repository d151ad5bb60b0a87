// The relevance maps the explain panel's webview receives from the host, caught in the webview itself, so a
// scenario can compare the numbers the panel got (not the colours it drew) with the engine's in-process map.
import type { Frame } from 'playwright-core';
import { waitFor } from './session';

export interface ReceivedMap {
  relevance: number[];
  target: number;
}

/** From now on, the webview keeps the last heatmap an `image-result` message brings (forgets any before). */
export async function listenForMaps(frame: Frame): Promise<void> {
  await frame.evaluate(`(() => {
    window.__lastMap = undefined;
    window.addEventListener('message', (event) => {
      const m = event.data;
      if (m && m.type === 'image-result' && m.result && m.result.heatmap) window.__lastMap = { relevance: Array.from(m.result.heatmap.relevance), target: m.result.heatmap.target };
    });
  })()`);
}

/** The last map received since `listenForMaps`, waiting up to `timeoutMs` for one; undefined if none came. */
export async function lastReceivedMap(frame: Frame, timeoutMs: number): Promise<ReceivedMap | undefined> {
  return waitFor(() => frame.evaluate('window.__lastMap') as Promise<ReceivedMap | undefined>, timeoutMs);
}

/** max |expected − received| and max |expected| over the expected map's elements. */
export function mapDifference(expected: ArrayLike<number>, received: ArrayLike<number>): { worst: number; scale: number } {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(expected[i] - received[i]));
  }
  return { worst, scale };
}
