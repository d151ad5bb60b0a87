// Every supported ONNX op, written with the test writer, loaded by the engine and run on its graph forward
// pass, against onnxruntime-web on the same model and input: logits equal to 1e-4 relative. Also the
// exporters' patterns: the Shape→Gather→Unsqueeze→Concat→Reshape flatten, PyTorch's C, H, W feature order,
// asymmetric pads, NHWC inputs (tf2onnx), float16/double weights, Constant nodes, external data.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { random, randomArray } from '../../methods/reference';
import { tempModelDir } from '../../model/savedModels';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';
import { float, floatTensor, int, int64Tensor, ints, OnnxModelWriter, str, type Attr } from './onnxWriter';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** Seeded values in [−scale, scale]. */
function values(seed: number, n: number, scale = 0.5): number[] {
  return randomArray(random(seed), n, -scale, scale);
}

interface Compared {
  error: number;
  notes: string[];
  kinds: string[];
}

/**
 * Saves `w`, loads it with the engine, runs both on a seeded batch of 2 inputs of `dims` (NCHW, or
 * [N, features]); `nhwc` when the model takes NHWC images. `post` maps the engine's logits before the
 * comparison (a dropped final softmax).
 */
async function compare(
  w: OnnxModelWriter,
  dims: number[],
  options: { seed?: number; nhwc?: boolean; post?: (logits: Float32Array, batch: number) => Float32Array; file?: string } = {},
): Promise<Compared> {
  const file = options.file ?? path.join(tempModelDir('onnx'), 'model.onnx');
  w.save(file);
  const bytes = fs.readFileSync(file);
  const x = Float32Array.from(values(options.seed ?? 11, dims.reduce((a, b) => a * b, 1), 1));
  const expected = await ortOutputs(bytes, x, dims);
  const loaded = loadOnnxNetwork(file);
  try {
    const engineInput = dims.length === 4 && !options.nhwc ? nchwToNhwc(x, dims) : x;
    let logits = engineLogits(loaded.network, engineInput, dims[0]);
    if (options.post) logits = options.post(logits, dims[0]);
    return { error: relativeError(logits, expected), notes: loaded.notes, kinds: loaded.network.nodes.map((n) => n.kind) };
  } finally {
    loaded.network.dispose();
  }
}

/** input → `body` → Flatten → Gemm(out 5) with seeded weights: a classifier around the ops under test. */
function classifier(opset: number, inputDims: Array<number | null>, body: (w: OnnxModelWriter, x: string) => { out: string; features: number }, seed = 1): OnnxModelWriter {
  const w = new OnnxModelWriter(opset);
  const x = w.input('x', inputDims);
  const { out, features } = body(w, x);
  const flat = w.node('Flatten', [out], { axis: int(1) });
  const gw = w.weight('fc.weight', [5, features], values(seed + 100, 5 * features));
  const gb = w.weight('fc.bias', [5], values(seed + 101, 5));
  w.node('Gemm', [flat, gw, gb], { transB: int(1) }, ['logits']);
  w.output('logits', [null, 5]);
  return w;
}

function convWeights(w: OnnxModelWriter, name: string, out: number, inPerGroup: number, kh: number, kw: number, seed: number, bias = true): string[] {
  const names = [w.weight(`${name}.weight`, [out, inPerGroup, kh, kw], values(seed, out * inPerGroup * kh * kw))];
  if (bias) names.push(w.weight(`${name}.bias`, [out], values(seed + 1, out)));
  return names;
}

const TOLERANCE = 1e-4;

