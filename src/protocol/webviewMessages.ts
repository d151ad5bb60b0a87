// Every message between the extension host and its webviews (the explain panel and the comparison
// figure). The host owns the state and pushes it; the webview renders it and reports user actions.
// Pixels and relevance travel as typed arrays (VS Code ≥ 1.57 keeps them through postMessage, also in
// code-server: the e2e tests read them back), and each only when it changed: the explain panel's state is
// light, an image's original and results come in messages of their own, once per run; a display change
// is the webview's own and is never answered with the maps again.
import type { ConceptsView } from './concepts';
import type { DisplaySettings } from './display';
import type { FlipBaseline } from './engineJobs';
import type { FaithfulnessView, RandomisationView } from './faithfulnessView';
import type { MethodTitle } from './methodTitle';
import type { NodeInfo } from './model';
import type { Reply, Request } from './replies';

/** An 8-bit image, gray (1 channel) or RGB (3), row-major HWC. */
export interface PixelImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

export interface HeatmapView {
  /** height × width, row-major. */
  relevance: Float32Array;
  /** [height, width] */
  shape: [number, number];
  target: number;
  /** A contrastive map's other class: the map explains f_target − f_contrast ("why target and not contrast?"). */
  contrast?: number;
  /** f_contrast(x), for the Σ R readout of a contrastive map (Σ R ≈ logit − contrastLogit). */
  contrastLogit?: number;
  logit: number;
  relevanceSum: number;
  ms: number;
}

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

/** One image of the explain panel as the host lists it; what was found for it comes in `image-result`. */
export interface PanelImage {
  /** Pairs the image with its `image-original` and `image-result` messages (stable while the panel shows it). */
  key: string;
  name: string;
  /** A dataset sample's label in its file. */
  trueLabel?: number;
}

/** What the last run found for one image. */
export interface ImageResult {
  /** Frames in an animated file; the first was explained. */
  frames?: number;
  /** The exact model input after preprocessing. */
  input?: PixelImage;
  /** The preprocessing steps applied, in order ("inverted", "cropped", …); empty: used as it is. */
  steps?: string[];
  /** The original's size and the part of it the input shows, in its pixels (PreparedImage.source): the
   *  panel outlines it on the original when the input is a crop. */
  source?: { width: number; height: number; region: { x: number; y: number; width: number; height: number } };
  /** A quiet note that the model may not fit this input (mismatchHint.ts). */
  hint?: string;
  predicted?: number;
  /** All classes, most probable first. */
  scores?: ClassScore[];
  heatmap?: HeatmapView;
  error?: string;
}

