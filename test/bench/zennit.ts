// The performance anchor: Zennit 0.5.1 on PyTorch 1.13.1 (OpenBLAS, 2 threads) measured by a peer on this
// kind of machine, random-weight models of the same shapes. Copied from /work/shared/FACTS.md ("A peer
// measured here"); the project never reads that file, so the numbers live here as data.
import { SEED_METHODS } from '../../src/engine/methods/methodTable';

export type SeedMethod =
  | 'sensitivity'
  | 'guided-backprop'
  | 'simple-taylor'
  | 'deep-taylor'
  | 'lrp-a1.2b0.2'
  | 'lrp-a1.5b0.5'
  | 'lrp-a2b1';

export type ModelKind = 'mlp' | 'cnn';

export interface ZennitFigure {
  /** Heatmaps per second at batch 256. */
  perSecond256: number;
  /** Milliseconds per heatmap at batch 1 (rules registered once). */
  msBatch1: number;
}

/** FACTS.md table: MLP 784-400-400-10 ReLU; CNN conv3×3(32)-relu-maxpool2-conv3×3(64)-relu-maxpool2-dense128-dense10. */
export const ZENNIT: Record<ModelKind, Record<SeedMethod, ZennitFigure>> = {
  mlp: {
    sensitivity: { perSecond256: 33_500, msBatch1: 0.9 },
    'guided-backprop': { perSecond256: 13_100, msBatch1: 0.6 },
    'simple-taylor': { perSecond256: 29_900, msBatch1: 0.5 },
    'deep-taylor': { perSecond256: 4_400, msBatch1: 13.1 },
    'lrp-a1.2b0.2': { perSecond256: 1_660, msBatch1: 12.7 },
    'lrp-a1.5b0.5': { perSecond256: 2_500, msBatch1: 9.7 },
    'lrp-a2b1': { perSecond256: 1_700, msBatch1: 23.6 },
  },
  cnn: {
    sensitivity: { perSecond256: 2_400, msBatch1: 2.7 },
    'guided-backprop': { perSecond256: 1_850, msBatch1: 10.3 },
    'simple-taylor': { perSecond256: 2_300, msBatch1: 1.7 },
    'deep-taylor': { perSecond256: 700, msBatch1: 10.9 },
    'lrp-a1.2b0.2': { perSecond256: 330, msBatch1: 19.1 },
    'lrp-a1.5b0.5': { perSecond256: 330, msBatch1: 34.8 },
    'lrp-a2b1': { perSecond256: 380, msBatch1: 23.2 },
  },
};

/** The seed figure's columns, in its order: the engine's own list. */
export const SEED = SEED_METHODS as readonly SeedMethod[];

const GRADIENT_SEED: readonly SeedMethod[] = ['sensitivity', 'guided-backprop', 'simple-taylor'];
export const GRADIENT_METHODS: ReadonlySet<SeedMethod> = new Set(GRADIENT_SEED);

/** Our throughput over Zennit's (> 1: faster). At batch 1 the throughput is 1000 / (ms per heatmap). */
export function ratioToZennit(model: ModelKind, method: SeedMethod, batch: number, heatmapsPerSecond: number): number {
  const z = ZENNIT[model][method];
  return heatmapsPerSecond / (batch === 1 ? 1000 / z.msBatch1 : z.perSecond256);
}

/**
 * The targets ("[6 of 6] Performance"), as ratios to the figures above:
 * relevance methods at batch 256 ≥ 1.5×, gradient methods at batch 256 ≥ 0.5×, every method at batch 1 ≥ 1×.
 */
export function targetRatio(method: SeedMethod, batch: number): number {
  if (batch === 1) return 1;
  return GRADIENT_METHODS.has(method) ? 0.5 : 1.5;
}

/** Issue 26: the first map after choosing a model at most this many times a warm one. */
export const FIRST_MAP_RATIO = 2;

/** The other targets of the issue. */
export const TARGETS = {
  /** All seven seed methods for one image, warm, end to end (ms). */
  sevenMethodsMs: { mlp: 5, cnn: 15 } as Record<ModelKind, number>,
  /** Spawn a worker, initialise wasm, load a model, first heatmap (ms). */
  coldStartMs: 1500,
  /** Every backward pass at this fraction of the GFLOP/s of its forward pass, or better. */
  backwardOverForward: 0.7,
};

/**
 * The ONNX models of issue 16 and their targets. `reference` holds the peer's figures the issue quotes
 * (Zennit 0.5.1, 2 threads, ms per heatmap at batch 1), printed when the peer cannot run in this run; the
 * bench prefers the peer's own figures measured minutes apart.
 */
export interface ModelTargets {
  /** Our speed over Zennit's per heatmap, per method and batch: at least this. */
  ratio: Array<{ methods: readonly string[]; batch: number; atLeast: number }>;
  /** All seven seed methods for one image in one call (ms), at most. */
  seedSetMs?: number;
  /** File → decode → preprocess → seven heatmaps → RGBA (ms), at most. */
  endToEndMs?: number;
  reference?: { source: string; msBatch1: Partial<Record<SeedMethod, number>> };
}

const RELEVANCE_METHODS: readonly SeedMethod[] = ['deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1'];

/** Keyed by the model file's name. */
export const MODEL_TARGETS: Record<string, ModelTargets> = {
  // Issue 26: the seed set for one image on 2 cores.
  'resnet50-224.onnx': { ratio: [], seedSetMs: 2500 },
  'shapes-resnet.onnx': {
    ratio: [
      { methods: SEED_METHODS, batch: 1, atLeast: 1 },
      { methods: RELEVANCE_METHODS, batch: 16, atLeast: 1 },
    ],
    // The issue gives only the range, 3.4–64 ms per method at batch 1: no per-method reference.
  },
  'resnet18-224.onnx': {
    // Issue 26: on 2 cores (the threaded build), gradient methods ≥ 0.5× Zennit on 2 threads, seed set ≤ 1 s.
    ratio: [{ methods: GRADIENT_SEED, batch: 1, atLeast: 0.5 }],
    seedSetMs: 1000,
    endToEndMs: 1500,
    reference: {
      source: 'issue 16 (Zennit 0.5.1, 2 threads, measured by a peer; αβ quoted as 473–492 ms, 482 taken)',
      msBatch1: { sensitivity: 89, 'guided-backprop': 105, 'deep-taylor': 292, 'lrp-a1.2b0.2': 482, 'lrp-a1.5b0.5': 482, 'lrp-a2b1': 482 },
    },
  },
};