describe('Conv', () => {
  const cases: Array<[string, Record<string, Attr>, number, number, [number, number], boolean]> = [
    // name, attributes, out channels, in channels per group, kernel, bias
    ['3×3, symmetric pads 1, bias', { pads: ints([1, 1, 1, 1]) }, 4, 3, [3, 3], true],
    ['3×3 stride 2, asymmetric pads [0, 1, 1, 2], no bias', { pads: ints([0, 1, 1, 2]), strides: ints([2, 2]) }, 4, 3, [3, 3], false],
    ['grouped (group 3), 6 outputs', { pads: ints([1, 1, 1, 1]), group: int(3) }, 6, 1, [3, 3], true],
    ['depthwise with multiplier 2 (group = channels = 3, 6 outputs), stride 2', { group: int(3), strides: ints([2, 2]) }, 6, 1, [3, 3], true],
    ['dilation 2, kernel 2×3', { dilations: ints([2, 2]) }, 2, 3, [2, 3], true],
    ['auto_pad SAME_UPPER, stride 2', { auto_pad: str('SAME_UPPER'), strides: ints([2, 2]) }, 3, 3, [3, 3], true],
    ['auto_pad SAME_LOWER, stride 2, kernel 2', { auto_pad: str('SAME_LOWER'), strides: ints([2, 2]) }, 3, 3, [2, 2], true],
  ];
  for (const [name, attrs, out, inPerGroup, [kh, kw], bias] of cases) {
    test(name, async () => {
      const w = new OnnxModelWriter(13);
      const x = w.input('x', [null, 3, 8, 8]);
      const conv = w.node('Conv', [x, ...convWeights(w, 'conv', out, inPerGroup, kh, kw, 3, bias)], attrs);
      const relu = w.node('Relu', [conv]);
      const gap = w.node('GlobalAveragePool', [relu]);
      const flat = w.node('Flatten', [gap]);
      const gw = w.weight('fc.weight', [5, out], values(9, 5 * out));
      w.node('Gemm', [flat, gw], { transB: int(1) }, ['logits']);
      w.output('logits', [null, 5]);
      const { error } = await compare(w, [2, 3, 8, 8]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
    });
  }

  test('the full conv map flattened in C, H, W order into a Gemm (PyTorch flatten order)', async () => {
    const w = classifier(13, [null, 3, 7, 6], (w, x) => ({ out: w.node('Conv', [x, ...convWeights(w, 'c', 4, 3, 3, 3, 5)], { pads: ints([1, 0, 0, 1]) }), features: 4 * 6 * 5 }));
    const { error, notes } = await compare(w, [2, 3, 7, 6]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
    assert.ok(notes.some((n) => /folded into the rows/.test(n)), notes.join('; '));
  });
});

test('Clip with min 0 and no max (torch.clamp(x, min=0)) is a ReLU, at opset 9 (attributes) and 13 (inputs)', async () => {
  for (const opset of [9, 13]) {
    const w = new OnnxModelWriter(opset);
    const x = w.input('x', [null, 6]);
    const m = w.node('Gemm', [x, w.weight('W', [6, 4], values(63, 24)), w.weight('b', [4], values(64, 4))]);
    const clipped = opset < 11 ? w.node('Clip', [m], { min: float(0), max: float(3.4028234663852886e38) }) : w.node('Clip', [m, w.weight('min', [], [0])]);
    w.node('Gemm', [clipped, w.weight('W2', [4, 3], values(65, 12)), w.weight('b2', [3], values(66, 3))], {}, ['logits']);
    w.output('logits');
    const { error, kinds } = await compare(w, [2, 6]);
    assert.ok(error <= TOLERANCE, `opset ${opset}: relative error ${error}`);
    assert.deepEqual(kinds, ['input', 'dense', 'relu', 'dense']);
  }
});

describe('Gemm and MatMul', () => {
  const gemmCases: Array<[string, Record<string, Attr>, 'vector' | 'row' | 'scalar' | 'none']> = [
    ['transB 1, alpha 1, beta 1, C [M]', { transB: int(1) }, 'vector'],
    ['transB 0, alpha 0.5, beta 2, C [1, M]', { alpha: float(0.5), beta: float(2) }, 'row'],
    ['transB 1, alpha 2, C scalar broadcast', { transB: int(1), alpha: float(2) }, 'scalar'],
    ['no C', { transB: int(1) }, 'none'],
  ];
  for (const [name, attrs, cKind] of gemmCases) {
    test(`Gemm ${name}`, async () => {
      const w = new OnnxModelWriter(13);
      const x = w.input('x', [null, 6]);
      const transB = 'transB' in attrs;
      const b = w.weight('B', transB ? [4, 6] : [6, 4], values(2, 24));
      const inputs = [x, b];
      if (cKind === 'vector') inputs.push(w.weight('C', [4], values(3, 4)));
      if (cKind === 'row') inputs.push(w.weight('C', [1, 4], values(3, 4)));
      if (cKind === 'scalar') inputs.push(w.weight('C', [], [0.7]));
      w.node('Gemm', inputs, attrs, ['logits']);
      w.output('logits', [null, 4]);
      const { error } = await compare(w, [2, 6]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
    });
  }

  test('MatMul + Add becomes one Dense with its bias; a MatMul read elsewhere keeps the Add as an affine map', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 6]);
    const m = w.node('MatMul', [x, w.weight('W', [6, 5], values(4, 30))]);
    const a = w.node('Add', [w.weight('bias', [5], values(5, 5)), m]);
    const r = w.node('Relu', [a]);
    const m2 = w.node('MatMul', [r, w.weight('W2', [5, 3], values(6, 15))]);
    w.node('Add', [m2, w.weight('b2', [3], values(7, 3))], {}, ['logits']);
    w.output('logits', [null, 3]);
    const { error, kinds } = await compare(w, [2, 6]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
    assert.deepEqual(kinds, ['input', 'dense', 'relu', 'dense'], 'no affine node: both biases inside their Dense');
  });
});

describe('pooling', () => {
  // name, op, attributes, output height × width on the 7×7 map
  const cases: Array<[string, string, Record<string, Attr>, number]> = [
    ['MaxPool 3×3 stride 2, asymmetric pads [1, 0, 0, 1]', 'MaxPool', { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 0, 0, 1]) }, 9],
    ['MaxPool 2×2, default stride 1', 'MaxPool', { kernel_shape: ints([2, 2]) }, 36],
    ['MaxPool 2×2 stride 2, ceil_mode on 7×7', 'MaxPool', { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }, 16],
    ['MaxPool auto_pad SAME_UPPER', 'MaxPool', { kernel_shape: ints([2, 2]), strides: ints([2, 2]), auto_pad: str('SAME_UPPER') }, 16],
    ['AveragePool 3×3 stride 2, pads 1, count_include_pad 0 (ONNX default)', 'AveragePool', { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }, 16],
    ['AveragePool 3×3 stride 2, pads 1, count_include_pad 1 (PyTorch default)', 'AveragePool', { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) }, 16],
    ['AveragePool 2×2 stride 2, ceil_mode, count_include_pad 1, asymmetric pads', 'AveragePool', { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([0, 1, 1, 0]), ceil_mode: int(1), count_include_pad: int(1) }, 16],
  ];
  for (const [name, op, attrs, spatial] of cases) {
    test(name, async () => {
      // A conv with a negative bias first, so that some windows hold only negative values.
      const w = new OnnxModelWriter(13);
      const x = w.input('x', [null, 2, 7, 7]);
      const conv = w.node('Conv', [x, ...convWeights(w, 'c', 2, 2, 1, 1, 8)]);
      const pooled = w.node(op, [conv], attrs);
      const flat = w.node('Flatten', [pooled]);
      const gw = w.weight('fc.weight', [3, 2 * spatial], values(12, 6 * spatial));
      w.node('Gemm', [flat, gw], { transB: int(1) }, ['logits']);
      w.output('logits', [null, 3]);
      const { error } = await compare(w, [2, 2, 7, 7]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
    });
  }

  test('ceil_mode leaves out a last window that would start in the end padding (PyTorch, ONNX ≥ 1.14)', async () => {
    // 7 inputs, pads 1 + 1, window 2, stride 2, ceil: windows start at −1, 1, 3, 5 (4 of them); a fifth at
    // 7 would start in the end padding. PyTorch's MaxPool2d(2, 2, padding=1, ceil_mode=True) gives 4×4.
    // onnxruntime-web 1.20 computes that fifth window (5×5): its first 4×4 windows are the reference.
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 2, 7, 7]);
    const pooled = w.node('MaxPool', [x], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) });
    w.node('Flatten', [pooled], {}, ['map']);
    w.output('map');
    const file = w.save(path.join(tempModelDir('ceil'), 'model.onnx'));
    const input = Float32Array.from(values(3, 2 * 2 * 49, 1));
    const ort = await ortOutputs(fs.readFileSync(file), input, [2, 2, 7, 7]);
    assert.equal(ort.length, 2 * 2 * 25);
    const loaded = loadOnnxNetwork(file);
    try {
      const ours = engineLogits(loaded.network, nchwToNhwc(input, [2, 2, 7, 7]), 2);
      assert.equal(ours.length, 2 * 2 * 16);
      const expected: number[] = [];
      for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) for (let y = 0; y < 4; y++) for (let xx = 0; xx < 4; xx++) expected.push(ort[((b * 2 + c) * 5 + y) * 5 + xx]);
      assert.ok(relativeError(ours, expected) <= TOLERANCE);
    } finally {
      loaded.network.dispose();
    }
  });

  for (const [op, opset, keepdims] of [['ReduceMean', 13, 0], ['ReduceMax', 13, 1], ['ReduceMean', 18, 1]] as const) {
    test(`${op} over height and width (opset ${opset}, keepdims ${keepdims}), as x.mean((2, 3)) exports`, async () => {
      const w = new OnnxModelWriter(opset);
      const x = w.input('x', [null, 3, 5, 4]);
      const r = w.node('Relu', [x]);
      const reduced = opset >= 18 ? w.node(op, [r, w.ints('axes', [2, 3])], { keepdims: int(keepdims) }) : w.node(op, [r], { axes: ints([-2, -1]), keepdims: int(keepdims) });
      const flat = keepdims ? w.node('Flatten', [reduced]) : reduced;
      w.node('Gemm', [flat, w.weight('W', [3, 4], values(62, 12))], {}, ['logits']);
      w.output('logits');
      const { error, kinds } = await compare(w, [2, 3, 5, 4]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
      assert.ok(kinds.includes(op === 'ReduceMean' ? 'globalAvgPool' : 'globalMaxPool'), kinds.join(' '));
    });
  }

  for (const op of ['GlobalAveragePool', 'GlobalMaxPool']) {
    test(`${op} → Flatten → Gemm`, async () => {
      const w = classifier(13, [null, 3, 5, 4], (w, x) => ({ out: w.node(op, [w.node('Relu', [x])]), features: 3 }));
      const { error } = await compare(w, [2, 3, 5, 4]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
    });
  }
});

