// Pattern: an activation written out as elementwise ops on one tensor x, in whatever order the exporter
// associates them: torch's SiLU x·σ(x), hard swish x·HardSigmoid(x) (opset < 14) or x·ReLU6(x + 3)/6 (and its
// Clip/Add/Div/Mul forms), hard sigmoid ReLU6(x + 3)/6, GELU x·0.5·(1 + erf(x/√2)) and its tanh form
// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))). One activation node on x replaces them.
//
// How: from the root (a Mul, Div, Add or Sub) the nodes before it are taken in, latest first, while they are
// elementwise ops with scalar constants, until all of them read a single tensor x; the subgraph is then a
// function f of x, evaluated in float64 at 330 points over [−8, 8] (both sides of every kink) and compared with
// each known activation (1e-5, relative). Recognising the function rather than the spelling covers every
// association order and Mul/Div by 6 or 1/6 alike. The nodes inside are left untranslated (Erf has no
// translator: it is not needed). Anything else falls through to the root's plain translator.
import type { onnx } from 'onnx-proto';
import type { ActivationFn, NodeSpec } from '../../../graph/nodes';
import { float, same } from '../nodeArgs';
import type { OnnxWalk, Value } from '../onnxGraph';
import type { Translator } from './translator';

/** Scalar float64 evaluation of the elementwise ops a written-out activation uses. */
const OPS: Record<string, (args: number[], node: onnx.INodeProto, opset: number) => number> = {
  Add: ([a, b]) => a + b,
  Sub: ([a, b]) => a - b,
  Mul: ([a, b]) => a * b,
  Div: ([a, b]) => a / b,
  Pow: ([a, b]) => a ** b,
  Sqrt: ([a]) => Math.sqrt(a),
  Neg: ([a]) => -a,
  Abs: ([a]) => Math.abs(a),
  Exp: ([a]) => Math.exp(a),
  Log: ([a]) => Math.log(a),
  Reciprocal: ([a]) => 1 / a,
  Erf: ([a]) => erf(a),
  Tanh: ([a]) => Math.tanh(a),
  Sigmoid: ([a]) => 1 / (1 + Math.exp(-a)),
  Softplus: ([a]) => Math.log1p(Math.exp(a)),
  Relu: ([a]) => Math.max(a, 0),
  HardSigmoid: ([a], node) => Math.min(1, Math.max(0, float(node, 'alpha', 0.2) * a + float(node, 'beta', 0.5))),
  HardSwish: ([a]) => (a * Math.min(6, Math.max(0, a + 3))) / 6,
  LeakyRelu: ([a], node) => (a > 0 ? a : float(node, 'alpha', 0.01) * a),
  // Bounds: inputs from opset 11 (absent: none), attributes before.
  Clip: ([a, lo, hi], node, opset) =>
    opset < 11 ? Math.min(float(node, 'max', Infinity), Math.max(float(node, 'min', -Infinity), a)) : Math.min(hi ?? Infinity, Math.max(lo ?? -Infinity, a)),
  Min: (args) => Math.min(...args),
  Max: (args) => Math.max(...args),
  Identity: ([a]) => a,
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const hardSigmoid = (z: number) => Math.min(1, Math.max(0, z / 6 + 0.5));

/** The activations recognised, f in float64. */
const KNOWN: Array<{ spec: NodeSpec & { fn: ActivationFn }; f: (z: number) => number }> = [
  { spec: { kind: 'activation', fn: 'silu' }, f: (z) => z * sigmoid(z) },
  { spec: { kind: 'activation', fn: 'hardSwish' }, f: (z) => z * hardSigmoid(z) },
  { spec: { kind: 'activation', fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }, f: hardSigmoid },
  { spec: { kind: 'activation', fn: 'gelu' }, f: (z) => 0.5 * z * (1 + erf(z / Math.SQRT2)) },
  { spec: { kind: 'activation', fn: 'geluTanh' }, f: (z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3))) },
  { spec: { kind: 'activation', fn: 'sigmoid' }, f: sigmoid },
  { spec: { kind: 'activation', fn: 'tanh' }, f: Math.tanh },
  { spec: { kind: 'activation', fn: 'softplus' }, f: (z) => Math.log1p(Math.exp(z)) },
];

