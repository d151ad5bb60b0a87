// What a model is and what it runs on, as the engine reports it to the host, the CLI and the webviews.
import type { ResizeMode } from './preprocess';

/** Height, width, channels of one image as the model sees it (no batch dimension). */
export type ImageShape = [number, number, number];

/** `card.json` beside `model.json`: what the model is and what input it expects. */
export interface ModelCard {
  id: string;
  name: string;
  dataset?: string;
  /** One label per logit. */
  labels: string[];
  /** The image the model sees: [height, width, channels]. */
  inputShape: ImageShape;
  /** Value range of the model's input before mean/std; pixel 0 maps to the low end, 255 to the high end.
   *  `null` declares unbounded inputs (deep Taylor then uses the w² rule on the first layer). */
  inputRange: [number, number] | null;
  /** Optional normalisation applied after the range mapping: (x - mean) / std, per channel or scalar. */
  mean?: number | number[];
  std?: number | number[];
  /** How an image of another size becomes the input (image/resizeForModel.ts): `crop` (default: aspect
   *  kept, centre crop, as torchvision's Resize + CenterCrop) or `stretch` (each axis to the input's). */
  resize?: ResizeMode;
  /** For `crop`: the share of the resized image the centre crop keeps, (0, 1]; 0.875 is the ImageNet
   *  eval transform Resize(256) + CenterCrop(224). Default 1. */
  cropFraction?: number;
  /** Test accuracy in [0, 1], as measured by whoever trained the model. */
  accuracy?: number;
  /** Free-form training facts (epochs, optimiser, seed, split, command ...). */
  training?: Record<string, unknown>;
}

/** One node of a network as the UI lists it (model-info). */
export interface NodeInfo {
  name: string;
  kind: string;
  /** One line, e.g. "conv 3×3, 32→64, stride 2, pad 1". */
  description: string;
  /** Output shape without batch. */
  shape: number[];
  /** Names of the nodes it reads. */
  inputs: string[];
  /** For the method asked about: the rule or treatment at this node ("z⁺", "winner-take-all", ...). */
  rule?: string;
}

/** Which tfjs backend computed a result, and why it is not wasm-simd when it is not. */
export interface BackendInfo {
  name: 'wasm-simd' | 'wasm' | 'cpu';
  /** Why not the backend asked for (wasm files missing, threaded build did not start, ...). */
  reason?: string;
  /** XNNPACK threads of each engine worker (the threaded wasm build when more than one). */
  threads?: number;
}

/** How far the load of a model has come (sent while a job waits for it): its files' bytes read and the
 *  graph nodes built so far. */
export interface ModelLoadProgress {
  /** The file being read (absolute); '' before the first read. */
  file: string;
  bytesRead: number;
  /** The sizes of the files read so far (a model's external data adds to it when its read begins). */
  bytesTotal: number;
  nodesBuilt: number;
}
