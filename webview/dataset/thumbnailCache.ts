// Thumbnails the host already sent, most recently used kept (a Map iterates in insertion order, so
// re-inserting on use makes the first key the least recently used), and which ones are on their way.
// 6,000 MNIST thumbnails are 4.7 MB: enough to scroll back and forth over several screens without asking
// again, small enough to never matter.

export class ThumbnailCache {
  private readonly entries = new Map<number, Uint8Array>();
  private readonly pending = new Set<number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(sample: number): Uint8Array | undefined {
    const pixels = this.entries.get(sample);
    if (pixels) {
      this.entries.delete(sample);
      this.entries.set(sample, pixels);
    }
    return pixels;
  }

  has(sample: number): boolean {
    return this.entries.has(sample);
  }

  set(sample: number, pixels: Uint8Array): void {
    this.pending.delete(sample);
    this.entries.delete(sample);
    this.entries.set(sample, pixels);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }

  /** The host could not read these: ask again next time they are wanted. */
  failed(samples: number[]): void {
    for (const s of samples) this.pending.delete(s);
  }

  /**
   * Which of `wanted` to ask for now: not cached, not already asked for; marked as asked. Sorted, so runs
   * of consecutive samples reach the host together (it reads each run at once), and split into requests
   * of at most `pageSize`.
   */
  plan(wanted: Iterable<number>, pageSize: number): number[][] {
    const missing: number[] = [];
    for (const s of wanted) {
      if (this.entries.has(s) || this.pending.has(s)) continue;
      this.pending.add(s);
      missing.push(s);
    }
    missing.sort((a, b) => a - b);
    const pages: number[][] = [];
    for (let i = 0; i < missing.length; i += pageSize) pages.push(missing.slice(i, i + pageSize));
    return pages;
  }

  clearPending(): void {
    this.pending.clear();
  }
}