const POINTS = [...Array.from({ length: 321 }, (_, k) => -8 + k * 0.05), -3, 3, -1.5, 1.5, -0.5, 0.5, 0, 1e-3, -1e-3];

/** The most nodes a written-out activation may span. */
const MOST_NODES = 16;

export const activationWrittenOut: Translator = {
  ops: ['Mul', 'Div', 'Add', 'Sub'],
  batchInside: true,
  pattern: 'an activation written out (SiLU, hard swish, hard sigmoid, GELU)',
  translate(w, node, _inputs, what, name) {
    const found = writtenOut(w, node);
    if (!found) return null;
    const x = w.lookup(found.x, what);
    if (x.kind === 'constant') return null;
    // x itself cannot be computed: the activation fails with x's failures only (not with the ops inside it).
    if (x.kind === 'unavailable') return [x];
    const input = w.materialise(x, what);
    return [same(input, w.add(name, found.spec, [input.node]))];
  },
};

/** The activation `root` ends, and the tensor it applies to; null when it is none of the known ones. */
function writtenOut(w: OnnxWalk, root: onnx.INodeProto): { x: string; spec: NodeSpec } | null {
  const nodes = [root];
  const scalars = new Map<string, number>();
  /** Tensors the subgraph reads that are not computed inside it (and are not scalar constants). */
  const frontier = new Set<string>();
  const take = (n: onnx.INodeProto): boolean => {
    for (const t of n.input ?? []) {
      if (!t) continue;
      const value = w.peek(t);
      const v = scalarOf(value);
      if (v !== undefined) scalars.set(t, v);
      else if (value?.kind === 'constant') return false;
      else frontier.add(t);
    }
    return true;
  };
  if (!take(root)) return null;
  for (;;) {
    if (frontier.size === 1) {
      const [x] = frontier;
      const spec = match(w, nodes, scalars, x);
      if (spec) return { x, spec };
    }
    // Take in the producer of the latest-written frontier tensor (the graph is in topological order).
    const next = [...frontier].map((t) => ({ t, p: w.producer(t) })).sort((a, b) => order(w, b.p) - order(w, a.p))[0];
    if (!next?.p || !(next.p.opType! in OPS) || (next.p.domain && next.p.domain !== 'ai.onnx') || nodes.length >= MOST_NODES) return null;
    frontier.delete(next.t);
    nodes.push(next.p);
    if (!take(next.p)) return null;
    for (const t of next.p.output ?? []) frontier.delete(t);
  }
}

function order(w: OnnxWalk, node: onnx.INodeProto | undefined): number {
  return node ? w.indexOf(node) : -1;
}

/** A float constant of one element. */
function scalarOf(v: Value | undefined): number | undefined {
  if (v?.kind !== 'constant' || v.value.data.length !== 1) return undefined;
  const d = v.value.data[0];
  return d === null ? undefined : d;
}

/** The known activation the subgraph `nodes` (root first) computes from `x`, or null. */
function match(w: OnnxWalk, nodes: onnx.INodeProto[], scalars: Map<string, number>, x: string): NodeSpec | null {
  const ordered = [...nodes].sort((a, b) => order(w, a) - order(w, b));
  const root = nodes[0].output?.[0] ?? '';
  const values = POINTS.map((z) => {
    const known = new Map<string, number>([[x, z], ...scalars]);
    for (const n of ordered) {
      const args = (n.input ?? []).map((t) => (t ? known.get(t) : undefined)) as number[];
      known.set(n.output?.[0] ?? '', OPS[n.opType!](args, n, w.ctx.opset));
    }
    return known.get(root)!;
  });
  for (const { spec, f } of KNOWN) {
    if (POINTS.every((z, k) => Math.abs(values[k] - f(z)) <= 1e-5 * (1 + Math.abs(f(z))))) return spec;
  }
  return null;
}

/** erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)) (positive terms, no cancellation); ±1 beyond |x| = 6. */
export function erf(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}
