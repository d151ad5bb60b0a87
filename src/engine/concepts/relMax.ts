// RelMax (Achtibat et al. 2023): a channel's reference samples are the data set samples in which that
// channel is most relevant. This keeps, per channel, only the best `size` samples seen so far, so a search
// over any number of samples holds channels × size entries. The order is total (relevance descending,
// then sample index ascending), so the result does not depend on the order in which chunks arrive.

import type { ReferenceSample } from '../../protocol/concepts';

/** One sample's findings: a concept job's item (protocol/concepts.ts). */
export interface ChannelFindings {
  channelRelevance: ArrayLike<number>;
  peaks: ArrayLike<number>;
  /** x, y, width, height per channel. */
  crops: ArrayLike<number>;
  predicted: number;
}

export class RelMax {
  private readonly best: ReferenceSample[][];

  constructor(
    readonly channels: number,
    readonly size: number,
  ) {
    this.best = Array.from({ length: channels }, () => []);
  }

  /** One sample's channel relevances (and each channel's peak and crop). Only relevance > 0 counts. */
  add(sample: number, found: ChannelFindings): void {
    for (let c = 0; c < this.channels; c++) {
      const r = found.channelRelevance[c];
      if (!(r > 0)) continue;
      const list = this.best[c];
      if (list.length === this.size && !better(r, sample, list[list.length - 1])) continue;
      let at = list.length;
      while (at > 0 && better(r, sample, list[at - 1])) at--;
      const crop: [number, number, number, number] = [found.crops[c * 4], found.crops[c * 4 + 1], found.crops[c * 4 + 2], found.crops[c * 4 + 3]];
      list.splice(at, 0, { sample, relevance: r, peak: found.peaks[c], predicted: found.predicted, crop });
      if (list.length > this.size) list.pop();
    }
  }

  /** The channel's reference samples, best first. */
  top(channel: number): ReferenceSample[] {
    return this.best[channel].slice();
  }
}

function better(relevance: number, sample: number, than: ReferenceSample): boolean {
  return relevance > than.relevance || (relevance === than.relevance && sample < than.sample);
}