describe('shapes', () => {
  for (const opset of [9, 13]) {
    test(`x.view(x.size(0), -1) as Shape → Gather → Unsqueeze → Concat → Reshape (opset ${opset})`, async () => {
      const w = new OnnxModelWriter(opset);
      const x = w.input('x', [null, 2, 4, 3]);
      const c = w.node('Conv', [x, ...convWeights(w, 'c', 3, 2, 2, 2, 13)], { pads: ints([0, 0, 1, 1]) });
      const shape = w.node('Shape', [c]);
      const index = w.constant(int64Tensor('i', [], [0]));
      const batch = w.node('Gather', [shape, index], { axis: int(0) });
      const unsqueezed = opset >= 13 ? w.node('Unsqueeze', [batch, w.ints('axes0', [0])]) : w.node('Unsqueeze', [batch], { axes: ints([0]) });
      const minusOne = w.constant(int64Tensor('m', [1], [-1]));
      const target = w.node('Concat', [unsqueezed, minusOne], { axis: int(0) });
      const flat = w.node('Reshape', [c, target]);
      // C is required before opset 11.
      w.node('Gemm', [flat, w.weight('W', [4, 36], values(14, 144)), w.weight('C', [4], values(15, 4))], { transB: int(1) }, ['logits']);
      w.output('logits', [null, 4]);
      const { error, kinds } = await compare(w, [2, 2, 4, 3]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
      assert.deepEqual(kinds, ['input', 'conv2d', 'reshape', 'dense'], 'the shape chain is folded away, the transpose folded into the Dense');
    });
  }

  test('Reshape to a constant [−1, n], Squeeze and Unsqueeze of a 1×1 map, Transpose of an NHWC input (tf2onnx)', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 5, 4, 3]);
    const nchw = w.node('Transpose', [x], { perm: ints([0, 3, 1, 2]) });
    const c = w.node('Conv', [nchw, ...convWeights(w, 'c', 4, 3, 5, 4, 15)]); // → [N, 4, 1, 1]
    const squeezed = w.node('Squeeze', [c, w.ints('axes', [2, 3])]);
    const back = w.node('Unsqueeze', [squeezed, w.ints('axes2', [2])]);
    const flat = w.node('Reshape', [back, w.ints('target', [-1, 4])]);
    w.node('Gemm', [w.node('Relu', [flat]), w.weight('W', [4, 3], values(16, 12))], {}, ['logits']);
    w.output('logits', [null, 3]);
    const { error } = await compare(w, [2, 5, 4, 3], { nhwc: true });
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
  });

  test('Reshape of a vector back into an image [N, C, H, W] feeding a Conv', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 12]);
    const m = w.node('MatMul', [x, w.weight('W', [12, 18], values(17, 216))]);
    const img = w.node('Reshape', [w.node('Relu', [m]), w.ints('target', [0, 2, 3, 3])]);
    const c = w.node('Conv', [img, ...convWeights(w, 'c', 2, 2, 2, 2, 18)]);
    const flat = w.node('Flatten', [c]);
    w.node('Gemm', [flat, w.weight('W2', [8, 3], values(19, 24))], {}, ['logits']);
    w.output('logits', [null, 3]);
    const { error } = await compare(w, [2, 12]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
  });

  for (const [opset, style] of [[9, 'attributes'], [11, 'inputs'], [18, 'inputs with axes']] as const) {
    test(`Pad with constant 0 (opset ${opset}, pads as ${style}) before a Conv and an AveragePool`, async () => {
      const w = new OnnxModelWriter(opset);
      const x = w.input('x', [null, 2, 6, 5]);
      const pads = [0, 0, 1, 2, 0, 0, 0, 1]; // top 1, left 2, bottom 0, right 1
      let padded: string;
      if (opset < 11) padded = w.node('Pad', [x], { pads: ints(pads), mode: str('constant') });
      else if (opset < 18) padded = w.node('Pad', [x, w.ints('pads', pads)], { mode: str('constant') });
      else padded = w.node('Pad', [x, w.ints('pads', [1, 2, 0, 1]), '', w.ints('axes', [2, 3])], { mode: str('constant') });
      const pool = w.node('AveragePool', [padded], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
      const c = w.node('Conv', [pool, ...convWeights(w, 'c', 3, 2, 1, 1, 20)]);
      const flat = w.node('Flatten', [c]);
      w.node('Gemm', [flat, w.weight('W', [3 * 3 * 4, 4], values(21, 144)), w.weight('C', [4], values(22, 4))], {}, ['logits']);
      w.output('logits', [null, 4]);
      const { error } = await compare(w, [2, 2, 6, 5]);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
    });
  }
});

