// ONNX Sigmoid, Tanh, Softplus, HardSigmoid, HardSwish, Elu, Gelu (opset 20, erf and tanh) and PRelu
// (scalar, [C], [C, 1, 1] slopes) against onnxruntime-web on the same model and input, and the node kinds
// they become; a bad Gelu attribute as one line naming the file.
import assert from 'node:assert/strict';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { UserError } from '../../../../src/engine/errors';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { tempModelDir } from '../../model/savedModels';
import { activationBetweenGemms, compareWithOnnxruntime, values } from './activationCompare';
import { float, int, ints, OnnxModelWriter, str, type Attr } from './onnxWriter';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

describe('smooth activations against onnxruntime', () => {
  const ops: Array<[string, number, string, Record<string, Attr>]> = [
    ['Sigmoid', 13, 'Sigmoid', {}],
    ['Tanh', 13, 'Tanh', {}],
    ['Softplus', 13, 'Softplus', {}],
    ['HardSigmoid, ONNX defaults (0.2, 0.5)', 13, 'HardSigmoid', {}],
    ['HardSigmoid, torch (1/6, 0.5)', 13, 'HardSigmoid', { alpha: float(1 / 6), beta: float(0.5) }],
    ['HardSwish', 14, 'HardSwish', {}],
    ['Elu, default α 1', 13, 'Elu', {}],
    ['Elu, α 0.4', 13, 'Elu', { alpha: float(0.4) }],
  ];
  for (const [name, opset, op, attrs] of ops) {
    test(name, async () => {
      const { error, kinds } = await compareWithOnnxruntime(activationBetweenGemms(opset, (w, z) => w.node(op, [z], attrs)), [2, 6], `${op}-${Object.keys(attrs).length}`);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      assert.deepEqual(kinds, ['input', 'dense', 'activation', 'dense']);
    });
  }

  test('Mul(x, Sigmoid(x)) in either order (torch’s SiLU export) is one SiLU node', async () => {
    for (const sigmoidFirst of [false, true]) {
      const w = activationBetweenGemms(13, (w, z) => {
        const s = w.node('Sigmoid', [z]);
        return w.node('Mul', sigmoidFirst ? [s, z] : [z, s]);
      });
      const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], `silu-${sigmoidFirst}`);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      assert.deepEqual(kinds, ['input', 'dense', 'activation', 'dense']);
    }
  });

  test('PRelu with a scalar slope and one per feature ([C])', async () => {
    for (const slope of [[0.25], values(9, 8, 0.5)]) {
      const w = activationBetweenGemms(13, (w, z) => w.node('PRelu', [z, w.weight('slope', [slope.length], slope)]));
      const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], `prelu-${slope.length}`);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      assert.deepEqual(kinds, ['input', 'dense', 'prelu', 'dense']);
    }
  });

  test('PRelu after a Conv with torch’s [C, 1, 1] slope, then a Sigmoid and a Tanh on the maps', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 3, 5, 5]);
    const c = w.node('Conv', [x, w.weight('K', [4, 3, 3, 3], values(81, 108, 1)), w.weight('B', [4], values(82, 4, 0.3))], { pads: ints([1, 1, 1, 1]) });
    const p = w.node('PRelu', [c, w.weight('slope', [4, 1, 1], [0.25, -0.1, 0.5, 0.05])]);
    const s = w.node('Sigmoid', [w.node('Conv', [p, w.weight('K2', [4, 4, 1, 1], values(83, 16, 1))])]);
    const t = w.node('Tanh', [s]);
    const flat = w.node('Flatten', [t]);
    w.node('Gemm', [flat, w.weight('W', [3, 100], values(84, 300, 0.3))], { transB: int(1) }, ['logits']);
    w.output('logits');
    const { error, kinds } = await compareWithOnnxruntime(w, [2, 3, 5, 5], 'prelu-conv');
    assert.ok(error <= 1e-5, `relative error ${error}`);
    assert.ok(kinds.includes('prelu') && kinds.filter((k) => k === 'activation').length === 2, kinds.join(' '));
  });
});

describe('Gelu (opset 20)', () => {
  for (const approximate of ['none', 'tanh']) {
    test(`approximate "${approximate}"`, async () => {
      const attrs: Record<string, Attr> = approximate === 'none' ? {} : { approximate: str(approximate) };
      const { error, kinds } = await compareWithOnnxruntime(activationBetweenGemms(20, (w, z) => w.node('Gelu', [z], attrs)), [2, 6], `gelu-${approximate}`);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      assert.deepEqual(kinds, ['input', 'dense', 'activation', 'dense']);
    });
  }
  test('an unknown approximation is one line naming the file', () => {
    const file = activationBetweenGemms(20, (w, z) => w.node('Gelu', [z], { approximate: str('fast') })).save(path.join(tempModelDir('onnx-smooth'), 'bad-gelu.onnx'));
    assert.throws(
      () => loadOnnxNetwork(file),
      (e: unknown) => e instanceof UserError && /approximate "fast"; "none" or "tanh" is needed/.test(e.message) && e.message.includes('bad-gelu.onnx') && !e.message.includes('\n'),
    );
  });
});
