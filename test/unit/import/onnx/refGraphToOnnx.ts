// The graph references' small networks (test/unit/graph/graphReference.ts: NHWC, Dense [in, out], Conv
// [kh, kw, in/groups, out]) written as the ONNX model PyTorch would export for them (NCHW, Conv OIHW, Gemm,
// BatchNormalization, Pad, Concat on axis 1, …), so that a model read through the ONNX import can be
// explained and compared with the float64 references of the same numbers. The modern kinds are written as
// torch 1.13 writes them: SiLU as Mul(x, Sigmoid(x)), GELU with Erf, hard swish as x·HardSigmoid(x),
// LayerNorm over channels between the permutes ConvNeXt uses (decomposed below opset 17), nn.Linear on the
// permuted map as MatMul + Add, GroupNorm as Reshape → InstanceNormalization → Reshape → Mul → Add, a channel
// split as Slice, a channel shuffle as Reshape → Transpose → Reshape, Resize with scales or with sizes from
// the input's Shape, ConvTranspose.
import { forwardGraph, inputsOf, type RefGraph, type RefNode } from '../../graph/graphReference';
import { float, int, int64Tensor, ints, OnnxModelWriter, str } from './onnxWriter';

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
    const modern = modernNode(w, node, ins, inShape, shapes[id], name, opset);
    if (modern) {
      names.push(modern);
      return;
    }
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
      default:
        throw new Error(`refGraphToOnnx: no ONNX for ${node.kind}`);
    }
  });
  w.output(names[names.length - 1]);
  return w;
}

const NCHW_TO_NHWC = ints([0, 2, 3, 1]);
const NHWC_TO_NCHW = ints([0, 3, 1, 2]);

/**
 * The ONNX of the kinds torch writes with several nodes (or with ops only modern CNNs use); returns the
 * output name, or null for the kinds `refGraphToOnnx` writes itself.
 */
function modernNode(w: OnnxModelWriter, node: RefNode, ins: string[], inShape: number[], outShape: number[], name: string, opset: number): string | null {
  const image = inShape.length === 3;
  const scalar = (key: string, v: number) => w.weight(`${name}.${key}`, [], [v]);
  switch (node.kind) {
    case 'dense': {
      if (!node.perPosition) return null;
      // nn.Linear on a channels-last map: permute, MatMul, Add(bias, ·) as torch writes it, permute back.
      const inputs = node.w.length / node.outputs;
      const last = image ? w.node('Transpose', ins, { perm: NCHW_TO_NHWC }) : ins[0];
      const z = w.node('Add', [w.weight(`${name}.bias`, [node.outputs], node.b), w.node('MatMul', [last, w.weight(`${name}.weight`, [inputs, node.outputs], node.w)])]);
      return image ? w.node('Transpose', [z], { perm: NHWC_TO_NCHW }, [name]) : w.node('Identity', [z], {}, [name]);
    }
    case 'activation':
      return activation(w, node, ins[0], name, scalar);
    case 'prelu': {
      const c = inShape[inShape.length - 1];
      return w.node('PRelu', [ins[0], w.weight(`${name}.slope`, node.slope.length === 1 ? [1] : image ? [c, 1, 1] : [c], node.slope)], {}, [name]);
    }
    case 'reshape': {
      if (!(inShape.length === 1 && outShape.length === 3 && outShape[0] === 1 && outShape[1] === 1)) throw new Error('refGraphToOnnx: only [C] → [1, 1, C] reshapes');
      return w.node('Reshape', [ins[0], w.ints(`${name}.shape`, [0, inShape[0], 1, 1])], {}, [name]);
    }
    case 'product':
      return w.node('Mul', ins, {}, [name]);
    case 'layerNorm':
      return layerNorm(w, node, ins[0], inShape, name, opset, scalar);
    case 'gather':
      return gather(w, node, ins[0], inShape, name);
    case 'resize': {
      const [h, wd] = inShape;
      const [oh, ow] = node.size;
      const attrs = { mode: str(node.mode), coordinate_transformation_mode: str(node.coordinates), nearest_mode: str(node.nearest) };
      if (oh % h === 0 && ow % wd === 0) {
        // nn.Upsample(scale_factor=k): the scales as a constant.
        return w.node('Resize', [ins[0], '', w.weight(`${name}.scales`, [4], [1, 1, oh / h, ow / wd])], attrs, [name]);
      }
      // F.interpolate(size=…): the sizes from the input's batch and channels and the constant height, width.
      const sizes = w.node('Concat', [w.node('Slice', [w.node('Shape', [ins[0]]), w.ints(`${name}.s0`, [0]), w.ints(`${name}.s1`, [2]), w.ints(`${name}.s2`, [0])]), w.ints(`${name}.hw`, [oh, ow])], { axis: int(0) });
      return w.node('Resize', [ins[0], '', '', sizes], attrs, [name]);
    }
    case 'convTranspose': {
      const inC = inShape[2];
      const outPerGroup = node.outC / node.groups;
      // [kh, kw, out/g, in] → [in, out/g, kh, kw].
      const weight = new Array<number>(node.w.length);
      for (let y = 0; y < node.kh; y++)
        for (let x = 0; x < node.kw; x++)
          for (let o = 0; o < outPerGroup; o++)
            for (let i = 0; i < inC; i++) weight[((i * outPerGroup + o) * node.kh + y) * node.kw + x] = node.w[((y * node.kw + x) * outPerGroup + o) * inC + i];
      const attrs = {
        kernel_shape: ints([node.kh, node.kw]),
        strides: ints(node.strides),
        pads: ints(node.pads),
        dilations: ints(node.dilations),
        group: int(node.groups),
        output_padding: ints(node.outputPadding),
      };
      return w.node('ConvTranspose', [ins[0], w.weight(`${name}.weight`, [inC, outPerGroup, node.kh, node.kw], weight), w.weight(`${name}.bias`, [node.outC], node.b)], attrs, [name]);
    }
    default:
      return null;
  }
}

