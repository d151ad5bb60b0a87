// What the dataset browser keeps of a prediction: per sample the predicted class, its probability, and
// the cross-entropy loss of the true label. The full probability rows are dropped after this step
// (60,000 × 10 floats would be 2.4 MB per model for values nobody looks at in a grid).

export interface SampleStats {
  /** argmax class per sample. */
  predicted: Int32Array;
  /** Probability of the predicted class. */
  confidence: Float32Array;
  /** −log p(true label), from the logits (finite even where p underflows to 0); null without labels. */
  loss: Float32Array | null;
}

export interface ClassScores {
  /** n × classes, row-major. */
  probabilities: Float32Array;
  /** n × classes, row-major: the pre-softmax outputs the probabilities come from. */
  logits: Float32Array;
  classes: number;
}

/**
 * Per-sample stats of n predicted samples. `labels` holds the true labels of the whole data set and
 * `start` says where these n samples sit in it. A label the model has no class for gets loss NaN.
 */
export function sampleStats(scores: ClassScores, n: number, labels: Uint8Array | null, start = 0): SampleStats {
  const { probabilities, logits, classes } = scores;
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  const loss = labels ? new Float32Array(n) : null;
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[row + k] > probabilities[row + best]) best = k;
    predicted[i] = best;
    confidence[i] = probabilities[row + best];
    if (loss && labels) loss[i] = crossEntropy(logits, row, classes, labels[start + i]);
  }
  return { predicted, confidence, loss };
}

/**
 * −log softmax(z)[label] = logsumexp(z) − z[label], for the row of `classes` logits at `row`. Computed in
 * doubles with the maximum subtracted, so a confident wrong answer gives a large finite loss instead of
 * the Infinity that −log of an underflowed probability would.
 */
export function crossEntropy(logits: ArrayLike<number>, row: number, classes: number, label: number): number {
  if (!Number.isInteger(label) || label < 0 || label >= classes) return NaN;
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, logits[row + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(logits[row + k] - max);
  return max + Math.log(sum) - logits[row + label];
}

/** No prediction for sample i of these stats (class −1, the webview's UNKNOWN): an unreadable sample. */
export function markUnpredicted(stats: SampleStats, i: number): void {
  stats.predicted[i] = -1;
  stats.confidence[i] = NaN;
  if (stats.loss) stats.loss[i] = NaN;
}

/** Correct and wrong predictions over a fully predicted, labelled data set; samples without a prediction (−1) are not counted. */
export function accuracyOf(predicted: Int32Array, labels: Uint8Array): { correct: number; misclassified: number; counted: number } {
  let correct = 0;
  let counted = 0;
  for (let i = 0; i < labels.length; i++) {
    if (predicted[i] < 0) continue;
    counted++;
    if (predicted[i] === labels[i]) correct++;
  }
  return { correct, misclassified: counted - correct, counted };
}
