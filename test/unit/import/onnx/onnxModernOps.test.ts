// Each modern-CNN op and pattern of the ONNX front end against onnxruntime-web on the same model and input
// (1e-5 relative), with the node kinds it becomes: activations written out in every association order torch
// and hand-written models use (opsets 11–21), Resize/Upsample in every coordinate and rounding mode,
// ConvTranspose (strides, output padding, groups, dilation, output_shape, auto_pad, bias from an Add),
// Slice/Split/Gather of activations, the channel shuffle, LayerNormalization at every axis, InstanceNormalization,
// a shape chain of a dynamic export (Shape, Gather, Equal, Where, Expand, ConstantOfShape, Range) folded.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import type { ActivationFn } from '../../../../src/engine/graph/nodes';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import * as path from 'path';
import { tempModelDir } from '../../model/savedModels';
import { activationBetweenGemms, compareWithOnnxruntime, values } from './activationCompare';
import { float, int, ints, OnnxModelWriter, str, type Attr } from './onnxWriter';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

type Spell = (w: OnnxModelWriter, z: string, c: (v: number) => string) => string;

/** A scalar constant as torch writes it: a Constant node. */
const constantOf = (w: OnnxModelWriter) => (v: number) => w.node('Constant', [], { value: { t: { dims: [], dataType: 1, rawData: new Uint8Array(Float32Array.of(v).buffer) } } });

const relu6 = (w: OnnxModelWriter, v: string, c: (v: number) => string, opset: number) =>
  opset >= 11 ? w.node('Clip', [v, c(0), c(6)]) : w.node('Clip', [v], { min: float(0), max: float(6) });

