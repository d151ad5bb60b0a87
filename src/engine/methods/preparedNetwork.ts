// Weight variants (W⁺, W⁻, W², transposed and flipped kernels ...) built once per network and reused by
// every later call: on wasm the preparation costs about as much as a whole batch of small explanations.
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../types';
import { backwardKernel, type LinearLayer, type PreparedWeights } from './layerOps';
import type { ParamModifier } from './rules';

export interface PreparedLayer {
  weights(modifier: ParamModifier): PreparedWeights;
  bias(modifier: ParamModifier | null): tf.Tensor | null;
}

interface CacheEntry {
  backend: string;
  layers: Map<number, { weights: Map<string, PreparedWeights>; biases: Map<string, tf.Tensor> }>;
  /** Tensors this cache created (never the network's own kernels and biases). */
  owned: Set<tf.Tensor>;
}

const cache = new WeakMap<Network, CacheEntry>();

/**
 * The cached variants of one Dense/Conv2D layer of `network`, built on first use. The cache follows the
 * active backend (a backend switch rebuilds it) and is freed by `releasePrepared` or `network.dispose()`.
 */
export function preparedLayer(network: Network, index: number): PreparedLayer {
  const entry = cacheEntry(network);
  const layer = network.layers[index] as LinearLayer;
  let slot = entry.layers.get(index);
  if (!slot) {
    slot = { weights: new Map(), biases: new Map() };
    entry.layers.set(index, slot);
  }
  const { weights, biases } = slot;
  return {
    weights(modifier) {
      let prepared = weights.get(modifier.key);
      if (!prepared) {
        const forward = keep(entry, tf.tidy(() => modifier.apply(layer.kernel)), layer.kernel);
        const backward = keep(entry, tf.tidy(() => backwardKernel(layer, forward)), forward);
        prepared = { forward, backward };
        weights.set(modifier.key, prepared);
      }
      return prepared;
    },
    bias(modifier) {
      if (!modifier) return null;
      let prepared = biases.get(modifier.key);
      if (!prepared) {
        prepared = keep(entry, tf.tidy(() => modifier.apply(layer.bias)), layer.bias);
        biases.set(modifier.key, prepared);
      }
      return prepared;
    },
  };
}

/** Frees the cached variants of `network` (the network's own tensors are untouched). */
export function releasePrepared(network: Network): void {
  const entry = cache.get(network);
  if (!entry) return;
  cache.delete(network);
  for (const t of entry.owned) t.dispose();
}

function cacheEntry(network: Network): CacheEntry {
  let entry = cache.get(network);
  if (entry && entry.backend !== tf.getBackend()) {
    releasePrepared(network);
    entry = undefined;
  }
  if (!entry) {
    entry = { backend: tf.getBackend(), layers: new Map(), owned: new Set() };
    cache.set(network, entry);
    freeOnDispose(network);
  }
  return entry;
}

/** Makes `network.dispose()` free this cache too, once per network object. */
const wrapped = new WeakSet<Network>();
function freeOnDispose(network: Network): void {
  if (wrapped.has(network)) return;
  wrapped.add(network);
  const dispose = network.dispose.bind(network);
  network.dispose = () => {
    releasePrepared(network);
    dispose();
  };
}

/** Keeps a tensor built inside some caller's tidy alive, and records it as ours unless it is `source`
 *  itself (modifiers that change nothing return their input). */
function keep<T extends tf.Tensor>(entry: CacheEntry, t: T, source: tf.Tensor): T {
  if (t === source) return t;
  entry.owned.add(t);
  return tf.keep(t);
}