describe('normalisation, elementwise and graph ops', () => {
  test('BatchNormalization after a Conv (folded), after a Gemm (folded), on the input (affine) and on a tensor read twice (affine)', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 3, 5, 5]);
    const bn = (name: string, input: string, c: number, seed: number) =>
      w.node(
        'BatchNormalization',
        [
          input,
          w.weight(`${name}.scale`, [c], values(seed, c).map((v) => v + 1)),
          w.weight(`${name}.B`, [c], values(seed + 1, c)),
          w.weight(`${name}.mean`, [c], values(seed + 2, c)),
          w.weight(`${name}.var`, [c], values(seed + 3, c).map((v) => v + 0.8)),
        ],
        { epsilon: float(1e-3) },
      );
    const inputBn = bn('bn0', x, 3, 30);
    const conv = w.node('Conv', [inputBn, ...convWeights(w, 'c', 4, 3, 3, 3, 31)], { pads: ints([1, 1, 1, 1]) });
    const folded = bn('bn1', conv, 4, 32);
    const r = w.node('Relu', [folded]);
    const conv2 = w.node('Conv', [r, ...convWeights(w, 'c2', 4, 4, 1, 1, 33)]);
    // conv2's output is read by bn2 and by the Add: bn2 cannot fold into it and stays an affine map.
    const unfolded = bn('bn2', conv2, 4, 34);
    const sum = w.node('Add', [unfolded, conv2]);
    const flat = w.node('Flatten', [w.node('GlobalAveragePool', [sum])]);
    const g = w.node('Gemm', [flat, w.weight('W', [6, 4], values(35, 24))], { transB: int(1) });
    w.node('BatchNormalization', [g, w.weight('s', [6], values(36, 6).map((v) => v + 1)), w.weight('b', [6], values(37, 6)), w.weight('m', [6], values(38, 6)), w.weight('v', [6], values(39, 6).map((v) => v + 1))], {}, ['logits']);
    w.output('logits', [null, 6]);
    const { error, notes, kinds } = await compare(w, [2, 3, 5, 5]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
    assert.equal(notes.filter((n) => /folded into/.test(n) && /bn|BatchNorm/i.test(n)).length, 2, notes.join('; '));
    assert.equal(kinds.filter((k) => k === 'affine').length, 2, `the input BatchNorm and bn2 are affine maps: ${kinds.join(' ')}`);
  });

  test('Sub, Div, Mul and Add by constants (per channel [1, C, 1, 1], [C, 1, 1], scalar; c − x) as input maps', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 3, 4, 4]);
    const s = w.node('Sub', [x, w.weight('mean', [1, 3, 1, 1], [0.485, 0.456, 0.406])]);
    const d = w.node('Div', [s, w.weight('std', [3, 1, 1], [0.229, 0.224, 0.225])]);
    const m = w.node('Mul', [w.weight('two', [], [2]), d]);
    const a = w.node('Add', [m, w.weight('shift', [1], [0.1])]);
    const r = w.node('Sub', [w.weight('one', [1, 1, 1, 1], [1]), a]);
    const c = w.node('Conv', [r, ...convWeights(w, 'c', 2, 3, 3, 3, 40)]);
    const flat = w.node('Flatten', [c]);
    w.node('Gemm', [flat, w.weight('W', [8, 3], values(41, 24))], {}, ['logits']);
    w.output('logits', [null, 3]);
    const { error, kinds } = await compare(w, [2, 3, 4, 4]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
    assert.equal(kinds[1], 'affine');
  });

  test('residual Add, Sum of three, Concat on channels and on height, Dropout and Identity', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 2, 4, 4]);
    const a = w.node('Relu', [w.node('Conv', [x, ...convWeights(w, 'a', 2, 2, 3, 3, 50)], { pads: ints([1, 1, 1, 1]) })]);
    const res = w.node('Add', [a, x]);
    const b = w.node('Conv', [res, ...convWeights(w, 'b', 2, 2, 1, 1, 51)]);
    const three = w.node('Sum', [res, b, w.node('Identity', [a])]);
    const dropped = w.node('Dropout', [three], {}, ['drop', 'mask']);
    const channels = w.node('Concat', [dropped, b], { axis: int(1) }); // [N, 4, 4, 4]
    const tall = w.node('Concat', [channels, channels], { axis: int(-2) }); // [N, 4, 8, 4]
    const flat = w.node('Flatten', [tall]);
    w.node('Gemm', [flat, w.weight('W', [3, 128], values(52, 384))], { transB: int(1) }, ['logits']);
    w.output('logits', [null, 3]);
    const { error } = await compare(w, [2, 2, 4, 4]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
  });

  for (const op of ['Softmax', 'LogSoftmax']) {
    test(`a final ${op} is dropped: the engine's logits through ${op} equal onnxruntime's output`, async () => {
      const w = new OnnxModelWriter(13);
      const x = w.input('x', [null, 6]);
      const g = w.node('Gemm', [x, w.weight('W', [6, 4], values(60, 24)), w.weight('b', [4], values(61, 4))]);
      w.node(op, [g], { axis: int(1) }, ['probs']);
      w.output('probs', [null, 4]);
      const post = (logits: Float32Array, batch: number) => {
        const out = new Float32Array(logits.length);
        const k = logits.length / batch;
        for (let i = 0; i < batch; i++) {
          const row = logits.subarray(i * k, (i + 1) * k);
          const max = Math.max(...row);
          const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
          row.forEach((v, j) => (out[i * k + j] = op === 'Softmax' ? Math.exp(v - max) / sum : v - max - Math.log(sum)));
        }
        return out;
      };
      const { error, notes } = await compare(w, [2, 6], { post });
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
      assert.ok(notes.some((n) => /softmax .* dropped/i.test(n)), notes.join('; '));
    });
  }
});