/** The smooth activations as torch 1.13 exports them at opsets 11–17. */
function activation(w: OnnxModelWriter, node: Extract<RefNode, { kind: 'activation' }>, x: string, name: string, scalar: (key: string, v: number) => string): string {
  switch (node.fn) {
    case 'silu':
      return w.node('Mul', [x, w.node('Sigmoid', [x])], {}, [name]);
    case 'hardSwish':
      return w.node('Mul', [x, w.node('HardSigmoid', [x], { alpha: float(1 / 6) })], {}, [name]);
    case 'gelu': {
      const erf = w.node('Erf', [w.node('Div', [x, scalar('sqrt2', Math.SQRT2)])]);
      return w.node('Mul', [w.node('Mul', [x, w.node('Add', [erf, scalar('one', 1)])]), scalar('half', 0.5)], {}, [name]);
    }
    case 'geluTanh': {
      const cube = w.node('Mul', [x, w.node('Mul', [x, x])]);
      const inner = w.node('Mul', [scalar('k', Math.sqrt(2 / Math.PI)), w.node('Add', [x, w.node('Mul', [scalar('c', 0.044715), cube])])]);
      return w.node('Mul', [scalar('half', 0.5), w.node('Mul', [x, w.node('Add', [scalar('one', 1), w.node('Tanh', [inner])])])], {}, [name]);
    }
    case 'hardSigmoid':
      return w.node('HardSigmoid', [x], { alpha: float(node.alpha ?? 0.2), beta: float(node.beta ?? 0.5) }, [name]);
    case 'elu':
      return w.node('Elu', [x], { alpha: float(node.alpha ?? 1) }, [name]);
    default:
      return w.node(node.fn[0].toUpperCase() + node.fn.slice(1), [x], {}, [name]);
  }
}

/**
 * LayerNorm over channels (a map: between ConvNeXt's permutes; a vector: directly), as LayerNormalization from
 * opset 17 and written out below; RMSNorm written out; GroupNorm as torch's InstanceNormalization export.
 */