/** The original file for an <img>: its bytes as they are, or an animated GIF's first frame (the one explained) as PNG. */
export interface OriginalImage {
  bytes: Uint8Array;
  mimeType: string;
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

/** The model's graph as the explain panel lists it: every node, and the rule the method applies there. */
export interface ModelGraphView {
  /** The model (ModelSummary.id) and method the rules are for. */
  modelId: string;
  method: MethodSummary;
  nodes: NodeInfo[];
  /** What the import did to the file's graph (layout, folded BatchNorms, …). */
  notes: string[];
}

/** The run whose predictions and heatmaps the images hold (it may differ from the current choice while a new run is busy or after Cancel). */
export interface ShownRun {
  model: ModelSummary;
  method: MethodSummary;
  /** Compute time of the heatmaps shown; absent when none was computed (e.g. an unreadable image). */
  ms?: number;
}

/** A model being loaded for the run under way: which one, and how far (ModelLoadProgress of the worker). */
export interface ModelLoadView {
  /** The model's name as the panel shows it. */
  model: string;
  bytesRead: number;
  bytesTotal: number;
  nodesBuilt: number;
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
  /** The run under way waits for its model to load. */
  loading?: ModelLoadView;
  /** The last run was cancelled: what is shown is `shown`'s. */
  cancelled?: boolean;
  images: PanelImage[];
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
  progress: CompareProgress;
  display: DisplaySettings;
  backend: string;
  running: boolean;
  /** The run waits for a model to load. */
  loading?: ModelLoadView;
  error?: string;
  /** Opaque to the webview: stored with `setState` so the host can restore the panel after a reload. */
  restore?: unknown;
  /** Methods comparison: pixel flipping of the figure's maps, once the heatmaps are in. */
  faithfulness?: FaithfulnessView;
  /** Methods comparison, on request: the model randomisation check. */
  randomisation?: RandomisationView;
}

/** Progress of a comparison: heatmaps computed of all. */
export interface CompareProgress {
  done: number;
  total: number;
}

// ---- host → webview ----
export type ToWebview =
  | { type: 'explain-state'; state: ExplainViewState }
  /** Sent when the host read the file anew and it changed (and after the webview (re)loaded); null: none to show. */
  | { type: 'image-original'; key: string; original: OriginalImage | null }
  /** One image's findings of the run that ended (null: cleared, e.g. for another model); the state follows. */
  | { type: 'image-result'; key: string; result: ImageResult | null }
  /** The model's graph with the current method's rules (after a model or method change); null: none to show. */
  | { type: 'model-graph'; graph: ModelGraphView | null }
  /** The display changed in the settings: the webview redraws what it holds. */
  | { type: 'display'; display: DisplaySettings }
  | { type: 'compare-state'; state: CompareViewState }
  /** One row's job ended: its input, label and every cell it computed. */
  | { type: 'compare-row'; row: number; name: string; input?: PixelImage; label?: string; cells: Array<CompareCell | null>; progress: CompareProgress }
  /** The comparison's run started, ended, failed or was cancelled. */
  | { type: 'compare-status'; running: boolean; progress: CompareProgress; backend: string; error?: string; loading?: ModelLoadView }
  /** The comparison's Faithfulness section: pixel flipping (progress, then its numbers); null: none (cleared). */
  | { type: 'compare-faithfulness'; faithfulness: FaithfulnessView | null }
  /** The section's randomisation check (progress, then its numbers); null: none (cleared). */
  | { type: 'compare-randomisation'; randomisation: RandomisationView | null }
  /** The explain panel's Concepts section (a node's channels for the image shown); null: closed. */
  | { type: 'concepts'; view: ConceptsView | null }
  /** Ask the webview for a PNG of what it shows (export); answered by an `export` in reply to it. */
  | ({ type: 'request-export' } & Request);

/** A PNG of exactly the pixels shown, with the name to suggest for it. */
export interface ExportedPng {
  png: Uint8Array;
  suggestedName: string;
}

// ---- webview → host ----
export const CONCEPTS_ACTIONS = ['choose-dataset', 'cancel', 'close'] as const;
export type ConceptsAction = (typeof CONCEPTS_ACTIONS)[number];

export type FromWebview =
  | { type: 'ready' }
  | { type: 'select-image'; index: number }
  | { type: 'select-target'; target: number | null }
  | { type: 'set-display'; display: Partial<DisplaySettings> }
  /** "Use everywhere": this panel's display to every open panel and the workspace's settings. */
  | { type: 'use-display-everywhere' }
  | { type: 'pick-method' }
  | { type: 'pick-model' }
  | { type: 'cancel' }
  | { type: 'retry' }
  /** Comparison: a cell was clicked; open its image with its method (or model) in the explain panel. */
  | { type: 'open-cell'; row: number; column: number }
  /** Comparison: stop the Faithfulness section's evaluation (pixel flipping or the randomisation check). */
  | { type: 'cancel-evaluation' }
  /** Comparison: pixel flipping again (after Cancel). */
  | { type: 'run-faithfulness' }
  /** Comparison: run the model randomisation check (it re-explains with re-drawn weights). */
  | { type: 'run-randomisation' }
  /** Explain panel: "Concepts here" on a node of the model graph. */
  | { type: 'show-concepts'; layer: string }
  /** Explain panel, Concepts section: choose a data set for reference samples, stop their search, close. */
  | { type: 'concepts-action'; action: ConceptsAction }
  /** Comparison: pixel flipping's baseline changed (the section evaluates the same maps again). */
  | { type: 'set-faithfulness-baseline'; baseline: FlipBaseline }
  /** Comparison: evaluate again with ROAD too (inputs above 64×64, where it is not run by itself). */
  | { type: 'run-road' }
  /** Comparison: add dataset samples to the figure (too few images for a verdict). */
  | { type: 'add-samples' }
  /** Comparison: the input cell of a row was clicked: what that row explains (its class, or a contrast). */
  | { type: 'row-options'; row: number }
  /** Explain panel: explain the shown class against another ("why c and not c′?"); null: no contrast. */
  | { type: 'select-contrast'; contrast: number | null }
  /** A PNG to save: the answer to a `request-export` (inReplyTo), or the user clicked Export (none). */
  | ({ type: 'export' } & ExportedPng & Partial<Reply>);