describe('softmax inside the network', () => {
  test('over the channels of an image (axis 1) and the last axis of a matrix: a softmax node, onnxruntime\'s logits', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 3, 4, 4]);
    const conv = w.node('Conv', [x, w.weight('k', [4, 3, 1, 1], values(62, 12, 2))]);
    const channels = w.node('Softmax', [conv], { axis: int(1) });
    const flat = w.node('Flatten', [channels]);
    const g = w.node('Gemm', [flat, w.weight('W', [64, 6], values(63, 384))]);
    const rows = w.node('Softmax', [g], {});
    w.node('Gemm', [rows, w.weight('W2', [6, 3], values(64, 18, 3))], {}, ['logits']);
    w.output('logits', [null, 3]);
    const { error, kinds } = await compare(w, [2, 3, 4, 4]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
    assert.equal(kinds.filter((k) => k === 'softmax').length, 2);
  });

  test('over another axis, and a log-softmax inside the network: one line each', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 3, 4, 4]);
    const s = w.node('Softmax', [x], { axis: int(2) }, ['rows'], 'soft');
    w.node('Gemm', [w.node('Flatten', [s]), w.weight('W', [48, 2], values(65, 96))], {}, ['logits']);
    w.output('logits', [null, 2]);
    await assert.rejects(compare(w, [1, 3, 4, 4]), /node "soft" \(Softmax\) normalises over axis 2 of a rank-4 tensor; only its last axis \(an image's channels\) is supported/);
    const v = new OnnxModelWriter(13);
    const y = v.input('x', [null, 6]);
    const l = v.node('LogSoftmax', [v.node('Gemm', [y, v.weight('W', [6, 4], values(66, 24))])], { axis: int(1) }, ['ls'], 'logsoft');
    v.node('Gemm', [l, v.weight('W2', [4, 2], values(67, 8))], {}, ['logits']);
    v.output('logits', [null, 2]);
    await assert.rejects(compare(v, [1, 6]), /node "logsoft" \(softmax\) is not the final node; a log-softmax is only supported at the output/);
  });
});

