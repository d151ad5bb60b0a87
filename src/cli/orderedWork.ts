// Runs work on a stream of items with at most `window` items in flight, and hands the results on in the
// order of the items. The window bounds everything a long run holds at once: items read ahead, jobs
// queued on the worker pool, results waiting for an earlier one to finish. Nothing grows with the
// length of the stream.

export async function runInOrder<T, R>(
  items: AsyncIterable<T>,
  window: number,
  work: (item: T) => Promise<R>,
  emit: (result: R) => Promise<void> | void,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  const inFlight: Array<Promise<R>> = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < window) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else {
          const running = work(next.value);
          running.catch(() => {}); // awaited in order below; an early failure must not go unhandled meanwhile
          inFlight.push(running);
        }
      }
      const oldest = inFlight.shift();
      if (!oldest) return;
      await emit(await oldest);
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
