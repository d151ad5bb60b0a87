// Which samples are selected, as in a file list: a click selects one, Ctrl/Cmd-click toggles one,
// Shift-click selects the run of the view between the anchor (the last plain or Ctrl click) and the
// clicked sample. The cursor is the sample the keyboard is on. Everything is kept as sample indices, so
// the selection survives re-sorting; a filter change drops what it hides.

export class SampleSelection {
  private selected = new Set<number>();
  anchor: number | null = null;
  cursor: number | null = null;

  get size(): number {
    return this.selected.size;
  }

  has(sample: number): boolean {
    return this.selected.has(sample);
  }

  /** Selected samples, in the order of `order` (the view), so a comparison lists them as shown. */
  inViewOrder(order: ArrayLike<number>): number[] {
    const out: number[] = [];
    for (let p = 0; p < order.length && out.length < this.selected.size; p++) if (this.selected.has(order[p])) out.push(order[p]);
    return out;
  }

  /** Plain click or arrow key: just this one. */
  selectOnly(sample: number): void {
    this.selected = new Set([sample]);
    this.anchor = this.cursor = sample;
  }

  /** Ctrl/Cmd-click: add or remove this one, keep the rest. */
  toggle(sample: number): void {
    if (this.selected.has(sample)) this.selected.delete(sample);
    else this.selected.add(sample);
    this.anchor = this.cursor = sample;
  }

  /** Shift-click or Shift+arrow: the run of `order` from the anchor to `sample` (the anchor stays). */
  extendTo(order: ArrayLike<number>, sample: number): void {
    const to = indexIn(order, sample);
    const from = this.anchor === null ? -1 : indexIn(order, this.anchor);
    if (to < 0 || from < 0) {
      this.selectOnly(sample);
      return;
    }
    this.selected = new Set();
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    for (let p = lo; p <= hi; p++) this.selected.add(order[p]);
    this.cursor = sample;
  }

  /** After a filter change: forget samples the view no longer shows. */
  keepOnly(order: ArrayLike<number>): void {
    const shown = new Set<number>();
    for (let p = 0; p < order.length; p++) shown.add(order[p]);
    for (const s of [...this.selected]) if (!shown.has(s)) this.selected.delete(s);
    if (this.anchor !== null && !shown.has(this.anchor)) this.anchor = null;
    if (this.cursor !== null && !shown.has(this.cursor)) this.cursor = null;
  }

  clear(): void {
    this.selected.clear();
    this.anchor = this.cursor = null;
  }
}

function indexIn(order: ArrayLike<number>, sample: number): number {
  for (let p = 0; p < order.length; p++) if (order[p] === sample) return p;
  return -1;
}
