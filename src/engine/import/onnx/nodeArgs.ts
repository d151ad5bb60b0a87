// Reading an ONNX node's attributes and inputs: typed attribute getters, an activation input (a pending
// Dense/Conv made real), and the small wrappers every op translation shares.
import { onnx } from 'onnx-proto';
import { UserError } from '../../errors';
import type { NodeSpec } from '../../graph/nodes';
import { attribute, toInt } from './onnxFile';
import type { Activation, OnnxWalk, Value } from './onnxGraph';

export function ints(node: onnx.INodeProto, key: string): number[] | undefined {
  const a = attribute(node, key);
  return a ? (a.ints ?? []).map(toInt) : undefined;
}

export function int(node: onnx.INodeProto, key: string, fallback: number): number {
  const a = attribute(node, key);
  return a ? toInt(a.i) : fallback;
}

export function float(node: onnx.INodeProto, key: string, fallback: number): number {
  const a = attribute(node, key);
  return a ? (a.f ?? 0) : fallback;
}

export function text(node: onnx.INodeProto, key: string, fallback: string): string {
  const s = attribute(node, key)?.s;
  return s ? new TextDecoder().decode(s) : fallback;
}

export function act(w: OnnxWalk, v: Value | undefined, what: string): Activation {
  if (!v) throw new UserError(`${what} lacks its data input`, w.file);
  return w.materialise(v, what);
}

export function isConstant(v: Value | undefined): v is Extract<Value, { kind: 'constant' }> {
  return v?.kind === 'constant';
}

export function same(a: Activation, node: Activation['node']): Activation {
  return { kind: 'activation', node, dims: a.dims, rep: a.rep, batchInside: a.batchInside };
}

/** An elementwise node on the first input, in its representation; null is the identity. */
export function elementwise(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string, spec: NodeSpec | null): Activation {
  const x = act(w, inputs[0], what);
  return spec ? same(x, w.add(name, spec, [x.node])) : x;
}
