// What the webview knows about every sample: its label (when the file has labels) and, once the host has
// predicted it, the predicted class, the confidence and the loss. Columns are typed arrays, so filtering
// and sorting 60,000 samples stay in the millisecond range.

export const UNKNOWN = -1;

export class SampleTable {
  /** argmax class, or UNKNOWN until predicted. */
  readonly predicted: Int32Array;
  readonly confidence: Float32Array;
  /** Cross-entropy of the true label; NaN until predicted or when the label is no class of the model. */
  readonly loss: Float32Array;
  /** Samples delivered by the current run (predicted, or found unreadable). */
  predictedCount = 0;
  private readonly delivered: Uint8Array;

  constructor(
    readonly count: number,
    /** The file's labels as the current model's classes (see setLabels). */
    public labels: Uint8Array | null,
  ) {
    this.fileLabels = labels;
    this.delivered = new Uint8Array(count);
    this.predicted = new Int32Array(count).fill(UNKNOWN);
    this.confidence = new Float32Array(count).fill(NaN);
    this.loss = new Float32Array(count).fill(NaN);
  }

  /** The file's own label values (`labels` may be them mapped to the model's classes). */
  readonly fileLabels: Uint8Array | null;

  /**
   * The labels as the current model's classes: label value v of the file becomes map[v] (the host's
   * PredictionModel.labelMap, matched by class name), or without a map the file's own values.
   */
  mapLabels(map: Uint8Array | undefined): void {
    const file = this.fileLabels;
    if (!file) return;
    if (!map) {
      this.labels = file;
      return;
    }
    const mapped = new Uint8Array(file.length);
    for (let i = 0; i < file.length; i++) mapped[i] = map[file[i]];
    this.labels = mapped;
  }

  /** Forgets all predictions (a new model, a new run). */
  resetPredictions(): void {
    this.predicted.fill(UNKNOWN);
    this.confidence.fill(NaN);
    this.loss.fill(NaN);
    this.delivered.fill(0);
    this.predictedCount = 0;
  }

  /** Stores the predictions of samples [start, start + predicted.length); out-of-range chunks are ignored. */
  setPredictions(start: number, predicted: Int32Array, confidence: Float32Array, loss?: Float32Array): void {
    const n = predicted.length;
    if (!Number.isInteger(start) || start < 0 || start + n > this.count || confidence.length !== n) return;
    // Counted once per sample delivered (a sample the host could not read arrives as UNKNOWN, and stays so).
    for (let i = 0; i < n; i++) if (!this.delivered[start + i]) (this.delivered[start + i] = 1), this.predictedCount++;
    this.predicted.set(predicted, start);
    this.confidence.set(confidence, start);
    if (loss && loss.length === n) this.loss.set(loss, start);
  }

  isPredicted(i: number): boolean {
    return this.predicted[i] !== UNKNOWN;
  }

  /** Known wrong: labelled, predicted, and the prediction differs from the label. */
  isMisclassified(i: number): boolean {
    return this.labels !== null && this.predicted[i] !== UNKNOWN && this.predicted[i] !== this.labels[i];
  }
}

export interface PredictionSummary {
  /** Samples predicted so far. */
  predicted: number;
  /** Of those, how many have a label (all or none). */
  labelled: number;
  correct: number;
  misclassified: number;
}

export function summarize(table: SampleTable): PredictionSummary {
  let labelled = 0;
  let correct = 0;
  if (table.labels) {
    for (let i = 0; i < table.count; i++) {
      if (table.predicted[i] === UNKNOWN) continue;
      labelled++;
      if (table.predicted[i] === table.labels[i]) correct++;
    }
  }
  return { predicted: table.predictedCount, labelled, correct, misclassified: labelled - correct };
}
