// Every message between the extension host and the dataset browser (the custom editor for IDX / NPY / NPZ /
// CSV files). The host owns the file, the predictions and the commands; the webview owns the view: it
// filters, sorts and scrolls over the per-sample arrays it was sent, and asks for thumbnails as it scrolls.
// Bulk data (labels, pixels, per-sample arrays) travel as typed arrays, each with a buffer of its own (VS
// Code sends a view's whole buffer). Thumbnails are asked for with a messageId and answered inReplyTo it.
import type { StrategiesStatus } from './concepts';
import type { Reply, Request } from './replies';
import type { MethodTitle } from './methodTitle';
import type { ModelLoadView } from './webviewMessages';

/** At most this many samples per thumbnail request (one "page"). */
export const MAX_THUMBNAIL_REQUEST = 256;
/** At most this many samples go to one "Compare Methods" figure (rows × methods cells). */
export const MAX_COMPARE_SAMPLES = 16;
/** At most this many samples go to one "Evaluate Methods" run (each costs K + 1 forward passes per method and order). */
export const MAX_EVALUATE_SAMPLES = 256;
/** Thumbnails of samples larger than this on a side are shrunk by the host before they are sent. */
export const THUMBNAIL_MAX_SIDE = 64;

export interface DatasetInfo {
  /** File name, e.g. "train-images-idx3-ubyte". */
  name: string;
  /** "MNIST IDX", "NumPy .npy", ... */
  formatLabel: string;
  count: number;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB): bytes per pixel of the samples and of their thumbnails. */
  channels: 1 | 3;
  /**
   * The size thumbnails are sent at: the samples' own size, or for samples larger than
   * THUMBNAIL_MAX_SIDE on a side, shrunk (aspect kept) so the wire carries no more than the grid shows.
   */
  thumbWidth: number;
  thumbHeight: number;
  /** One label per sample; absent when the file has no labels. */
  labels?: Uint8Array;
  /** Where the labels came from (the idx1 file name, the .npz array, "first column"). */
  labelSource?: string;
  /** "[0, 1] floats" or "[0, 255]": how stored values were read. */
  valueRange: string;
  /** The class name of each label value, when the data set knows them (CIFAR meta files, class folders). */
  labelNames?: string[];
  /** Said once above the grid: how the data were read (an ambiguous shape, mixed image sizes, ...). */
  notes: string[];
}

export interface PredictionModel {
  id: string;
  name: string;
  /** Class names, index = class. */
  labels: string[];
  /** Said once when the samples are not the model's input size: "samples 64×64 resized to 32×32 …". */
  inputNote?: string;
  /**
   * How the file's labels were matched to the model's classes: by name (both have names) or by index.
   * With `labelMap`, label value v of the file is the model's class labelMap[v] (255: no such class).
   */
  classMatch?: 'name' | 'index';
  classMatchNote?: string;
  labelMap?: Uint8Array;
}

/** Predictions for samples [start, start + n), as computed by one chunk job. */
export interface PredictionChunk {
  start: number;
  n: number;
  /** Argmax class. */
  predicted: Int32Array;
  /** Probability of the predicted class. */
  confidence: Float32Array;
  /** Cross-entropy of the true label (−log p_label); absent without labels. */
  loss?: Float32Array;
}

export type PredictionStatus =
  /** Before the predictions start: the model loading (how far), or the run put off until the browser is shown. */
  | { state: 'idle'; loading?: ModelLoadView; deferred?: string }
  /** `paused`: background work waiting for other panels' ("paused while the explain panel computes"). */
  | { state: 'running'; done: number; total: number; paused?: string }
  /** `hint`: a quiet note that the model may not fit this data (src/host/mismatchHint.ts says when). */
  | { state: 'done'; ms: number; hint?: string }
  | { state: 'cancelled'; done: number; total: number }
  | { state: 'failed'; message: string };

/** One method's row of the "Evaluate Methods" table: means over the samples (METHODS.md, pixel flipping). */
export interface EvaluateRow {
  /** The method spec, as the CLI's `evaluate --json` names it. */
  method: string;
  /** As the seed figure titles its column, with real subscripts (LRP-α₁β₀). */
  title: MethodTitle;
  aopcMorf: number;
  aopcLerf: number;
  abpc: number;
  /** Samples the means are over. */
  images: number;
}

export type EvaluateStatus =
  | { state: 'running'; done: number; total: number; samples: number; paused?: string }
  | { state: 'done'; samples: number; steps: number; rows: EvaluateRow[]; ms: number; model: string; failed: Array<{ index: number; message: string }> }
  | { state: 'cancelled' }
  | { state: 'failed'; message: string };

// ---- host → webview ----
export type ToDatasetView =
  /** The file could not be opened (or read): the editor shows this instead of the grid. */
  | { type: 'open-failed'; name: string; message: string; /** A folder: no "Reopen with Text Editor". */ folder?: boolean }
  | { type: 'dataset'; info: DatasetInfo }
  /** A new prediction run starts (model picked or changed): forget earlier predictions. */
  | { type: 'predictions-reset'; runId: number; model: PredictionModel | null; backend?: string }
  | { type: 'predictions-chunk'; runId: number; chunk: PredictionChunk }
  | { type: 'predictions-status'; runId: number; status: PredictionStatus }
  /**
   * What the host learnt while reading samples (image folders decode as they go): the notes so far and
   * every sample found unreadable so far, with its one-line reason. Sent again when either grows.
   */
  | { type: 'read-notes'; notes: string[]; unreadable: Array<{ index: number; message: string }> }
  /** Reply to `request-thumbnails`: pixels of `indices`, in that order, thumbHeight × thumbWidth × channels
   *  bytes each (HWC). */
  | ({ type: 'thumbnails'; indices: number[]; pixels: Uint8Array } & Reply)
  | ({ type: 'thumbnails-failed'; indices: number[]; message: string } & Reply)
  /** The "Evaluate Methods" run: progress, then its table (or why not). */
  | { type: 'evaluate-status'; status: EvaluateStatus }
  /** "Find strategies" (SpRAy) for a class: progress, then the clusters (or why not). */
  | { type: 'strategies-status'; status: StrategiesStatus };

// ---- webview → host ----
export type FromDatasetView =
  | { type: 'ready' }
  /** Sample indices to draw (at most MAX_THUMBNAIL_REQUEST, each in [0, count)). */
  | ({ type: 'request-thumbnails'; indices: number[] } & Request)
  | { type: 'explain'; index: number }
  | { type: 'compare'; indices: number[] }
  /** Pixel-flipping faithfulness of the seed methods over these samples (1 … MAX_EVALUATE_SAMPLES). */
  | { type: 'evaluate'; indices: number[] }
  | { type: 'cancel-evaluate' }
  | { type: 'cancel-predictions' }
  | { type: 'predict' }
  | { type: 'pick-model' }
  | { type: 'reopen-as-text' }
  /** "Find strategies" for the model's class `target`. */
  | { type: 'find-strategies'; target: number }
  | { type: 'cancel-strategies' }
  /** Save the strategies shown: as JSON (the host has it), or the PNG the webview drew. */
  | { type: 'export-strategies'; format: 'json' }
  | { type: 'export-strategies'; format: 'png'; png: Uint8Array };
