// Pattern: LayerNorm as torch writes it below opset 17, rooted at the Div:
//   m = ReduceMean(x, axes), d = Sub(x, m), v = ReduceMean(Pow(d, 2) | Mul(d, d), axes),
//   y = Div(d, Sqrt(Add(v, ε)))
// over the last axis (nn.LayerNorm; ConvNeXt's channels-first LayerNorm is this between two permutes) or
// over every axis but the batch; and RMSNorm y = Div(x, Sqrt(Add(ReduceMean(Pow(x, 2)), ε))). γ and β follow
// as a Mul and an Add of constants, which the builder folds into the norm (graph/canonise.ts). The nodes
// inside (ReduceMean over channels, Pow, Sqrt) are left untranslated.
import type { onnx } from 'onnx-proto';
import { normaliseAxis } from '../constants';
import { ints, int } from '../nodeArgs';
import type { OnnxWalk } from '../onnxGraph';
import { normAll, normLastAxis } from './layerNorm';
import type { Translator } from './translator';

export const layerNormWrittenOut: Translator = {
  ops: ['Div'],
  pattern: 'LayerNorm written out (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div)',
  translate(w, node, _inputs, what, name) {
    const [numerator, denominator] = node.input ?? [];
    const sqrt = w.producer(denominator, 'Sqrt');
    const add = w.producer(sqrt?.input?.[0], 'Add');
    if (!add) return null;
    // Add(v, ε) in either order.
    const [p, q] = add.input ?? [];
    const epsilonTensor = scalar(w, q) !== undefined ? q : p;
    const epsilon = scalar(w, epsilonTensor);
    const variance = w.producer(epsilonTensor === q ? p : q, 'ReduceMean');
    if (epsilon === undefined || !variance) return null;
    const squared = w.producer(variance.input?.[0], 'Pow', 'Mul');
    if (!squared) return null;
    const base = squared.input?.[0];
    const isSquare = squared.opType === 'Pow' ? scalar(w, squared.input?.[1]) === 2 : squared.input?.[1] === base;
    if (!isSquare || base !== numerator) return null;
    const sub = w.producer(numerator, 'Sub');
    const mean = sub && w.producer(sub.input?.[1], 'ReduceMean');
    const centred = Boolean(mean && mean.input?.[0] === sub!.input?.[0]);
    const source = centred ? sub!.input![0] : numerator;
    const axes = reducedAxes(w, variance);
    if (!axes || (centred && JSON.stringify(reducedAxes(w, mean!)) !== JSON.stringify(axes))) return null;
    if (int(variance, 'keepdims', 1) !== 1 || (centred && int(mean!, 'keepdims', 1) !== 1)) return null;
    const value = w.lookup(source, what);
    if (value.kind === 'unavailable') return [value];
    if (value.kind === 'constant') return null;
    const x = w.materialise(value, what);
    const rank = x.dims.length + 1;
    const normalised = axes.map((a) => normaliseAxis(a, rank)).sort((a, b) => a - b);
    if (normalised.length === 1 && normalised[0] === rank - 1) return [normLastAxis(w, x, undefined, undefined, epsilon, what, name, !centred)];
    const all = normalised.length === rank - 1 && normalised.every((a, i) => a === i + 1);
    if (all && centred) return [normAll(w, x, undefined, undefined, epsilon, what, name)];
    return null;
  },
};


/** A scalar float constant's value. */
function scalar(w: OnnxWalk, tensor: string | undefined): number | undefined {
  const v = tensor ? w.peek(tensor) : undefined;
  if (v?.kind !== 'constant' || v.value.data.length !== 1 || v.value.data[0] === null) return undefined;
  return v.value.data[0];
}

/** A ReduceMean's axes (attribute before opset 18, input from it), or null when they are not constants. */
function reducedAxes(w: OnnxWalk, node: onnx.INodeProto): number[] | null {
  if (w.ctx.opset < 18) return ints(node, 'axes') ?? null;
  const v = node.input?.[1] ? w.peek(node.input[1]) : undefined;
  return v?.kind === 'constant' ? (v.value.data as number[]) : null;
}
