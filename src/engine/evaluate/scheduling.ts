// How the evaluations spread their jobs over the worker pool: images in chunks, a bounded number of parts
// running at once, one signal that cancels them all (and that a failing part fires for the others).
import { setMaxListeners } from 'events';
import { CancelledError } from '../pool/workerPool';

export interface EvaluateOptions {
  signal?: AbortSignal;
  /** After each finished part: how many of all are done (pixel flipping counts (image, method) pairs,
   *  the randomisation check its explain jobs). */
  onProgress?: (done: number, total: number) => void;
}

/** [start, end) ranges of at most `size` items. */
export function splitIntoChunks(n: number, size: number): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let s = 0; s < n; s += size) chunks.push([s, Math.min(n, s + size)]);
  return chunks;
}

/**
 * Runs `task` with a signal of its own that follows `outer` and also aborts when any part fails, so a
 * failure stops the parts still queued. The pool adds one abort listener per job: the own signal allows
 * any number without Node's listener-leak warning.
 */
export async function withLinkedSignal<T>(outer: AbortSignal | undefined, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (outer?.aborted) throw new CancelledError();
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onAbort = () => controller.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  try {
    return await task(controller.signal);
  } catch (e) {
    controller.abort();
    throw outer?.aborted ? new CancelledError() : e;
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
}

/** Runs `fn` on every item with at most `limit` running at once; stops starting new ones once aborted. */
export async function forEachConcurrently<T>(
  items: T[],
  limit: number,
  signal: AbortSignal,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      if (signal.aborted) throw new CancelledError();
      const index = next++;
      await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