describe('weights: storage and types', () => {
  test('float16 and double initializers behind Cast, weights in typed fields, a Constant node as weight', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 2, 4, 4]);
    const T = { FLOAT: 1 };
    const half = w.initializer(floatTensor('w16', [3, 2, 3, 3], values(70, 54), 'float16'));
    const weight = w.node('Cast', [half], { to: int(T.FLOAT) });
    const bias = w.node('Cast', [w.initializer(floatTensor('b64', [3], values(71, 3), 'double'))], { to: int(T.FLOAT) });
    const c = w.node('Conv', [x, weight, bias]);
    const flat = w.node('Flatten', [c]);
    const gw = w.constant(floatTensor('gw', [12, 2], values(72, 24), 'field'));
    w.node('Gemm', [flat, gw, w.initializer(floatTensor('gb', [2], values(73, 2), 'field'))], {}, ['logits']);
    w.output('logits', [null, 2]);
    const { error } = await compare(w, [2, 2, 4, 4]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
  });

  test('weights in an external data file beside the model give the same logits as inline weights', async () => {
    const dir = tempModelDir('external');
    const build = (external: boolean) => {
      const w = new OnnxModelWriter(13);
      const x = w.input('x', [null, 4]);
      const data = Float32Array.from(values(80, 12));
      const t = floatTensor('W', [4, 3], data);
      if (external) {
        fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(data.buffer)]));
        w.initializer({ name: 'W', dims: [4, 3], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '16' }, { key: 'length', value: '48' }] });
      } else w.initializer(t);
      w.node('Gemm', [x, 'W'], {}, ['logits']);
      w.output('logits', [null, 3]);
      return w;
    };
    const inline = await compare(build(false), [2, 4]);
    assert.ok(inline.error <= TOLERANCE);
    const externalFile = build(true).save(path.join(dir, 'model.onnx'));
    const loaded = loadOnnxNetwork(externalFile);
    try {
      assert.deepEqual(loaded.files, [externalFile, path.join(dir, 'weights.bin')]);
      const x = Float32Array.from(values(11, 8, 1));
      const inlineLoaded = build(false).save(path.join(dir, 'inline.onnx'));
      const reference = loadOnnxNetwork(inlineLoaded);
      assert.deepEqual(Array.from(engineLogits(loaded.network, x, 2)), Array.from(engineLogits(reference.network, x, 2)));
      reference.network.dispose();
    } finally {
      loaded.network.dispose();
    }
  });

  test('opset 21 (IR version 10) loads and matches', async () => {
    const w = classifier(21, [null, 1, 6, 6], (w, x) => ({ out: w.node('Relu', [w.node('Conv', [x, ...convWeights(w, 'c', 2, 1, 3, 3, 90)])]), features: 32 }));
    const { error } = await compare(w, [2, 1, 6, 6]);
    assert.ok(error <= TOLERANCE, `relative error ${error}`);
  });
});

