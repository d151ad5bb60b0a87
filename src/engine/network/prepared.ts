// Weight variants (W⁺, W⁻, W², γ-boosted, transposed and flipped kernels, grouped kernels laid out for the
// depthwise op ...) built once per network and reused by every later call: on wasm the preparation costs
// about as much as a whole batch of small explanations, and the backend also caches its packed XNNPACK
// operator per weight tensor, which only pays off if the tensor lives on. Keyed by node index.
//
// Bounded: on wasm a kernel variant costs ~3.5× its bytes (XNNPACK keeps a packed copy of each, ~2.5×), and
// wasm memory never shrinks, so a large network whose user tries many rules (every γ of LRP-γ is two more
// variants) would grow without end. When a call begins (`beginCall`) the variants of the modifiers used
// longest ago are freed until the network's variants take at most PREPARED_BUDGET.bytes (256 MB of tensors
// by default: ResNet-18's five for the seed set, 235 MB, stay); a freed variant is made again when needed.
//
// Large networks keep only the plain kernels' layouts between calls. Their rule variants (W⁺, W⁻, γ, w²
// in both layouts) are made inside the call and freed as soon as the backward walk leaves their node
// (`passedNode`): each is used by that node's visit only. Otherwise every variant of every node, and
// XNNPACK's packed copy of each, is alive at the end of the walk, and since wasm memory never shrinks that
// peak is what the worker holds for good: ResNet-18's seed set took 1.1 GB of wasm memory per worker that
// way, 0.48 GB with its variants made per call. Made per call, the variants (mostly XNNPACK packing each new
// filter) cost ~30 % of a ResNet-18 seed set's time; on small networks they are a larger share and memory
// does not matter, so those keep every variant (TRANSIENT_VARIANTS), and so do a large network's small nodes,
// up to a total. Its weight-heavy convolutions (and large dense layers) make no variants at all: their
// products apply the modifier to the plain kernel block by block (convAsProduct.ts, modifiedKernels.ts).
import * as tf from '@tensorflow/tfjs';
import { isLinear, type LinearNode, type Network, type NodeKind } from '../graph/nodes';
import { LAYERS } from '../layers/index';
import type { BackwardKernel, LinearKind, LinearOps } from '../layers/layerKind';
import { modifiedKernel } from '../layers/modifiedKernels';

/** Maps a weight (or bias) tensor. `key` names the result in the per-network cache, so it must say
 *  everything the result depends on (γ's value included). Returning the tensor itself means "unchanged". */
export interface ParamModifier {
  key: string;
  apply(w: tf.Tensor): tf.Tensor;
  /** True when `apply` maps each weight on its own and 0 to 0 (W⁺, W⁻, W², γ): then it commutes with every
   *  backward layout (they move weights and pad with zeros), which is then made from the plain kernel's. */
  elementwise?: boolean;
}

/** The node's own weights (or bias); shared by the forward pass, the gradient and the rules. */
export const asIs: ParamModifier = { key: 'w', apply: (w) => w };

export interface PreparedNode {
  /** The modified kernel in the layout the node's forward op takes. */
  forward(modifier: ParamModifier): BackwardKernel;
  /** The modified kernel laid out for the node's VJP (transposed, or flipped with in/out swapped). */
  backward(modifier: ParamModifier): BackwardKernel;
  /** The modified bias, or null. Bias modifiers may build any vector of the node's output size. */
  bias(modifier: ParamModifier | null): tf.Tensor | null;
  /** Any other tensor that depends only on this node's weights, made once by `make` and kept under `key`. */
  derived(key: string, make: () => tf.Tensor): tf.Tensor;
  /**
   * Told by a rule that this visit of the node makes no more forward products with modified weights: a large
   * network frees those variants (and XNNPACK's packed copies) now, before the backward layouts are made,
   * so that a node holds half its variants at a time (ResNet-18's 512-channel convs: 38 MB instead of 75).
   * A variant asked for again is made again.
   */
  forwardDone(): void;
}

/** The linear map of a Dense/Conv node (its layer module's `linear`). */
export function linearOpsOf(node: LinearNode): LinearOps<LinearNode> {
  return (LAYERS[node.kind] as LinearKind<NodeKind>).linear as unknown as LinearOps<LinearNode>;
}

