// The jobs the engine runs and what they return: the one contract between the extension host (or CLI)
// and the engine workers. Plain data only, so everything crosses `postMessage` by structured clone.
import type { ConceptJob, ConceptResult, SprayJob, SprayResult } from './concepts';
import type { Explanation } from './explanation';
import type { BackendInfo, ImageShape, ModelCard, NodeInfo } from './model';
import type { PreprocessMode } from './preprocess';

/** Which model to use. The worker reloads it when model.json or its weights change on disk. */
export interface ModelRef {
  /** Absolute path of model.json. */
  path: string;
  /** Overrides for card.json fields (labels, input range, ...). */
  card?: Partial<ModelCard>;
}

/** An image to explain: a file the worker reads, bytes already read, or 8-bit pixels (dataset samples). */
export type ImageSource =
  | { kind: 'file'; path: string }
  | { kind: 'bytes'; name: string; bytes: Uint8Array }
  | { kind: 'pixels'; name: string; width: number; height: number; channels: 1 | 3; data: Uint8Array };

export interface ExplainJob {
  type: 'explain';
  model: ModelRef;
  images: ImageSource[];
  /** Method specs: ids, presets or `id:param=value,...`. */
  methods: string[];
  /** Per image, the classes to explain; null means the predicted class. */
  targets?: Array<Array<number | null> | null>;
  /** Per image, a class to contrast every map with: the maps explain f_target − f_contrast ("why the target
   *  and not this class?"); null or missing: the target's logit alone. */
  contrasts?: Array<number | null>;
  preprocess: PreprocessMode;
  /** Explain with the top `layers` Dense/Conv layers' weights re-drawn (the model randomisation check). */
  randomise?: { layers: number; seed: number };
}

export interface PreparedImage {
  name: string;
  /** The 8-bit image actually fed to the model (model height × width × channels). */
  pixels: Uint8Array;
  shape: ImageShape;
  /** The preprocessing steps applied, in order, as short phrases shown as they are ("inverted",
   *  "cropped", "scaled", "centred", …); empty when the pixels were used as they are. */
  steps: string[];
  /** Frames in the file when it is an animation (a GIF of more than one image); the first is explained. */
  frames?: number;
  /** The decoded source image's size and the part of it the input shows (the centre crop, else all of it),
   *  in source pixels: where the crop is drawn on the original. Absent for pixels used as they are. */
  source?: { width: number; height: number; region: { x: number; y: number; width: number; height: number } };
  /** Set when this image could not be read; its explanations are then absent. */
  error?: string;
}

export interface ExplainResult {
  backend: BackendInfo;
  card: ModelCard;
  images: PreparedImage[];
  /** Explanation.image indexes `images`. */
  explanations: Explanation[];
}

export interface PredictJob {
  type: 'predict';
  model: ModelRef;
  /** `count` images of the model's input size (or of `sampleShape`), 8-bit, HWC, concatenated. */
  pixels: Uint8Array;
  count: number;
  /**
   * [height, width, channels] of each image when it is not the model's input size: each is then resized
   * (and grey ↔ RGB converted) as an explain job's preprocessing "none" does, so a prediction and an
   * explanation of the same sample see the same input.
   */
  sampleShape?: [number, number, number];
}

export interface PredictResult {
  backend: BackendInfo;
  /** count × classes, row-major. */
  probabilities: Float32Array;
  logits: Float32Array;
  classes: number;
}

export interface ModelInfoJob {
  type: 'model-info';
  model: ModelRef;
  /** A method spec: each node then says which rule (or treatment) that method applies there. */
  method?: string;
  /** Look at the model's files now (a card was just written), not trusting the last fraction of a second's check. */
  recheck?: boolean;
}

export interface ModelInfoResult {
  backend: BackendInfo;
  card: ModelCard;
  /** The canonised graph, input first: name, kind, one-line description, output shape, inputs (and rule). */
  nodes: NodeInfo[];
  notes: string[];
  /** The card file read (null: the model has none), one line per card field not used (unknown or
   *  free-form, naming the file), and the defaults the card left to assume ("input range [0, 1]", …). */
  cardFile: string | null;
  cardWarnings: string[];
  cardAssumed: string[];
  /** Names of the Dense/Conv layers the model randomisation check re-draws, top (logits) first. */
  randomisable: string[];
}

/** What a removed pixel becomes in pixel flipping: black (an 8-bit 0), the data set's mean colour, or the
 *  pixel of a blurred copy (docs/faithfulness.md, "Faithfulness measures"). */
export type FlipBaseline = 'black' | 'mean' | 'blur';

/** Pixel flipping (a baseline replaces the removed pixels) or ROAD (they are imputed from their neighbours). */
export type FaithfulnessMeasure = 'pixel-flipping' | 'road';

/**
 * Pixel flipping or ROAD (docs/faithfulness.md, "Faithfulness measures"): for each item, the target logit (or f_c − f_c′
 * for a contrastive map) of the image with 0, ⌊U/K⌋, … of its units removed in MoRF and in LeRF order of
 * its map. A forward pass only; the maps come from an explain job.
 */
export interface PixelFlipJob {
  type: 'pixel-flip';
  model: ModelRef;
  /** The model-sized 8-bit images, h·w·c each, HWC (PreparedImage.pixels of an explain result). */
  images: Uint8Array[];
  /** `image` indexes `images`; `relevance` is the map, h·w, row-major; `contrast` the class of a contrastive map. */
  items: Array<{ image: number; relevance: Float32Array; target: number; contrast?: number }>;
  /** K, 1 … U (the number of units). */
  steps: number;
  /** Default 'pixel-flipping'. */
  measure?: FaithfulnessMeasure;
  /** Pixel flipping's baseline, default 'black'. */
  baseline?: FlipBaseline;
  /** Side of the square patches removed together; default 1 up to 64×64, round(max(H, W)/28) above. */
  patch?: number;
}

export interface PixelFlipResult {
  backend: BackendInfo;
  /** Per item, in order: K+1 scores each way for pixel flipping (steps 0 … K), K for ROAD (0 … K−1). */
  curves: Array<{ morf: number[]; lerf: number[] }>;
}

/** Live tensor count, for leak tests; and the worker's memory, for the memory benchmark. */
export interface MemoryJob {
  type: 'memory';
}

export interface MemoryResult {
  numTensors: number;
  numBytes: number;
  /** The wasm backend's linear memory (it grows to the largest call's needs and never shrinks); 0 elsewhere. */
  wasmHeapBytes: number;
  /** This worker's JS heap in use. */
  jsHeapBytes: number;
}

/** Makes the worker's WebAssembly instance fault for real (an out-of-bounds pad), for the tests of the pool's
 *  engine health (a faulted worker is replaced); nothing else sends it. It never returns a result. */
export interface WasmFaultJob {
  type: 'wasm-fault';
}

export type EngineJob = ExplainJob | PredictJob | ModelInfoJob | MemoryJob | PixelFlipJob | ConceptJob | SprayJob | WasmFaultJob;

export type JobResult<J extends EngineJob> = J extends ConceptJob
  ? ConceptResult
  : J extends SprayJob
    ? SprayResult
    : J extends ExplainJob
  ? ExplainResult
  : J extends PredictJob
    ? PredictResult
    : J extends ModelInfoJob
      ? ModelInfoResult
      : J extends PixelFlipJob
        ? PixelFlipResult
        : J extends MemoryJob
          ? MemoryResult
          : never;
