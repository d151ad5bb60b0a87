// The graph references' small networks (test/unit/graph/graphReference.ts: NHWC, Dense [in, out], Conv
// [kh, kw, in/groups, out]) written as the ONNX model PyTorch would export for them (NCHW, Conv OIHW, Gemm,
// BatchNormalization, Pad, Concat on axis 1, …), so that a model read through the ONNX import can be
// explained and compared with the float64 references of the same numbers.
import { forwardGraph, inputsOf, type RefGraph, type RefNode } from '../../graph/graphReference';
import { float, int, ints, OnnxModelWriter } from './onnxWriter';

/** The ONNX model of `g`; its input is [N, C, H, W] (or [N, n] for a vector input). */
export function refGraphToOnnx(g: RefGraph, opset = 13): OnnxModelWriter {
  const w = new OnnxModelWriter(opset);
  const shapes = forwardGraph(g, new Array(g.inputShape.reduce((a, b) => a * b, 1)).fill(0)).shapes;
  const names: string[] = [];
  /** Whether each node's ONNX tensor is NCHW, or (after a reference transpose) in the engine's axis order. */
  const engineOrder: boolean[] = [false];
  const image = g.inputShape.length === 3;
  names.push(w.input('input', image ? [null, g.inputShape[2], g.inputShape[0], g.inputShape[1]] : [null, ...g.inputShape]));
  g.nodes.forEach((node, k) => {
    const id = k + 1;
    const ins = inputsOf(node).map((i) => names[i]);
    const inShape = shapes[inputsOf(node)[0]];
    const name = `n${id}`;
    engineOrder.push(node.kind === 'transpose');
    if (node.kind !== 'flatten' && inputsOf(node).some((i) => engineOrder[i])) throw new Error('refGraphToOnnx: only a flatten may read a transposed map');
    switch (node.kind) {
      case 'dense': {
        const inputs = inShape.reduce((a, b) => a * b, 1);
        const b = w.weight(`${name}.B`, [inputs, node.outputs], node.w);
        names.push(w.node('Gemm', [ins[0], b, w.weight(`${name}.C`, [node.outputs], node.b)], {}, [name]));
        break;
      }
      case 'conv2d':
        names.push(convOp(w, node, inShape, ins[0], name));
        break;
      case 'relu':
        names.push(w.node('Relu', ins, {}, [name]));
        break;
      case 'clip': {
        // As torch exports ReLU6 / Hardtanh at opset ≥ 11: the bounds as scalar inputs ('' for none).
        if (opset < 11) {
          const attrs = { ...(node.min > -Infinity ? { min: float(node.min) } : {}), ...(node.max < Infinity ? { max: float(node.max) } : {}) };
          names.push(w.node('Clip', ins, attrs, [name]));
        } else {
          const min = node.min > -Infinity ? w.weight(`${name}.min`, [], [node.min]) : '';
          const max = node.max < Infinity ? w.weight(`${name}.max`, [], [node.max]) : '';
          names.push(w.node('Clip', max ? [ins[0], min, max] : [ins[0], min], {}, [name]));
        }
        break;
      }
      case 'leakyRelu':
        names.push(w.node('LeakyRelu', ins, { alpha: float(node.alpha) }, [name]));
        break;
      case 'maxPool':
        names.push(w.node('MaxPool', ins, { kernel_shape: ints(node.pool), strides: ints(node.strides), pads: ints(node.pads) }, [name]));
        break;
      case 'avgPool':
        names.push(
          w.node('AveragePool', ins, { kernel_shape: ints(node.pool), strides: ints(node.strides), pads: ints(node.pads), count_include_pad: int(node.countIncludePad ? 1 : 0) }, [name]),
        );
        break;
      case 'globalAvgPool':
      case 'globalMaxPool': {
        const pooled = w.node(node.kind === 'globalAvgPool' ? 'GlobalAveragePool' : 'GlobalMaxPool', ins);
        names.push(w.node('Flatten', [pooled], { axis: int(1) }, [name]));
        break;
      }
      case 'flatten': {
        // The reference flattens H, W, C (the engine's order): an NCHW model transposes first.
        const ordered = engineOrder[inputsOf(node)[0]] || inShape.length !== 3;
        const source = ordered ? ins[0] : w.node('Transpose', ins, { perm: ints([0, 2, 3, 1]) });
        names.push(w.node('Flatten', [source], { axis: int(1) }, [name]));
        break;
      }
      case 'pad': {
        const [top, left, bottom, right] = node.pads;
        names.push(w.node('Pad', [ins[0], w.ints(`${name}.pads`, [0, 0, top, left, 0, 0, bottom, right])], {}, [name]));
        break;
      }
      case 'affine': {
        const c = inShape[inShape.length - 1];
        const dims = inShape.length === 3 ? [1, c, 1, 1] : [1, c];
        const perChannel = (v: number[]) => (v.length === 1 ? new Array<number>(c).fill(v[0]) : v);
        const scaled = w.node('Mul', [ins[0], w.weight(`${name}.scale`, dims, perChannel(node.scale))]);
        names.push(w.node('Add', [scaled, w.weight(`${name}.offset`, dims, perChannel(node.offset))], {}, [name]));
        break;
      }
      case 'batchNorm': {
        const c = node.mean.length;
        const p = (key: string, v: number[]) => w.weight(`${name}.${key}`, [c], v);
        names.push(w.node('BatchNormalization', [ins[0], p('scale', node.gamma), p('B', node.beta), p('mean', node.mean), p('var', node.variance)], { epsilon: float(node.epsilon) }, [name]));
        break;
      }
      case 'add':
        names.push(ins.length === 2 ? w.node('Add', ins, {}, [name]) : w.node('Sum', ins, {}, [name]));
        break;
      case 'concat': {
        const rank = inShape.length;
        const axis = node.axis < 0 ? node.axis + rank : node.axis;
        // Engine axes of [h, w, c] are ONNX axes 2, 3, 1.
        const onnxAxis = rank === 3 ? [2, 3, 1][axis] : axis + 1;
        names.push(w.node('Concat', ins, { axis: int(onnxAxis) }, [name]));
        break;
      }
      case 'transpose': {
        // Engine axis k of the result is engine axis perm[k] of the input, i.e. ONNX axis [2, 3, 1][perm[k]].
        const toOnnx = [2, 3, 1];
        names.push(w.node('Transpose', ins, { perm: ints([0, ...node.perm.map((a) => toOnnx[a])]) }, [name]));
        break;
      }
      case 'reshape':
      case 'softmax':
      case 'matmul':
        throw new Error(`refGraphToOnnx: ${node.kind} is not written in NCHW form`);
    }
  });
  w.output(names[names.length - 1]);
  return w;
}