/** The key of the layout a modifying-in-product layer's placeholders read in the forward direction: a plain
 *  layout (kept like `asIs`), under a key of its own beside the plain kernel's forward layout. */
const PRODUCT_SOURCE = `${asIs.key}:product`;

/** The most bytes of kernel variants a network keeps between calls (a setting object so that tests can lower it). */
export const PREPARED_BUDGET = { bytes: 256 * 1024 * 1024 };

/**
 * Networks whose Dense/Conv kernels take at least `minKernelBytes` free their rule variants node by node
 * during each call (see the header). ResNet-18: 47 MB. Their small nodes still keep theirs: nodes with a
 * kernel under `keepNodeBelowBytes`, in graph order while their kernels add up to at most
 * `keepTotalBytes` (so at most ~8 × that of variants and packed copies are kept). On such nodes packing
 * each new filter costs far more than the product (ResNet-18's first two stages: ~70 ms of a seed set per
 * call, 2.7 MB of kernels); the large nodes are weight-heavy convolutions (no variants at all,
 * convAsProduct.ts) or made per call. A setting object so that tests can change it.
 */
export const TRANSIENT_VARIANTS = { minKernelBytes: 20 * 1024 * 1024, keepNodeBelowBytes: 1024 * 1024, keepTotalBytes: 8 * 1024 * 1024 };

interface CacheEntry {
  backend: string;
  /** Bytes of the network's own Dense/Conv kernels (what TRANSIENT_VARIANTS is compared with). */
  kernelBytes: number;
  /** Per Dense/Conv node index, in graph order, the bytes of its kernel. */
  linearKernelBytes: Array<[number, number]>;
  /** The nodes of a large network that keep their variants, for the TRANSIENT_VARIANTS values in `key`. */
  keptNodes?: { key: string; nodes: Set<number> };
  /** Every node's variant maps (modified kernel, forward and backward layouts, bias), keyed by modifier key. */
  variantMaps: Array<Map<string, tf.Tensor | tf.Tensor[]>>;
  /** Bytes of the variants this cache owns, per modifier key. */
  variantBytes: Map<string, number>;
  /** The call in which each modifier key was last used. */
  lastUse: Map<string, number>;
  call: number;
  /** Per Dense/Conv node index, its variants (made once, then looked up by modifier key). */
  nodes: Map<number, PreparedNode>;
  /** Per Dense/Conv node index, frees its variants other than the plain kernel's (`asIs`). */
  releasers: Map<number, () => void>;
  /** Tensors that depend on the whole network (networkDerived). */
  network: Map<string, tf.Tensor>;
  /** Tensors this cache created (never the network's own kernels and biases). */
  owned: Set<tf.Tensor>;
}

const cache = new WeakMap<Network, CacheEntry>();

/**
 * The cached variants of Dense/Conv node `index` of `network`, built on first use. The cache follows the
 * active backend (a backend switch rebuilds it) and is freed by `releasePrepared` or `network.dispose()`.
 * Called for every node of every pass, so lookups are plain Map gets (no keys built per call).
 */
export function preparedNode(network: Network, index: number): PreparedNode {
  const entry = cacheEntry(network);
  let prepared = entry.nodes.get(index);
  if (!prepared) {
    prepared = makePreparedNode(entry, network.nodes[index] as LinearNode, index);
    entry.nodes.set(index, prepared);
  }
  return prepared;
}

