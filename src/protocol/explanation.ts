// One heatmap as the engine returns it: what crosses from a worker to the host and the CLI.

/** One heatmap: one image × one method × one target. */
export interface Explanation {
  /** Index into the job's images. */
  image: number;
  /** The method spec formatted back to a string (`lrp-ab:alpha=2,beta=1` or a preset name). */
  method: string;
  target: number;
  predicted: number;
  /** f_c(x), the target's logit. */
  logit: number;
  /** A contrastive map's other class c′: the map explains f_c − f_c′ ("why c and not c′?"). */
  contrast?: number;
  /** f_c′(x), the contrast's logit. */
  contrastLogit?: number;
  /** Softmax of the logits, one per class. */
  probabilities: Float32Array;
  /** Height × width, channels summed, row-major. */
  relevance: Float32Array;
  shape: [number, number];
  relevanceSum: number;
  /** Wall time attributed to this heatmap (the batch's time divided among its heatmaps). */
  ms: number;
  /** Integrated gradients: |Σ R − (f_c(x) − f_c(x̄))|. */
  completenessError?: number;
}