const SPELLINGS: Array<{ name: string; fn: ActivationFn; spell: (opset: number) => Spell }> = [
  { name: "SiLU: Mul(x, Sigmoid(x)) (torch's nn.SiLU)", fn: 'silu', spell: () => (w, z) => w.node('Mul', [z, w.node('Sigmoid', [z])]) },
  { name: 'SiLU: Mul(Sigmoid(x), x)', fn: 'silu', spell: () => (w, z) => w.node('Mul', [w.node('Sigmoid', [z]), z]) },
  { name: "hard swish: Mul(x, HardSigmoid(x, α 1/6)) (torch's nn.Hardswish below opset 14)", fn: 'hardSwish', spell: () => (w, z) => w.node('Mul', [z, w.node('HardSigmoid', [z], { alpha: float(1 / 6) })]) },
  { name: 'hard swish: Mul(HardSigmoid(x), x)', fn: 'hardSwish', spell: () => (w, z) => w.node('Mul', [w.node('HardSigmoid', [z], { alpha: float(1 / 6) }), z]) },
  { name: 'hard swish: Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)', fn: 'hardSwish', spell: (o) => (w, z, c) => w.node('Div', [w.node('Mul', [z, relu6(w, w.node('Add', [z, c(3)]), c, o)]), c(6)]) },
  { name: "hard swish: x·F.relu6(x + 3)/6 as torch exports it (Relu, then Clip)", fn: 'hardSwish', spell: (o) => (w, z, c) => w.node('Div', [w.node('Mul', [z, relu6(w, w.node('Relu', [w.node('Add', [z, c(3)])]), c, o)]), c(6)]) },
  { name: 'hard swish: Mul(x, Div(Clip(Add(3, x), 0, 6), 6))', fn: 'hardSwish', spell: (o) => (w, z, c) => w.node('Mul', [z, w.node('Div', [relu6(w, w.node('Add', [c(3), z]), c, o), c(6)])]) },
  { name: 'hard swish: Mul(Mul(Clip(x + 3), x), 1/6)', fn: 'hardSwish', spell: (o) => (w, z, c) => w.node('Mul', [w.node('Mul', [relu6(w, w.node('Add', [z, c(3)]), c, o), z]), c(1 / 6)]) },
  { name: 'hard sigmoid: Div(Clip(Add(x, 3), 0, 6), 6)', fn: 'hardSigmoid', spell: (o) => (w, z, c) => w.node('Div', [relu6(w, w.node('Add', [z, c(3)]), c, o), c(6)]) },
  {
    name: "GELU: Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), 0.5) (torch's nn.GELU)",
    fn: 'gelu',
    spell: () => (w, z, c) => w.node('Mul', [w.node('Mul', [z, w.node('Add', [w.node('Erf', [w.node('Div', [z, c(Math.SQRT2)])]), c(1)])]), c(0.5)]),
  },
  {
    name: 'GELU: Mul(Mul(0.5, x), Add(1, Erf(Mul(x, 1/√2))))',
    fn: 'gelu',
    spell: () => (w, z, c) => w.node('Mul', [w.node('Mul', [c(0.5), z]), w.node('Add', [c(1), w.node('Erf', [w.node('Mul', [z, c(Math.SQRT1_2)])])])]),
  },
  {
    name: 'GELU: Mul(x, Mul(Add(Erf(Div(x, √2)), 1), 0.5))',
    fn: 'gelu',
    spell: () => (w, z, c) => w.node('Mul', [z, w.node('Mul', [w.node('Add', [w.node('Erf', [w.node('Div', [z, c(Math.SQRT2)])]), c(1)]), c(0.5)])]),
  },
  {
    name: "GELU tanh form as torch writes it (F.gelu(approximate='tanh'))",
    fn: 'geluTanh',
    spell: () => (w, z, c) => {
      const cube = w.node('Mul', [z, w.node('Mul', [z, z])]);
      const inner = w.node('Mul', [c(Math.sqrt(2 / Math.PI)), w.node('Add', [z, w.node('Mul', [c(0.044715), cube])])]);
      return w.node('Mul', [c(0.5), w.node('Mul', [z, w.node('Add', [c(1), w.node('Tanh', [inner])])])]);
    },
  },
  {
    name: 'GELU tanh form with Pow(x, 3)',
    fn: 'geluTanh',
    spell: () => (w, z, c) => {
      const inner = w.node('Mul', [w.node('Add', [z, w.node('Mul', [w.node('Pow', [z, c(3)]), c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
      return w.node('Mul', [w.node('Mul', [z, c(0.5)]), w.node('Add', [w.node('Tanh', [inner]), c(1)])]);
    },
  },
];

describe('activations written out are one activation node, in every association order', () => {
  for (const { name, fn, spell } of SPELLINGS) {
    test(name, async () => {
      for (const opset of [11, 13, 17, 21]) {
        const w = activationBetweenGemms(opset, (w, z) => spell(opset)(w, z, constantOf(w)));
        const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], `written-${fn}-${opset}`);
        assert.ok(error <= 1e-5, `opset ${opset}: relative error ${error}`);
        assert.deepEqual(kinds, ['input', 'dense', 'activation', 'dense'], `opset ${opset}`);
        const { network } = loadOnnxNetwork(w.save(path.join(tempModelDir('written'), `${fn}-${opset}.onnx`)));
        const act = network.nodes[2];
        assert.equal(act.kind === 'activation' && act.fn, fn, `opset ${opset}`);
        network.dispose();
      }
    });
  }

  test('elementwise chains that are no known activation stay as they are', async () => {
    // x·σ(2x) (a Swish with β = 2) is a product of two activations, not SiLU; relu(x)·x is a product too.
    const w = activationBetweenGemms(13, (w, z) => {
      const c = constantOf(w);
      return w.node('Add', [w.node('Mul', [z, w.node('Sigmoid', [w.node('Mul', [z, c(2)])])]), w.node('Mul', [w.node('Relu', [z]), z])]);
    });
    const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], 'not-written');
    assert.ok(error <= 1e-5, `relative error ${error}`);
    assert.equal(kinds.filter((k) => k === 'product').length, 2, kinds.join(' '));
  });
});

/** x [N, 3, 5, 6] → conv 3×3 → ReLU → `op` → flatten → Gemm to 3 logits (the Gemm sized from ONNX's shape). */
function imageModel(opset: number, op: (w: OnnxModelWriter, z: string) => string, outFeatures: number): OnnxModelWriter {
  const w = new OnnxModelWriter(opset);
  const x = w.input('x', [null, 3, 5, 6]);
  const z = w.node('Relu', [w.node('Conv', [x, w.weight('K', [4, 3, 3, 3], values(91, 108, 0.6)), w.weight('B', [4], values(92, 4, 0.3))], { pads: ints([1, 1, 1, 1]) })]);
  const flat = w.node('Flatten', [op(w, z)]);
  // (Opset 9's Gemm needs its C: onnxruntime aborts without it.)
  w.node('Gemm', [flat, w.weight('W', [3, outFeatures], values(93, 3 * outFeatures, 0.3)), w.weight('C', [3], [0.1, -0.1, 0.2])], { transB: int(1) }, ['logits']);
  w.output('logits');
  return w;
}

/** Engine vs onnxruntime; `expectedKind` among the nodes; with `noTranspose`, no representation change left. */
async function expectImageModel(name: string, w: OnnxModelWriter, expectedKind: string | null, noTranspose = false): Promise<string[]> {
  const { error, kinds } = await compareWithOnnxruntime(w, [2, 3, 5, 6], name, 'onnx-modern-ops');
  assert.ok(error <= 1e-5, `${name}: relative error ${error}`);
  if (expectedKind) assert.ok(kinds.includes(expectedKind), `${name}: ${kinds.join(' ')}`);
  if (noTranspose) assert.ok(!kinds.some((k) => k === 'transpose'), `${name}: no transpose: ${kinds.join(' ')}`);
  return kinds;
}

describe('Resize and Upsample against onnxruntime', () => {
  const cases: Array<[string, number, Record<string, Attr>, { scales?: number[]; sizes?: number[] }, number]> = [
    ['nearest ×2, asymmetric, floor (nn.Upsample)', 13, { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') }, { scales: [1, 1, 2, 2] }, 4 * 10 * 12],
    ['nearest to 7×9, half_pixel, round_prefer_floor', 13, { mode: str('nearest') }, { sizes: [2, 4, 7, 9] }, 4 * 63],
    ['nearest to 8×4, half_pixel, round_prefer_ceil', 18, { mode: str('nearest'), nearest_mode: str('round_prefer_ceil') }, { sizes: [2, 4, 8, 4] }, 4 * 32],
    ['nearest ×1.5, ceil, pytorch_half_pixel', 11, { mode: str('nearest'), nearest_mode: str('ceil'), coordinate_transformation_mode: str('pytorch_half_pixel') }, { scales: [1, 1, 1.5, 1.5] }, 4 * 7 * 9],
    ['linear to 9×11, half_pixel (F.interpolate bilinear)', 13, { mode: str('linear') }, { sizes: [2, 4, 9, 11] }, 4 * 99],
    ['linear ×2, align_corners', 11, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') }, { scales: [1, 1, 2, 2] }, 4 * 10 * 12],
    ['linear to 3×4 (shrink), pytorch_half_pixel', 13, { mode: str('linear'), coordinate_transformation_mode: str('pytorch_half_pixel') }, { sizes: [2, 4, 3, 4] }, 4 * 12],
    ['linear ×2, asymmetric', 17, { mode: str('linear'), coordinate_transformation_mode: str('asymmetric') }, { scales: [1, 1, 2, 2] }, 4 * 10 * 12],
  ];
  for (const [name, opset, attrs, { scales, sizes }, features] of cases) {
    test(`Resize ${name}, opset ${opset}`, async () => {
      const w = imageModel(opset, (w, z) => w.node('Resize', [z, opset >= 13 ? '' : w.weight('roi', [0], []), scales ? w.weight('scales', [4], scales) : opset >= 13 ? '' : w.weight('noscales', [0], []), ...(sizes ? [w.ints('sizes', sizes)] : [])], attrs), features);
      await expectImageModel(`resize-${opset}-${features}-${name.length}`, w, 'resize', true);
    });
  }
  test('Upsample (opset 9) nearest and linear, Resize (opset 10) nearest', async () => {
    for (const mode of ['nearest', 'linear']) {
      await expectImageModel(`upsample-${mode}`, imageModel(9, (w, z) => w.node('Upsample', [z, w.weight('scales', [4], [1, 1, 2, 3])], { mode: str(mode) }), 4 * 10 * 18), 'resize');
    }
    await expectImageModel('resize-10', imageModel(10, (w, z) => w.node('Resize', [z, w.weight('scales', [4], [1, 1, 2, 2])], { mode: str('nearest') }), 4 * 10 * 12), 'resize');
  });
});

describe('ConvTranspose against onnxruntime', () => {
  const convT = (attrs: Record<string, Attr>, weightDims: number[], bias: boolean) => (w: OnnxModelWriter, z: string) =>
    w.node('ConvTranspose', [z, w.weight('KT', weightDims, values(95, weightDims.reduce((a, b) => a * b, 1), 0.5)), ...(bias ? [w.weight('BT', [weightDims[1] * ((attrs.group as { i: number } | undefined)?.i ?? 1)], values(96, 8, 0.2).slice(0, weightDims[1] * ((attrs.group as { i: number } | undefined)?.i ?? 1)))] : [])], attrs);
  const cases: Array<[string, Record<string, Attr>, number[], boolean, number]> = [
    ['3×3 stride 2, pads 1, output padding 1 (nn.ConvTranspose2d)', { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) }, [4, 3, 3, 3], true, 3 * 10 * 12],
    ['2×2 stride 2, no bias', { strides: ints([2, 2]) }, [4, 2, 2, 2], false, 2 * 10 * 12],
    ['3×3 in 2 groups, dilation 2, asymmetric pads', { group: int(2), dilations: ints([2, 2]), pads: ints([1, 0, 2, 1]) }, [4, 2, 3, 3], true, 4 * 6 * 9],
    ['4×4 stride (2, 3) with output_shape', { strides: ints([2, 3]), output_shape: ints([9, 16]) }, [4, 3, 4, 4], true, 3 * 9 * 16],
    ['3×3 stride 2, auto_pad SAME_UPPER', { strides: ints([2, 2]), auto_pad: str('SAME_UPPER') }, [4, 3, 3, 3], true, 3 * 10 * 12],
  ];
  for (const [name, attrs, dims, bias, features] of cases) {
    test(name, async () => {
      await expectImageModel(`convT-${features}-${name.length}`, imageModel(13, convT(attrs, dims, bias), features), 'convTranspose', true);
    });
  }
  test('a bias given by a following Add is the transposed convolution’s own (no affine node)', async () => {
    const kinds = await expectImageModel('convT-add', imageModel(13, (w, z) => w.node('Add', [convT({ strides: ints([2, 2]) }, [4, 3, 2, 2], false)(w, z), w.weight('bias', [1, 3, 1, 1], [0.1, -0.2, 0.3])]), 3 * 10 * 12), 'convTranspose');
    assert.ok(!kinds.includes('affine'), kinds.join(' '));
  });
});

describe('Slice, Split, Gather on activations; the channel shuffle', () => {
  const cases: Array<[string, number, (w: OnnxModelWriter, z: string) => string, number, string | null]> = [
    ['Slice of channels 1…2 (x[:, 1:3])', 13, (w, z) => w.node('Slice', [z, w.ints('st', [1]), w.ints('en', [3]), w.ints('ax', [1])]), 2 * 30, 'gather'],
    ['Slice of every 2nd row and the last 4 columns reversed', 13, (w, z) => w.node('Slice', [z, w.ints('st', [0, -1]), w.ints('en', [100, -5]), w.ints('ax', [2, 3]), w.ints('sp', [2, -1])]), 4 * 3 * 4, 'gather'],
    ['Slice at opset 9 (attributes)', 9, (w, z) => w.node('Slice', [z], { starts: ints([2]), ends: ints([4]), axes: ints([1]) }), 2 * 30, 'gather'],
    ['Split in halves (opset 13, sizes input), second half used', 13, (w, z) => w.node('Split', [z, w.ints('split', [2, 2])], { axis: int(1) }, ['s0', 's1'])[0] && 's1', 2 * 30, 'gather'],
    ['Split opset 11 (attribute), first part', 11, (w, z) => w.node('Split', [z], { axis: int(1), split: ints([1, 3]) }, ['s0', 's1']), 1 * 30, 'gather'],
    ['Split opset 18 num_outputs 2', 18, (w, z) => (w.node('Split', [z], { axis: int(1), num_outputs: int(2) }, ['s0', 's1']), 's1'), 2 * 30, 'gather'],
    ['Gather of channels [3, 0] and of one row (drops the axis)', 13, (w, z) => w.node('Gather', [w.node('Gather', [z, w.ints('ch', [3, 0])], { axis: int(1) }), w.initializer({ name: 'row', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([-1n]).buffer) })], { axis: int(2) }), 2 * 6, 'gather'],
  ];
  for (const [name, opset, op, features, kind] of cases) {
    test(name, async () => {
      await expectImageModel(`pick-${opset}-${name.length}`, imageModel(opset, op, features), kind);
    });
  }

  test("the channel shuffle as torch exports it (shapes from Shape, Gather, Div, Cast, Unsqueeze, Concat) is one permutation", async () => {
    const w = imageModel(13, (w, z) => {
      const dim = (i: number) => w.node('Unsqueeze', [w.node('Gather', [w.node('Shape', [z]), w.initializer({ name: `i${i}`, dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([BigInt(i)]).buffer) })], { axis: int(0) }), w.ints(`ax${i}`, [0])]);
      const perGroup = w.node('Unsqueeze', [w.node('Cast', [w.node('Div', [w.node('Gather', [w.node('Shape', [z]), w.initializer({ name: 'c1', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([1n]).buffer) })], { axis: int(0) }), w.initializer({ name: 'two', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([2n]).buffer) })])], { to: int(7) }), w.ints('axg', [0])]);
      const split = w.node('Reshape', [z, w.node('Concat', [dim(0), w.ints('g', [2]), perGroup, dim(2), dim(3)], { axis: int(0) })]);
      const swapped = w.node('Transpose', [split], { perm: ints([0, 2, 1, 3, 4]) });
      return w.node('Reshape', [swapped, w.node('Concat', [dim(0), w.ints('m1', [-1]), dim(2), dim(3)], { axis: int(0) })]);
    }, 4 * 30);
    const kinds = await expectImageModel('shuffle', w, 'gather', true);
    assert.equal(kinds.filter((k) => k === 'gather').length, 1, kinds.join(' '));
  });
});