function makePreparedNode(entry: CacheEntry, node: LinearNode, index: number): PreparedNode {
  const ops = linearOpsOf(node);
  const modified = new Map<string, tf.Tensor>();
  const forward = new Map<string, BackwardKernel>();
  const backward = new Map<string, BackwardKernel>();
  const biases = new Map<string, tf.Tensor>();
  const derived = new Map<string, tf.Tensor>();
  const maps = [modified, forward, backward, biases];
  entry.variantMaps.push(...maps);
  /** Frees the variants (not the plain kernel's) in `from`, except tensors that `keep` still holds. */
  const free = (from: Array<Map<string, tf.Tensor | tf.Tensor[]>>, keep: Array<Map<string, tf.Tensor | tf.Tensor[]>> = []) => {
    const held = new Set(keep.flatMap((map) => [...map.values()].flat()));
    for (const map of from) {
      for (const [key, found] of map) {
        if (key === asIs.key || key === PRODUCT_SOURCE) continue;
        let bytes = 0;
        for (const t of Array.isArray(found) ? found : [found]) {
          if (held.has(t) || !entry.owned.delete(t)) continue;
          bytes += t.size * 4;
          t.dispose();
        }
        map.delete(key);
        const left = (entry.variantBytes.get(key) ?? 0) - bytes;
        if (left > 0) entry.variantBytes.set(key, left);
        else entry.variantBytes.delete(key);
      }
    }
  };
  entry.releasers.set(index, () => free(maps));
  /** The kernel with the modifier applied, in the node's own layout. */
  const weights = (m: ParamModifier) => variant(entry, modified, m.key, ops.kernel(node), () => m.apply(ops.kernel(node)));
  // A layer that modifies inside its products (large dense layers, weight-heavy convolutions) gets, for a
  // rule's modifier, a placeholder naming the plain layout and the modifier (modifiedKernels.ts), not a made
  // kernel: in the forward direction over the layout its products take (`productKernel`, kept as a plain
  // layout), backward over the plain backward layout.
  const inProduct = ops.modifiesInProduct?.(node) ?? false;
  const productSource = (): tf.Tensor => {
    if (!ops.productKernel) return ops.kernel(node);
    entry.lastUse.set(PRODUCT_SOURCE, entry.call);
    return variant(entry, forward, PRODUCT_SOURCE, ops.kernel(node), () => ops.productKernel!(node, ops.kernel(node))) as tf.Tensor;
  };
  const placeholder = (map: Map<string, BackwardKernel>, m: ParamModifier, source: () => tf.Tensor) =>
    variant(entry, map, m.key, null, () => modifiedKernel(source(), m.apply));
  const backwardOf = (m: ParamModifier): BackwardKernel => {
    entry.lastUse.set(m.key, entry.call);
    const cached = backward.get(m.key);
    if (cached) return cached;
    if (inProduct && m.key !== asIs.key) return placeholder(backward, m, () => backwardOf(asIs) as tf.Tensor);
    const plain = m.elementwise && m.key !== asIs.key ? backwardOf(asIs) : undefined;
    if (plain && plain !== ops.kernel(node)) {
      // The layouts only move elements, so an elementwise map commutes with them: applying it to the plain
      // kernel's backward layout (kept) gives the same numbers without moving ~every weight again (the
      // flips and polyphase splits cost ~30× the map on wasm, and large networks make these per call).
      return variant(entry, backward, m.key, null, () => (Array.isArray(plain) ? plain.map((k) => m.apply(k)) : m.apply(plain)));
    }
    const w = weights(m);
    return variant(entry, backward, m.key, w, () => ops.backwardKernel(node, w));
  };
  return {
    forward(m) {
      entry.lastUse.set(m.key, entry.call);
      const cached = forward.get(m.key);
      if (cached) return cached;
      if (inProduct && m.key !== asIs.key) return placeholder(forward, m, productSource);
      const w = weights(m);
      return variant(entry, forward, m.key, w, () => ops.forwardKernel(node, w));
    },
    backward: backwardOf,
    bias(m) {
      if (!m) return null;
      entry.lastUse.set(m.key, entry.call);
      return variant(entry, biases, m.key, ops.bias(node), () => m.apply(ops.bias(node)));
    },
    derived: (key, make) => lookup(entry, derived, key, null, make),
    forwardDone() {
      if (isTransient(entry, index)) free([modified, forward], [backward]);
    },
  };
}

/** The tensor (or tensors) under `key` in `map`, made by `make` (in its own tidy) the first time. */
function lookup<T extends tf.Tensor | tf.Tensor[]>(entry: CacheEntry, map: Map<string, T>, key: string, source: tf.Tensor | null, make: () => T): T {
  let t = map.get(key);
  if (!t) {
    const made = tf.tidy(make);
    t = (Array.isArray(made) ? made.map((m) => keep(entry, m, source)) : keep(entry, made as tf.Tensor, source)) as T;
    map.set(key, t);
  }
  return t;
}

