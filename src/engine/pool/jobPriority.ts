// The order in which the pool runs what it is asked (issue 26): the request of the panel the user looks at
// first, then the work of other visible panels, then of hidden ones; background work (a data set's
// predictions, faithfulness evaluations) last, and only while nothing else waits or runs: it is stopped
// between nodes and queued again when other work arrives, and its panel says so ("paused while the
// explain panel computes"). A rank is a function, read whenever the pool picks a job, so the jobs of a
// panel move as it is shown or hidden.

export interface JobPriority {
  /** Lower runs first (RANK). */
  rank(): number;
  /** Who asks, as a panel names it ("the explain panel"), for the note of paused background work. */
  owner?: string;
}

export const RANK = {
  /** The current request of the panel the user looks at (the heatmap being waited for). */
  current: 0,
  /** Other work of visible panels (a comparison's rows). */
  visible: 1,
  /** Work of hidden panels (what they had begun before they were hidden). */
  hidden: 2,
  /** Predictions of a data set, faithfulness: runs while nothing else does. */
  background: 3,
} as const;

/** Jobs that say nothing (the CLI, tests): as a visible panel's. */
export const DEFAULT_PRIORITY: JobPriority = { rank: () => RANK.visible };

export function isBackground(priority: JobPriority): boolean {
  return priority.rank() >= RANK.background;
}

/** A fixed rank, with its owner. */
export function fixedPriority(rank: number, owner?: string): JobPriority {
  return { rank: () => rank, owner };
}
