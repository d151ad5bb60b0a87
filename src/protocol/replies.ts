// Request and reply across a message boundary, done one way everywhere (after vscode-hexeditor): a
// request carries a `messageId`, its reply names it in `inReplyTo`. `PendingReplies` keeps the requests
// waiting for their replies; it depends on nothing, so the host, the webviews and the worker pool share it.

export interface Request {
  messageId: number;
}

export interface Reply {
  inReplyTo: number;
}

/** Requests sent and not yet answered, each settled by its reply, a failure or a timeout. */
export class PendingReplies<T> {
  private readonly waiting = new Map<number, { resolve(value: T): void; reject(error: Error): void; timer?: ReturnType<typeof setTimeout> }>();
  private nextId = 1;

  /**
   * Sends a request through `send` (given its messageId) and waits for `answer`/`fail` with that id.
   * With `timeout`, rejects with `timeout.error()` when no reply comes in `timeout.ms`.
   */
  request(send: (messageId: number) => void, timeout?: { ms: number; error: () => Error }): Promise<T> {
    const messageId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = timeout
        ? setTimeout(() => {
            this.waiting.delete(messageId);
            reject(timeout.error());
          }, timeout.ms)
        : undefined;
      this.waiting.set(messageId, { resolve, reject, timer });
      send(messageId);
    });
  }

  /** Settles the request `inReplyTo` with `value`; false when nothing waits for it (unasked, or timed out). */
  answer(inReplyTo: number, value: T): boolean {
    const entry = this.take(inReplyTo);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Rejects the request `inReplyTo`; false when nothing waits for it. */
  fail(inReplyTo: number, error: Error): boolean {
    const entry = this.take(inReplyTo);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** How many requests wait for their replies. */
  get size(): number {
    return this.waiting.size;
  }

  /** Rejects every waiting request (the other side went away). */
  failAll(error: Error): void {
    for (const id of [...this.waiting.keys()]) this.fail(id, error);
  }

  private take(id: number) {
    const entry = this.waiting.get(id);
    if (!entry) return undefined;
    this.waiting.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