function layerNorm(w: OnnxModelWriter, node: Extract<RefNode, { kind: 'layerNorm' }>, x: string, inShape: number[], name: string, opset: number, scalar: (key: string, v: number) => string): string {
  const image = inShape.length === 3;
  const c = inShape[inShape.length - 1];
  const perChannel = (v: number[]) => (v.length === 1 ? new Array<number>(c).fill(v[0]) : v);
  if (node.groups !== null) {
    if (!image) throw new Error('refGraphToOnnx: GroupNorm of maps only');
    const [h, wd] = inShape;
    const grouped = w.node('Reshape', [x, w.ints(`${name}.grouped`, [0, node.groups, -1])]);
    const normed = w.node('InstanceNormalization', [grouped, w.weight(`${name}.ones`, [node.groups], new Array(node.groups).fill(1)), w.weight(`${name}.zeros`, [node.groups], new Array(node.groups).fill(0))], { epsilon: float(node.epsilon) });
    const back = w.node('Reshape', [normed, w.ints(`${name}.back`, [0, c, h, wd])]);
    const scaled = w.node('Mul', [back, w.weight(`${name}.gamma`, [c, 1, 1], perChannel(node.scale))]);
    return w.node('Add', [scaled, w.weight(`${name}.beta`, [c, 1, 1], perChannel(node.offset))], {}, [name]);
  }
  const last = image ? w.node('Transpose', [x], { perm: NCHW_TO_NHWC }) : x;
  let normed: string;
  if (opset >= 17 && !node.rms) {
    normed = w.node('LayerNormalization', [last, w.weight(`${name}.weight`, [c], perChannel(node.scale)), w.weight(`${name}.bias`, [c], perChannel(node.offset))], { axis: int(-1), epsilon: float(node.epsilon) });
  } else {
    const centred = node.rms ? last : w.node('Sub', [last, w.node('ReduceMean', [last], { axes: ints([-1]) })]);
    const variance = w.node('ReduceMean', [w.node('Pow', [centred, scalar('two', 2)])], { axes: ints([-1]) });
    const divided = w.node('Div', [centred, w.node('Sqrt', [w.node('Add', [variance, scalar('eps', node.epsilon)])])]);
    normed = w.node('Add', [w.node('Mul', [divided, w.weight(`${name}.weight`, [c], perChannel(node.scale))]), w.weight(`${name}.bias`, [c], perChannel(node.offset))]);
  }
  return image ? w.node('Transpose', [normed], { perm: NHWC_TO_NCHW }, [name]) : w.node('Identity', [normed], {}, [name]);
}

/**
 * A pick along one axis: a run of channels as Slice (x.chunk), the two-group shuffle as ShuffleNet's Reshape →
 * Transpose → Reshape, an arithmetic progression as a Slice with a step, anything else as a Gather.
 */
function gather(w: OnnxModelWriter, node: Extract<RefNode, { kind: 'gather' }>, x: string, inShape: number[], name: string): string {
  const rank = inShape.length;
  const onnxAxis = rank === 3 ? [2, 3, 1][node.axis] : node.axis + 1;
  const n = inShape[node.axis];
  const [first, second] = node.indices;
  const step = node.indices.length > 1 ? second - first : 1;
  const progression = node.indices.every((v, k) => v === first + k * step);
  const half = n / 2;
  const shuffle = node.indices.length === n && rank === 3 && node.axis === 2 && node.indices.every((v, j) => v === (j % 2) * half + Math.floor(j / 2));
  if (shuffle) {
    const [h, wd] = inShape;
    const split = w.node('Reshape', [x, w.ints(`${name}.split`, [0, 2, half, h, wd])]);
    const swapped = w.node('Transpose', [split], { perm: ints([0, 2, 1, 3, 4]) });
    return w.node('Reshape', [swapped, w.ints(`${name}.merged`, [0, -1, h, wd])], {}, [name]);
  }
  if (progression && step !== 0) {
    const end = first + step * node.indices.length;
    return w.node('Slice', [x, w.ints(`${name}.starts`, [first]), w.ints(`${name}.ends`, [end < 0 ? -n - 1 : end]), w.ints(`${name}.axes`, [onnxAxis]), w.ints(`${name}.steps`, [step])], {}, [name]);
  }
  return w.node('Gather', [x, w.initializer(int64Tensor(`${name}.indices`, [node.indices.length], node.indices))], { axis: int(onnxAxis) }, [name]);
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
