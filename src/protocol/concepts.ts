// Concepts (CRP: the channels of one node, their conditional heatmaps and reference samples) and strategies
// (SpRAy: clusters of one class's heatmaps over a data set): the engine jobs and what the host, the CLI and
// the webviews receive. Plain data only (structured clone). Definitions: docs/methods.md, "Concepts and strategies".
import type { MethodTitle } from './methodTitle';
import type { BackendInfo, ModelCard } from './model';
import type { ImageSource, ModelRef, PreparedImage } from './engineJobs';
import type { PreprocessMode } from './preprocess';

/** Relevance of one node's channels for each image (CRP), and the conditional heatmaps asked for. */
export interface ConceptJob {
  type: 'concepts';
  model: ModelRef;
  images: ImageSource[];
  /** An LRP method spec (relevance is defined by its rules). */
  method: string;
  /** The node's name (model-info lists the nodes; Dense and Conv nodes have concepts). */
  layer: string;
  /** Per image, the class explained; null or missing: the predicted class. */
  targets?: Array<number | null>;
  preprocess: PreprocessMode;
  /** Conditional heatmaps: per image the channels, or each image's `top` most relevant channels. */
  conditional?: { channels: number[][] } | { top: number };
  /** Keep each image's model-input pixels in the result (default true; the data set search drops them). */
  pixels?: boolean;
}

/** The node a concept result is about. */
export interface ConceptLayer {
  name: string;
  kind: string;
  shape: number[];
  channels: number;
  /** Positions per channel (h·w of a map, 1 of a vector). */
  positions: number;
  /** Output height × width of the node (1 × 1 for a vector): `peak` indexes it row-major. */
  height: number;
  width: number;
}

export interface ConceptMap {
  channel: number;
  /** The conditional heatmap, h × w of the model input, summed over its channels. */
  relevance: Float32Array;
  relevanceSum: number;
}

export interface ConceptItem {
  /** Index into ConceptResult.images. */
  image: number;
  target: number;
  predicted: number;
  logit: number;
  /** Per channel: R_c, the relevance at the node's output summed over positions. */
  channelRelevance: Float32Array;
  /** Per channel: the position of its largest relevance (row-major over height × width, first on ties). */
  peaks: Int32Array;
  /** Per channel: the reference crop of that position in the model input (x, y, width, height). */
  crops: Int32Array;
  conditional: ConceptMap[];
}

export interface ConceptResult {
  backend: BackendInfo;
  card: ModelCard;
  layer: ConceptLayer;
  /** Every image of the job (an unreadable one has `error` and no item). */
  images: PreparedImage[];
  items: ConceptItem[];
}

/** One reference sample of a channel over a data set (RelMax). */
export interface ReferenceSample {
  /** Sample index in the data set. */
  sample: number;
  /** R_c in that sample, for its predicted class. */
  relevance: number;
  /** The channel's most relevant position in the sample (row-major over the node's height × width). */
  peak: number;
  /** The class the relevance is for: the sample's prediction. */
  predicted: number;
  /** The crop shown, in model-input pixels: x, y, width, height (receptiveField.ts, referenceCrop). */
  crop: [number, number, number, number];
}

/** What the search over a data set found: per channel, its reference samples, best first. */
export interface ReferenceSearch {
  layer: ConceptLayer;
  method: string;
  /** Samples searched. */
  searched: number;
  /** How many kept per channel. */
  size: number;
  channels: ReferenceSample[][];
  ms: number;
}

/** SpRAy's numerics on a feature matrix, run in a worker (engine/spray/). */
export interface SprayJob {
  type: 'spray';
  /** count × dims, row-major: one pooled, normalised heatmap per row. */
  features: Float32Array;
  count: number;
  dims: number;
  options?: SprayOptions;
}

export interface SprayOptions {
  /** k of the k-nearest-neighbour graph (default 10, at most count − 1). */
  neighbours?: number;
  /** Largest cluster count the eigengap may choose (default 8). */
  maxClusters?: number;
  /** k-means runs from different k-means++ starts; the lowest inertia is kept (default 10). */
  restarts?: number;
  /** Seed of the k-means++ starts and of the 2-D embedding (default 0). */
  seed?: number;
}