describe('normalisations against onnxruntime', () => {
  test('LayerNormalization (opset 17) over the last axis, over every axis but the batch, and on a vector', async () => {
    await expectImageModel('ln-last', imageModel(17, (w, z) => w.node('LayerNormalization', [z, w.weight('g', [6], values(97, 6, 1)), w.weight('b', [6], values(98, 6, 0.3))], { axis: int(-1), epsilon: float(1e-5) }), 4 * 30), 'layerNorm');
    await expectImageModel('ln-all', imageModel(17, (w, z) => w.node('LayerNormalization', [z, w.weight('g', [4, 5, 6], Array.from({ length: 120 }, (_, i) => 0.5 + Math.floor(i / 30) * 0.25))], { axis: int(1) }), 4 * 30), 'layerNorm');
    const w = activationBetweenGemms(17, (w, z) => w.node('LayerNormalization', [z, w.weight('g', [8], values(99, 8, 1)), w.weight('b', [8], values(100, 8, 0.3))], { epsilon: float(1e-6) }));
    const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], 'ln-vector');
    assert.ok(error <= 1e-5, `relative error ${error}`);
    assert.deepEqual(kinds, ['input', 'dense', 'layerNorm', 'dense']);
  });

  test('InstanceNormalization of an image (a GroupNorm with a group per channel)', async () => {
    await expectImageModel('instance', imageModel(13, (w, z) => w.node('InstanceNormalization', [z, w.weight('s', [4], values(101, 4, 1)), w.weight('b', [4], values(102, 4, 0.3))], { epsilon: float(1e-5) }), 4 * 30), 'layerNorm', true);
  });

  test('LayerNorm written out over every axis (torch nn.LayerNorm([C, H, W]) below opset 17)', async () => {
    const w = imageModel(13, (w, z) => {
      const c = constantOf(w);
      const axes = { axes: ints([1, 2, 3]) };
      const d = w.node('Sub', [z, w.node('ReduceMean', [z], axes)]);
      return w.node('Div', [d, w.node('Sqrt', [w.node('Add', [w.node('ReduceMean', [w.node('Pow', [d, c(2)])], axes), c(1e-5)])])]);
    }, 4 * 30);
    await expectImageModel('ln-written-all', w, 'layerNorm', true);
  });
});