/** An ONNX Conv (NCHW, OIHW weights) of a reference conv node reading `input`; its output is named `name`. */
function convOp(w: OnnxModelWriter, node: Extract<RefNode, { kind: 'conv2d' }>, inShape: number[], input: string, name: string): string {
  const inPerGroup = inShape[2] / node.groups;
  // [kh, kw, in/g, out] → [out, in/g, kh, kw].
  const oihw = new Array<number>(node.w.length);
  for (let y = 0; y < node.kh; y++)
    for (let x = 0; x < node.kw; x++)
      for (let i = 0; i < inPerGroup; i++)
        for (let o = 0; o < node.outC; o++) oihw[((o * inPerGroup + i) * node.kh + y) * node.kw + x] = node.w[((y * node.kw + x) * inPerGroup + i) * node.outC + o];
  const weight = w.weight(`${name}.weight`, [node.outC, inPerGroup, node.kh, node.kw], oihw);
  const bias = w.weight(`${name}.bias`, [node.outC], node.b);
  const attrs = { pads: ints(node.pads), strides: ints(node.strides), dilations: ints(node.dilations), group: int(node.groups), kernel_shape: ints([node.kh, node.kw]) };
  return w.node('Conv', [input, weight, bias], attrs, [name]);
}

/**
 * The ONNX model of `g` in the engine's own layout (batch first, then the engine's axes: an NHWC input
 * stays NHWC), for graphs with attention (matmul, softmax, reshapes of tokens), which have no NCHW form.
 * Convolutions transpose to NCHW and back around an ONNX Conv; GELU is written as torch exports it
 * (Div, Erf, Add, Mul, Mul); a global average pool is a ReduceMean over the two spatial axes. For the
 * forward pass against onnxruntime only: the ONNX front end reads NCHW models.
 */
