// RelMax (Achtibat et al. 2023): a channel's reference samples are the data set samples in which that
// channel is most relevant. This keeps, per channel, only the best `size` samples seen so far, so a search
// over any number of samples holds channels × size entries. The order is total (relevance descending,
// then sample index ascending), so the result does not depend on the order in which chunks arrive.

export interface ReferenceCandidate {
  /** Index of the sample in the data set. */
  sample: number;
  /** The channel's relevance R_c in that sample (for its predicted class). */
  relevance: number;
  /** The channel's most relevant position in that sample (row-major over the node's h·w). */
  peak: number;
}

export class RelMax {
  private readonly best: ReferenceCandidate[][];

  constructor(
    readonly channels: number,
    readonly size: number,
  ) {
    this.best = Array.from({ length: channels }, () => []);
  }

  /** One sample's channel relevances and peaks (each `channels` long). Only relevance > 0 counts. */
  add(sample: number, relevance: ArrayLike<number>, peaks: ArrayLike<number>): void {
    for (let c = 0; c < this.channels; c++) {
      const r = relevance[c];
      if (!(r > 0)) continue;
      const list = this.best[c];
      if (list.length === this.size && !better(r, sample, list[list.length - 1])) continue;
      let at = list.length;
      while (at > 0 && better(r, sample, list[at - 1])) at--;
      list.splice(at, 0, { sample, relevance: r, peak: peaks[c] });
      if (list.length > this.size) list.pop();
    }
  }

  /** The channel's reference samples, best first. */
  top(channel: number): ReferenceCandidate[] {
    return this.best[channel].slice();
  }
}

function better(relevance: number, sample: number, than: ReferenceCandidate): boolean {
  return relevance > than.relevance || (relevance === than.relevance && sample < than.sample);
}