describe('models exported by PyTorch (test/fixtures/onnx): logits equal onnxruntime and PyTorch', () => {
  const FIXTURES = path.resolve(__dirname, '../../../fixtures/onnx');
  const cases: Array<[string, string]> = [
    ['mnist-view-flatten-opset9.onnx', 'mnist-view-flatten.reference.json'],
    ['mnist-view-flatten-opset17.onnx', 'mnist-view-flatten.reference.json'],
    ['pytorch-ops.onnx', 'pytorch-ops.reference.json'],
  ];
  for (const [model, referenceFile] of cases) {
    test(model, async () => {
      const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, referenceFile), 'utf8')) as { inputShape: number[]; inputs: number[]; outputs: number[]; logits?: number[] };
      const x = Float32Array.from(reference.inputs);
      const ort = await ortOutputs(fs.readFileSync(path.join(FIXTURES, model)), x, reference.inputShape);
      const loaded = loadOnnxNetwork(path.join(FIXTURES, model));
      try {
        const logits = engineLogits(loaded.network, nchwToNhwc(x, reference.inputShape), reference.inputShape[0]);
        // pytorch-ops ends with a softmax: the engine's logits are PyTorch's pre-softmax values.
        assert.ok(relativeError(logits, reference.logits ?? reference.outputs) <= TOLERANCE);
        if (!reference.logits) assert.ok(relativeError(logits, ort) <= TOLERANCE);
        else assert.ok(relativeError(ort, reference.outputs) <= TOLERANCE, 'onnxruntime agrees with PyTorch');
      } finally {
        loaded.network.dispose();
      }
    });
  }

  test('the shapes ResNet (residual RGB, projection, concat, avg pool, BatchNorm1d) on its card-normalised test images', async () => {
    const dir = path.join(FIXTURES, 'shapes-resnet');
    const reference = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as { inputShape: number[]; pixels: number[]; outputs: number[] };
    const card = JSON.parse(fs.readFileSync(path.join(dir, 'card.json'), 'utf8')) as { mean: number[]; std: number[] };
    const [n, c, h, w] = reference.inputShape;
    // Pixels are N, H, W, 3: x/255, then (x − mean) / std per channel, as METHODS.md says.
    const nhwc = Float32Array.from(reference.pixels, (v, i) => (v / 255 - card.mean[i % 3]) / card.std[i % 3]);
    const nchw = new Float32Array(nhwc.length);
    for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) nchw[((b * c + ch) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + ch];
    const ort = await ortOutputs(fs.readFileSync(path.join(dir, 'shapes-resnet.onnx')), nchw, reference.inputShape);
    const loaded = loadOnnxNetwork(path.join(dir, 'shapes-resnet.onnx'));
    try {
      const logits = engineLogits(loaded.network, nhwc, n);
      assert.ok(relativeError(logits, ort) <= TOLERANCE, `vs onnxruntime: ${relativeError(logits, ort)}`);
      assert.ok(relativeError(logits, reference.outputs) <= TOLERANCE, `vs PyTorch: ${relativeError(logits, reference.outputs)}`);
      const kinds = loaded.network.nodes.map((node) => node.kind);
      assert.equal(kinds.filter((k) => k === 'add').length, 2);
      assert.equal(kinds.filter((k) => k === 'concat').length, 1);
      assert.ok(loaded.notes.some((note) => /BatchNormalization .* folded into "\/fc1\/Gemm"/.test(note)), loaded.notes.join('; '));
    } finally {
      loaded.network.dispose();
    }
  });
});