export function refGraphToOnnxAsIs(g: RefGraph, opset = 13): OnnxModelWriter {
  const w = new OnnxModelWriter(opset);
  const shapes = forwardGraph(g, new Array(g.inputShape.reduce((a, b) => a * b, 1)).fill(0)).shapes;
  const names: string[] = [w.input('input', [null, ...g.inputShape])];
  g.nodes.forEach((node, k) => {
    const ins = inputsOf(node).map((i) => names[i]);
    const inShape = shapes[inputsOf(node)[0]];
    const name = `n${k + 1}`;
    switch (node.kind) {
      case 'conv2d': {
        const nchw = w.node('Transpose', ins, { perm: ints([0, 3, 1, 2]) });
        names.push(w.node('Transpose', [convOp(w, node, inShape, nchw, `${name}.conv`)], { perm: ints([0, 2, 3, 1]) }, [name]));
        break;
      }
      case 'dense':
        names.push(w.node('Gemm', [ins[0], w.weight(`${name}.B`, [inShape[0], node.outputs], node.w), w.weight(`${name}.C`, [node.outputs], node.b)], {}, [name]));
        break;
      case 'reshape':
      case 'flatten': {
        const shape = node.kind === 'reshape' ? node.shape : [inShape.reduce((a, b) => a * b, 1)];
        names.push(w.node('Reshape', [ins[0], w.ints(`${name}.shape`, [-1, ...shape])], {}, [name]));
        break;
      }
      case 'transpose':
        names.push(w.node('Transpose', ins, { perm: ints([0, ...node.perm.map((p) => p + 1)]) }, [name]));
        break;
      case 'matmul': {
        const rank = inShape.length + 1;
        const swap = [...Array(rank - 2).keys(), rank - 1, rank - 2];
        const [a, b] = [node.transposeA ? w.node('Transpose', [ins[0]], { perm: ints(swap) }) : ins[0], node.transposeB ? w.node('Transpose', [ins[1]], { perm: ints(swap) }) : ins[1]];
        names.push(w.node('MatMul', [a, b], {}, [name]));
        break;
      }
      case 'softmax':
        if (opset < 13) throw new Error('refGraphToOnnxAsIs: Softmax over one axis needs opset ≥ 13');
        names.push(w.node('Softmax', ins, { axis: int(node.axis + 1) }, [name]));
        break;
      case 'affine': {
        const scaled = w.node('Mul', [ins[0], w.weight(`${name}.scale`, [node.scale.length], node.scale)]);
        names.push(w.node('Add', [scaled, w.weight(`${name}.offset`, [node.offset.length], node.offset)], {}, [name]));
        break;
      }
      case 'add':
        names.push(ins.length === 2 ? w.node('Add', ins, {}, [name]) : w.node('Sum', ins, {}, [name]));
        break;
      case 'relu':
        names.push(w.node('Relu', ins, {}, [name]));
        break;
      case 'activation': {
        if (node.fn !== 'gelu') throw new Error(`refGraphToOnnxAsIs: activation ${node.fn}`);
        const erf = w.node('Erf', [w.node('Div', [ins[0], w.weight(`${name}.sqrt2`, [], [Math.SQRT2])])]);
        const half = w.node('Mul', [ins[0], w.node('Add', [erf, w.weight(`${name}.one`, [], [1])])]);
        names.push(w.node('Mul', [half, w.weight(`${name}.half`, [], [0.5])], {}, [name]));
        break;
      }
      case 'globalAvgPool':
        names.push(w.node('ReduceMean', ins, { axes: ints([1, 2]), keepdims: int(0) }, [name]));
        break;
      default:
        throw new Error(`refGraphToOnnxAsIs: ${node.kind} is not written`);
    }
  });
  w.output(names[names.length - 1]);
  return w;
}
