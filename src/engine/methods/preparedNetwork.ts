// Weight variants (W⁺, W⁻, W², α-scaled, transposed and flipped kernels ...) built once per network and
// reused by every later call: on wasm the preparation costs about as much as a whole batch of small
// explanations, and the backend also caches its packed XNNPACK operator per weight tensor, which only pays
// off if the tensor lives on.
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../types';
import { backwardKernel, linearForward, type LinearLayer } from './layerOps';
import type { ParamModifier } from './ruleContext';

export interface PreparedLayer {
  /** The modified kernel in the Keras layout, for `linearForward`. */
  forward(modifier: ParamModifier): tf.Tensor;
  /** The modified kernel laid out for `linearVjp` (transposed, or flipped with in/out swapped). */
  backward(modifier: ParamModifier): tf.Tensor;
  /** The modified bias, or null. Bias modifiers may build any vector of the layer's output size. */
  bias(modifier: ParamModifier | null): tf.Tensor | null;
  /** The layer with a modified kernel applied to an input whose every value is `value`: one row
   *  [1, ...output], the same for every call with this input shape. */
  constantInput(modifier: ParamModifier, value: number, inputShape: number[]): tf.Tensor;
  /** Any other tensor that depends only on this layer's weights, made once by `make` and kept under `key`. */
  derived(key: string, make: () => tf.Tensor): tf.Tensor;
}

interface CacheEntry {
  backend: string;
  tensors: Map<string, tf.Tensor>;
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
  /** The tensor under `key`, made by `make` (inside its own tidy) the first time. */
  const cached = (key: string, source: tf.Tensor | null, make: () => tf.Tensor): tf.Tensor => {
    const full = `${index}:${key}`;
    let t = entry.tensors.get(full);
    if (!t) {
      t = keep(entry, tf.tidy(make), source);
      entry.tensors.set(full, t);
    }
    return t;
  };
  const prepared: PreparedLayer = {
    forward: (modifier) => cached(`w:${modifier.key}`, layer.kernel, () => modifier.apply(layer.kernel)),
    backward: (modifier) => {
      const forward = prepared.forward(modifier);
      return cached(`wᵀ:${modifier.key}`, forward, () => backwardKernel(layer, forward));
    },
    bias: (modifier) => modifier && cached(`b:${modifier.key}`, layer.bias, () => modifier.apply(layer.bias)),
    constantInput: (modifier, value, inputShape) => {
      const kernel = prepared.forward(modifier);
      return cached(`1:${modifier.key}:${value}:${inputShape.join('×')}`, null, () =>
        linearForward(layer, kernel, null, tf.fill([1, ...inputShape], value)),
      );
    },
    derived: (key, make) => cached(`derived:${key}`, null, make),
  };
  return prepared;
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
    entry = { backend: tf.getBackend(), tensors: new Map(), owned: new Set() };
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
function keep<T extends tf.Tensor>(entry: CacheEntry, t: T, source: tf.Tensor | null): T {
  if (t === source) return t;
  entry.owned.add(t);
  return tf.keep(t);
}
