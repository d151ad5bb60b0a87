// A Dense/Conv node as Conv, Gemm and MatMul make it: when it has no bias and its only reader is an Add of a
// constant, a pending node whose bias that Add supplies (ops/add.ts), so that the LRP rules see the bias
// where the model has it (MatMul + Add is PyTorch's Linear at some opsets).
import type { onnx } from 'onnx-proto';
import type { Activation, OnnxWalk, PendingLinear, Value } from '../onnxGraph';

export function linearResult(
  w: OnnxWalk,
  node: onnx.INodeProto,
  name: string,
  spec: PendingLinear['spec'],
  x: Activation,
  dims: number[],
  rep: Activation['rep'],
  biasFree: boolean,
): Value {
  const output = node.output?.[0] ?? '';
  if (biasFree && w.readerCount(output) === 1 && !w.isGraphOutput(output)) {
    const [reader] = w.readersOf(output);
    if (reader?.opType === 'Add') {
      w.builder.own(spec);
      return { kind: 'pending', name, spec, input: x.node, dims, rep };
    }
  }
  return { kind: 'activation', node: w.add(name, spec, [x.node]), dims, rep };
}