describe('a shape chain of a dynamic export, folded at load', () => {
  test('Reshape to [N, -1] with its target from Shape, Equal, Where, Expand, ConstantOfShape, Range, ReduceProd', async () => {
    const w = imageModel(13, (w, z) => {
      const shape = w.node('Shape', [z]);
      // [N, C·H·W] as Concat(Gather(shape, 0), ReduceProd(Slice(shape, 1:))) with a Where(Equal(…)) around it.
      const rest = w.node('ReduceProd', [w.node('Slice', [shape, w.ints('one', [1]), w.ints('big', [100])])], { keepdims: int(1) });
      const target = w.node('Concat', [w.node('Slice', [shape, w.ints('zero', [0]), w.ints('one2', [1])]), rest], { axis: int(0) });
      const minusOne = w.node('ConstantOfShape', [w.ints('two', [2])], { value: { t: { dims: [1], dataType: 7, rawData: new Uint8Array(new BigInt64Array([-1n]).buffer) } } });
      const cleaned = w.node('Where', [w.node('Equal', [target, minusOne]), w.node('Expand', [w.ints('ones', [1]), w.ints('two2', [2])]), target]);
      const positions = w.node('Range', [w.initializer({ name: 's0', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([0n]).buffer) }), w.initializer({ name: 's1', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([2n]).buffer) }), w.initializer({ name: 's2', dims: [], dataType: 7, rawData: new Uint8Array(new BigInt64Array([1n]).buffer) })]);
      const same = w.node('Gather', [cleaned, positions], { axis: int(0) });
      const flat = w.node('Reshape', [z, same]);
      return w.node('Reshape', [flat, w.ints('back', [0, 4, 5, 6])]);
    }, 4 * 30);
    await expectImageModel('shape-chain', w, null);
  });
});