export interface SprayResult {
  /** The smallest eigenvalues of the normalised Laplacian, ascending (up to maxClusters + 1 of them, and at
   *  least 12 when there are that many samples, for the plot). */
  eigenvalues: number[];
  /** The cluster count the largest eigengap chose. */
  clusters: number;
  /** Per sample, its cluster (0 … clusters − 1, numbered by size, largest first). */
  labels: Int32Array;
  /** Per sample, its spectral embedding (clusters columns, rows unit length): what k-means clustered. */
  spectral: Float32Array;
  /** Σ of squared distances to the cluster centres in the spectral embedding. */
  inertia: number;
  /** Per sample, x and y of the 2-D display embedding. */
  embedding: Float32Array;
  /** How the 2-D embedding was made: 'umap' or 'spectral' (too few samples for UMAP). */
  embeddingMethod: 'umap' | 'spectral';
}

/** One strategy: a cluster of the class's heatmaps. */
export interface SprayCluster {
  /** 0 … clusters − 1, largest first. */
  id: number;
  size: number;
  /** Data set indices of the members whose pooled features are nearest the cluster's mean, nearest first. */
  prototypes: number[];
  /** The mean of the members' heatmaps, each divided by its Σ|R| (so every sample weighs the same), h × w. */
  meanHeatmap: Float32Array;
}

/** "Find strategies" for one class of a data set. */
export interface SprayAnalysis {
  model: string;
  method: string;
  target: number;
  targetName: string;
  /** How the samples were chosen: 'label' (the file's label is the class) or 'predicted'. */
  selectedBy: 'label' | 'predicted';
  /** Data set indices of the samples analysed, in file order. */
  samples: number[];
  /** The pooled grid's rows and columns. */
  grid: [number, number];
  heatmapShape: [number, number];
  eigenvalues: number[];
  clusterCount: number;
  /** Per sample (in `samples` order), its cluster. */
  labels: Int32Array;
  embedding: Float32Array;
  embeddingMethod: 'umap' | 'spectral';
  clusters: SprayCluster[];
  /** Milliseconds: the heatmaps (explain jobs) and the analysis (one spray job). */
  ms: { heatmaps: number; analysis: number };
}

// ---- the explain panel's "Concepts" section ----

/** The node kinds "Concepts here" is offered on: Dense and Conv layers (a transformer's token-wise Linear
 *  layers are Dense per position: Q/K/V, projections, MLP) and attention's matrix products (A·V: the
 *  channels are a head's dimensions). */
export const CONCEPT_KINDS: readonly string[] = ['dense', 'conv2d', 'matmul'];

/** A reference sample as the panel draws it: the crop of its model input and of its conditional heatmap. */
export interface ReferenceTile extends ReferenceSample {
  /** crop width × height × channels, HWC 8-bit. */
  pixels: Uint8Array;
  channels: number;
  /** The same crop of the sample's conditional heatmap for this channel. */
  heatmap: Float32Array;
}

export interface ConceptChannelView {
  channel: number;
  relevance: number;
  /** R_c / Σ_c' |R_c'|. */
  share: number;
  /** The conditional heatmap, model input height × width. */
  map: Float32Array;
  references: ReferenceTile[];
}

/** Where the reference samples come from, and how far their search is. */
export type ReferenceStatus =
  | { state: 'none' }
  | { state: 'searching'; dataset: string; done: number; total: number }
  | { state: 'done'; dataset: string; searched: number; ms: number }
  | { state: 'cancelled'; dataset: string }
  | { state: 'failed'; dataset: string; message: string };

export interface ConceptsView {
  layer: ConceptLayer;
  /** The LRP method the relevance is of, and a note when it stands in for the selected method. */
  method: string;
  methodTitle: MethodTitle;
  note?: string;
  /** The image and class explained. */
  image: string;
  target: number;
  targetLabel: string;
  predicted: number;
  logit: number;
  /** Σ_c R_c over every channel of the node. */
  total: number;
  /** The top channels, most relevant first. */
  channels: ConceptChannelView[];
  /** [height, width] of the maps. */
  shape: [number, number];
  /** The model input, for the overlay. */
  input?: { width: number; height: number; channels: number; pixels: Uint8Array };
  state: 'computing' | 'ready' | 'failed';
  error?: string;
  references: ReferenceStatus;
}

// ---- the dataset browser's "Find strategies" ----

/** An analysis as the browser shows it: with each cluster's prototypes as thumbnails. */
export interface StrategiesView extends SprayAnalysis {
  /** Per cluster, its prototypes' thumbnails back to back (thumbHeight × thumbWidth × channels each). */
  prototypePixels: Uint8Array[];
}

export type StrategiesStatus =
  | { state: 'idle' }
  | { state: 'running'; target: number; stage: 'heatmaps' | 'analysis'; done: number; total: number }
  | { state: 'done'; view: StrategiesView }
  | { state: 'cancelled' }
  | { state: 'failed'; message: string };
