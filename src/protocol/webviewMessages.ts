// Every message between the extension host and its webviews (the explain panel and the comparison
// figure). The host owns the state and pushes it; the webview renders it and reports user actions.
// Relevance travels as plain number arrays: maps are small (28×28) and JSON-safe in every VS Code.
import type { DisplaySettings } from './display';
import type { MethodTitle } from './methodTitle';

/** An 8-bit image, gray (1 channel) or RGB (3), row-major HWC. */
export interface PixelImage {
  width: number;
  height: number;
  channels: number;
  pixels: number[];
}

export interface HeatmapView {
  relevance: number[];
  /** [height, width] */
  shape: [number, number];
  target: number;
  logit: number;
  relevanceSum: number;
  ms: number;
}

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

export interface ExplainedImage {
  name: string;
  /** webview-safe URI of the original file, when it is a file (for an animated GIF: its first frame, the one explained). */
  originalSrc?: string;
  /** Frames in an animated file; the first was explained. */
  frames?: number;
  /** The exact model input after preprocessing. */
  input?: PixelImage;
  /** The preprocessing steps applied, in order ("inverted", "cropped", …); empty: used as it is. */
  steps?: string[];
  /** A dataset sample's label in its file. */
  trueLabel?: number;
  /** A quiet note that the model may not fit this input (mismatchHint.ts). */
  hint?: string;
  predicted?: number;
  /** All classes, most probable first. */
  scores?: ClassScore[];
  heatmap?: HeatmapView;
  error?: string;
}

export interface ModelSummary {
  id: string;
  name: string;
  dataset?: string;
  labels: string[];
}

export interface MethodSummary {
  spec: string;
  title: MethodTitle;
  /** Σ R ≈ logit is meaningful (conservative rules). */
  conservative: boolean;
}

/** The run whose predictions and heatmaps the images hold (it may differ from the current choice while a new run is busy or after Cancel). */
export interface ShownRun {
  model: ModelSummary;
  method: MethodSummary;
  /** Compute time of the heatmaps shown; absent when none was computed (e.g. an unreadable image). */
  ms?: number;
}

export interface RunProgress {
  done: number;
  total: number;
  /** What is counted: "samples" (SmoothGrad), "steps" (integrated gradients). */
  unit: string;
}

export interface ExplainViewState {
  /** The current choice (the header); `shown` says which run the numbers below come from. */
  model: ModelSummary;
  method: MethodSummary;
  shown?: ShownRun;
  /** Progress of the run under way, for methods that report it. */
  progress?: RunProgress;
  /** The last run was cancelled: what is shown is `shown`'s. */
  cancelled?: boolean;
  images: ExplainedImage[];
  /** Which image the big view shows. */
  selected: number;
  /** Class explained for the selected image; null = the predicted one. */
  target: number | null;
  display: DisplaySettings;
  /** e.g. "wasm-simd · 2 workers" */
  backend: string;
  busy: boolean;
  error?: string;
  /** Opaque to the webview: stored with `setState` so the host can restore the panel after a reload. */
  restore?: unknown;
}

export interface CompareCell {
  heatmap?: HeatmapView;
  /** Models comparison: this column's prediction, e.g. "7 (98.0%)". */
  label?: string;
  error?: string;
}

export interface CompareRow {
  name: string;
  input?: PixelImage;
  /** Predicted label with probability, e.g. "7 (99.2%)"; for a dataset sample with its true label first, "label 8 → 2 (88.6%)" reads as name + label. */
  label?: string;
  cells: Array<CompareCell | null>;
  error?: string;
}

export interface CompareViewState {
  kind: 'methods' | 'models';
  /** Shown above the grid, e.g. "mnist-cnn" or "LRP-α2β1". */
  title: string;
  columns: Array<{ title: MethodTitle; subtitle?: string }>;
  rows: CompareRow[];
  progress: { done: number; total: number };
  display: DisplaySettings;
  backend: string;
  running: boolean;
  error?: string;
  /** Opaque to the webview: stored with `setState` so the host can restore the panel after a reload. */
  restore?: unknown;
}

// ---- host → webview ----
export type ToWebview =
  | { type: 'explain-state'; state: ExplainViewState }
  | { type: 'compare-state'; state: CompareViewState }
  | { type: 'compare-cell'; row: number; column: number; cell: CompareCell; progress: { done: number; total: number }; rowLabel?: string }
  /** Ask the webview for a PNG of what it shows (export). */
  | { type: 'request-export'; requestId: number };

// ---- webview → host ----
export type FromWebview =
  | { type: 'ready' }
  | { type: 'select-image'; index: number }
  | { type: 'select-target'; target: number | null }
  | { type: 'set-display'; display: Partial<DisplaySettings> }
  | { type: 'pick-method' }
  | { type: 'pick-model' }
  | { type: 'cancel' }
  | { type: 'retry' }
  /** Comparison: a cell was clicked; open its image with its method (or model) in the explain panel. */
  | { type: 'open-cell'; row: number; column: number }
  /** The export: a PNG data URL of exactly the pixels shown. `requestId` 0 = the user clicked Export. */
  | { type: 'export'; requestId: number; dataUrl: string; suggestedName: string };