/** A kernel variant: `lookup`, with the bytes it adds counted under its modifier key. */
function variant<T extends tf.Tensor | tf.Tensor[]>(entry: CacheEntry, map: Map<string, T>, key: string, source: tf.Tensor | null, make: () => T): T {
  const known = map.get(key);
  if (known) return known;
  const made = lookup(entry, map, key, source, make);
  const tensors: tf.Tensor[] = Array.isArray(made) ? made : [made as tf.Tensor];
  const bytes = tensors.reduce((total, t) => total + (t === source ? 0 : t.size * 4), 0);
  entry.variantBytes.set(key, (entry.variantBytes.get(key) ?? 0) + bytes);
  return made;
}

/**
 * Marks the start of a call on `network`: frees the variants of the modifiers used longest ago while the
 * network's variants take more than PREPARED_BUDGET.bytes (see the header). Nothing is freed during a call,
 * so a call may use more, once.
 */
export function beginCall(network: Network): void {
  const entry = cache.get(network);
  if (!entry) return;
  entry.call++;
  // What a call that failed half-way left (a walk frees each node's variants when it leaves the node).
  for (const [index, release] of entry.releasers) if (isTransient(entry, index)) release();
  let total = [...entry.variantBytes.values()].reduce((a, b) => a + b, 0);
  if (total <= PREPARED_BUDGET.bytes) return;
  const oldestFirst = [...entry.variantBytes.keys()].sort((a, b) => (entry.lastUse.get(a) ?? 0) - (entry.lastUse.get(b) ?? 0));
  for (const key of oldestFirst) {
    if (total <= PREPARED_BUDGET.bytes) break;
    for (const map of entry.variantMaps) {
      const found = map.get(key);
      if (!found) continue;
      for (const t of Array.isArray(found) ? found : [found]) {
        if (entry.owned.delete(t)) t.dispose();
      }
      map.delete(key);
    }
    total -= entry.variantBytes.get(key) ?? 0;
    entry.variantBytes.delete(key);
    entry.lastUse.delete(key);
  }
}

/**
 * Told by the backward walk once it has left Dense/Conv node `index`: for a large network (TRANSIENT_VARIANTS)
 * frees the node's rule variants, which no later node reads; the plain kernel's layouts stay.
 */
export function passedNode(network: Network, index: number): void {
  const entry = cache.get(network);
  if (entry && isTransient(entry, index)) entry.releasers.get(index)?.();
}

/** Whether node `index` makes its rule variants per call (TRANSIENT_VARIANTS). */
function isTransient(entry: CacheEntry, index: number): boolean {
  if (entry.kernelBytes < TRANSIENT_VARIANTS.minKernelBytes) return false;
  const { keepNodeBelowBytes, keepTotalBytes } = TRANSIENT_VARIANTS;
  const key = `${keepNodeBelowBytes}/${keepTotalBytes}`;
  if (entry.keptNodes?.key !== key) {
    const nodes = new Set<number>();
    let total = 0;
    for (const [i, bytes] of entry.linearKernelBytes) {
      if (bytes >= keepNodeBelowBytes || total + bytes > keepTotalBytes) continue;
      nodes.add(i);
      total += bytes;
    }
    entry.keptNodes = { key, nodes };
  }
  return !entry.keptNodes.nodes.has(index);
}

/** A tensor that depends only on the network (not on one node), made once by `make`. */
export function networkDerived(network: Network, key: string, make: () => tf.Tensor): tf.Tensor {
  const entry = cacheEntry(network);
  return lookup(entry, entry.network, key, null, make);
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
    const linearKernelBytes = network.nodes.flatMap((node, i): Array<[number, number]> => (isLinear(node) ? [[i, linearOpsOf(node).kernel(node).size * 4]] : []));
    const kernelBytes = linearKernelBytes.reduce((total, [, bytes]) => total + bytes, 0);
    entry = { backend: tf.getBackend(), kernelBytes, linearKernelBytes, nodes: new Map(), releasers: new Map(), network: new Map(), owned: new Set(), variantMaps: [], variantBytes: new Map(), lastUse: new Map(), call: 0 };
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
 *  itself (modifiers and layouts that change nothing return their input). */
function keep<T extends tf.Tensor>(entry: CacheEntry, t: T, source: tf.Tensor | null): T {
  if (t === source) return t;
  entry.owned.add(t);
  return tf.keep(t);
}
