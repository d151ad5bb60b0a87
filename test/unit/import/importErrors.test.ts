// Bad model files of the imported formats: each gives one UserError line that starts with the file's path
// and says what is wrong, never another exception. Damaged bytes (truncations and byte flips at seeded
// places) are tried on a real PyTorch export and on Keras files: loading either works or fails that way.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isUserError } from '../../../src/engine/errors';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { random } from '../methods/reference';
import { tempModelDir } from '../model/savedModels';
import { floatTensor, int, ints, OnnxModelWriter, str } from './onnx/onnxWriter';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** Loads `file` expecting a UserError naming it whose message matches `pattern`. */
async function rejects(file: string, pattern: RegExp): Promise<string> {
  let message = '';
  await assert.rejects(
    async () => {
      const m = await loadAnyModel(file);
      m.network.dispose();
    },
    (e: unknown) => {
      assert.ok(isUserError(e), `not a UserError: ${e}`);
      message = (e as Error).message;
      assert.ok(message.startsWith(path.resolve(file)), `does not start with the file: ${message}`);
      assert.ok(!message.includes('\n'), `more than one line: ${message}`);
      assert.match(message, pattern);
      return true;
    },
  );
  return message;
}

function tinyOnnx(edit: (w: OnnxModelWriter, x: string) => string, opset = 13): OnnxModelWriter {
  const w = new OnnxModelWriter(opset);
  const x = w.input('x', [null, 3, 4, 4]);
  const out = edit(w, x);
  const flat = w.node('Flatten', [out]);
  w.node('Gemm', [flat, w.weight('W', [2, 48], new Array(96).fill(0.1))], { transB: int(1) }, ['logits']);
  w.output('logits', [null, 2]);
  return w;
}

function save(w: OnnxModelWriter, name = 'model.onnx'): string {
  return w.save(path.join(tempModelDir('bad'), name));
}

describe('ONNX', () => {
  test('an unsupported op names the node, its op type, the count of each unsupported op, the first supported ops and where the rest are, within 300 characters', async () => {
    const file = save(tinyOnnx((w, x) => w.node('Softsign', [x], {}, ['soft'], 'act1')));
    const m = await rejects(file, /node "act1" \(Softsign\) is not supported; unsupported: Softsign ×1; supported ops: Conv, Gemm, MatMul, Relu, MaxPool, .*, … and \d+ more; the README's ONNX table lists them all$/);
    assert.ok(m.length <= 300, `${m.length} characters`);
  });

  test('every unsupported node the output depends on is counted, with the architecture feature; dead branches and pattern insides are not', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 3, 4, 4]);
    // Attention-like Einsums (twice), a quantize step, a dead branch, and a GELU whose Erf a pattern absorbs.
    const e1 = w.node('Einsum', [x, x], { equation: str('nchw,nchw->nchw') }, ['e1'], 'attn_1');
    const e2 = w.node('Einsum', [e1, x], { equation: str('nchw,nchw->nchw') }, ['e2'], 'attn_2');
    const q = w.node('DequantizeLinear', [w.node('QuantizeLinear', [e2, w.weight('s', [], [0.1])], {}, ['q'], 'quant')], {}, ['dq'], 'dequant');
    w.node('Softsign', [x], {}, ['dead'], 'unused_branch');
    const gelu = w.node('Mul', [w.node('Mul', [q, w.node('Add', [w.node('Erf', [w.node('Div', [q, w.weight('r2', [], [Math.SQRT2])])]), w.weight('one', [], [1])])]), w.weight('half', [], [0.5])]);
    const flat = w.node('Flatten', [gelu]);
    w.node('Gemm', [flat, w.weight('W', [2, 48], new Array(96).fill(0.1))], { transB: int(1) }, ['logits']);
    w.output('logits', [null, 2]);
    const m = await rejects(save(w), /node "attn_1" \(Einsum\) is not supported; unsupported: Einsum ×2, QuantizeLinear ×1, DequantizeLinear ×1; attention \(Einsum\): vision transformers are not supported yet; a quantized model: export the float32 model(; supported ops: in the README's ONNX table)?$/);
    assert.ok(m.length <= 300, `${m.length} characters`);
    assert.doesNotMatch(m, /Softsign|Erf/);
  });

  test('a MatMul of two activations names the feature: attention', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 1, 4, 3]);
    const scores = w.node('MatMul', [x, w.node('Transpose', [x], { perm: ints([0, 1, 3, 2]) })], {}, ['scores'], 'qk');
    w.node('Gemm', [w.node('Flatten', [scores]), w.weight('W', [16, 2], new Array(32).fill(0.1))], {}, ['logits']);
    w.output('logits', [null, 2]);
    await rejects(save(w), /node "qk" \(MatMul\) multiplies two activations: attention \(MatMul of two activations\): vision transformers are not supported yet; unsupported: MatMul ×1$/);
  });

  test('a refused node leaves no tensor behind: a BatchNormalization without B, a Conv with a bias of the wrong size, a pending Gemm whose Add fails', async () => {
    const before = tf.memory().numTensors;
    const bn = tinyOnnx((w, x) => {
      const vector = (name: string) => w.weight(name, [3], [1, 2, 3]);
      return w.node('BatchNormalization', [x, vector('scale'), '', vector('mean'), vector('var')], {}, ['bn'], 'norm');
    });
    await rejects(save(bn), /node "norm" \(BatchNormalization\) lacks its B input/);
    const conv = tinyOnnx((w, x) => w.node('Conv', [x, w.weight('k', [3, 3, 1, 1], new Array(9).fill(0.5)), w.weight('b', [5], [1, 2, 3, 4, 5])], {}, ['y'], 'conv'));
    await rejects(save(conv), /node "conv" \(Conv\).*bias/);
    const gemm = new OnnxModelWriter(13);
    const x = gemm.input('x', [null, 4]);
    const mm = gemm.node('Gemm', [x, gemm.weight('W', [4, 2], new Array(8).fill(0.25))], {}, ['mm'], 'dense');
    gemm.node('Add', [mm, gemm.weight('c', [7], new Array(7).fill(1))], {}, ['logits'], 'bias');
    gemm.output('logits', [null, 2]);
    await rejects(save(gemm), /node "bias" \(Add\)/);
    assert.equal(tf.memory().numTensors, before);
  });

  test('a PRelu slope that fits neither one channel nor all of them is one line naming the node', async () => {
    const file = save(tinyOnnx((w, x) => w.node('PRelu', [x, w.weight('slope', [1, 1, 2], [0.1, 0.2])], {}, ['leaky'], 'act1')));
    const m = await rejects(file, /node "act1" \(PRelu\): its slope has a constant of shape \[1,1,2\]; only a scalar or one value per channel is supported/);
    assert.doesNotMatch(m, /\n/);
  });

  test('a truncated file', async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'onnx/shapes-resnet/shapes-resnet.onnx'));
    const file = path.join(tempModelDir('truncated'), 'model.onnx');
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await rejects(file, /is not a readable ONNX model \(truncated or corrupt protobuf/);
  });

  test('an initializer whose data does not fit its shape', async () => {
    // 9 floats of data under dims [3, 3, 1, 2].
    const file = save(tinyOnnx((w, x) => w.node('Conv', [x, w.initializer({ ...floatTensor('conv.weight', [3, 3, 1, 1], new Array(9).fill(0.5)), dims: [3, 3, 1, 2] })])));
    await rejects(file, /initializer "conv\.weight" has 36 bytes of data but its shape \[3,3,1,2\] of float needs 72/);
  });

  test('external data that is not beside the model', async () => {
    const w = tinyOnnx((w, x) => w.node('Conv', [x, w.initializer({ name: 'k', dims: [3, 3, 1, 1], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'model.onnx.data' }] })]));
    await rejects(save(w), /initializer "k"'s external data file "model\.onnx\.data" cannot be read: file not found/);
  });

  test('external data too short for the tensor', async () => {
    const dir = tempModelDir('short');
    fs.writeFileSync(path.join(dir, 'w.bin'), Buffer.alloc(10));
    const w = tinyOnnx((w, x) => w.node('Conv', [x, w.initializer({ name: 'k', dims: [3, 3, 1, 1], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }, { key: 'length', value: '36' }] })]));
    await rejects(w.save(path.join(dir, 'm.onnx')), /needs bytes 0…36 of its external data file "w\.bin", which has 10 bytes/);
  });

  test('external data outside the model folder, or at a URL, is refused', async () => {
    const w = tinyOnnx((w, x) => w.node('Conv', [x, w.initializer({ name: 'k', dims: [3, 3, 1, 1], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'https://example.invalid/w.bin' }] })]));
    await rejects(save(w), /is a URL; only files in the model's folder are read$/);
  });

  test('more cases, each with its own message', async () => {
    const cases: Array<[string, OnnxModelWriter, RegExp]> = [
      ['two inputs', (() => {
        const w = tinyOnnx((w, x) => w.node('Relu', [x]));
        w.input('y', [null, 3]);
        return w;
      })(), /the graph has 2 inputs \(x, y\); one image input is needed/],
      ['a reflect Pad', tinyOnnx((w, x) => w.node('Pad', [x, w.ints('p', [0, 0, 0, 0, 0, 0, 0, 0])], { mode: str('reflect') }, ['p1'], 'pad1')), /node "pad1" \(Pad\) has mode "reflect"; only constant \(zero\) padding is supported/],
      ['Clip with crossed bounds', tinyOnnx((w, x) => w.node('Clip', [x, w.weight('lo', [], [6]), w.weight('hi', [], [0])], {}, ['r6'], 'relu6')), /node "relu6" \(Clip\) clips to \[6, 0\]; the lower bound must be below the upper one/],
      ['Div of two activations', tinyOnnx((w, x) => w.node('Div', [x, w.node('Relu', [x])], {}, ['m'], 'quotient')), /node "quotient" \(Div\) combines two activations/],
      ['Gemm with transA', (() => {
        const w = new OnnxModelWriter(13);
        const x = w.input('x', [null, 4]);
        w.node('Gemm', [x, w.weight('B', [4, 2], new Array(8).fill(1))], { transA: int(1) }, ['logits'], 'fc');
        w.output('logits');
        return w;
      })(), /node "fc" \(Gemm\) has transA = 1; only Gemm with the activation as A/],
      ['a 1-D Conv', (() => {
        const w = new OnnxModelWriter(13);
        const x = w.input('x', [null, 3, 8]);
        w.node('Conv', [x, w.weight('k', [2, 3, 3], new Array(18).fill(0))], {}, ['logits']);
        w.output('logits');
        return w;
      })(), /input "x" has shape \[batch,3,8\]; an image batch \[N, C, H, W\]/],
    ];
    // An op of another domain: the writer has no domain field, so set it on the decoded message.
    const domainModel = tinyOnnx((w, x) => w.node('FusedConv', [x], {}, ['f'], 'fused'));
    const domainBytes = domainModel.encode();
    const decoded = onnx.ModelProto.decode(domainBytes);
    decoded.graph!.node![0].domain = 'com.microsoft';
    const domainFile = path.join(tempModelDir('domain'), 'model.onnx');
    fs.writeFileSync(domainFile, onnx.ModelProto.encode(decoded).finish());
    await rejects(domainFile, /node "fused" \(FusedConv\) is from the operator domain "com\.microsoft", which is not supported/);
    for (const [name, w, pattern] of cases) {
      await rejects(save(w), pattern).catch((e) => {
        throw new Error(`${name}: ${(e as Error).message}`);
      });
    }
  });

  test('dynamic height and width need the card: the message says so, and a card makes it load', async () => {
    const w = new OnnxModelWriter(13);
    const x = w.input('x', ['batch', 3, 'height', 'width']);
    const g = w.node('GlobalAveragePool', [x]);
    w.node('Gemm', [w.node('Flatten', [g]), w.weight('W', [3, 2], [1, 2, 3, 4, 5, 6])], {}, ['logits']);
    w.output('logits');
    const file = save(w);
    await rejects(file, /input "x" has dynamic dimensions \[batch,3,height,width\]; add a model card with "inputShape"/);
    fs.writeFileSync(`${file}.card.json`, JSON.stringify({ inputShape: [40, 30, 3] }));
    const loaded = await loadAnyModel(file);
    assert.deepEqual(loaded.card.inputShape, [40, 30, 3]);
    loaded.network.dispose();
  });

  test('an empty file, a folder, a missing file, an opset older than 9', async () => {
    const dir = tempModelDir('misc');
    fs.writeFileSync(path.join(dir, 'empty.onnx'), '');
    await rejects(path.join(dir, 'empty.onnx'), /is empty \(0 bytes\)/);
    fs.mkdirSync(path.join(dir, 'folder.onnx'));
    await rejects(path.join(dir, 'folder.onnx'), /is a folder/);
    await rejects(path.join(dir, 'missing.onnx'), /file not found/);
    await rejects(save(tinyOnnx((w, x) => w.node('Relu', [x]), 7)), /uses opset 7; opsets 9–21 are supported/);
  });

  test('damaged bytes: every truncation and byte flip fails with a UserError naming the file, or loads', async () => {
    const source = fs.readFileSync(path.join(FIXTURES, 'onnx/pytorch-ops.onnx'));
    await damaged(source, 'model.onnx', 120);
  });
});

describe('Keras', () => {
  test('a .keras zip without weights, without config.json; an .h5 without model_config', async () => {
    await rejects(path.join(FIXTURES, 'keras/bad/no-weights.keras'), /has no model\.weights\.h5: the archive holds no weights/);
    await rejects(path.join(FIXTURES, 'keras/bad/no-config.keras'), /is a zip without config\.json, not a Keras \.keras model/);
    await rejects(path.join(FIXTURES, 'keras/bad/weights-only.h5'), /holds weights only \(saved with save_weights\), no model_config/);
  });

  test('a truncated .keras and a truncated .h5', async () => {
    const dir = tempModelDir('truncated-keras');
    const keras = fs.readFileSync(path.join(FIXTURES, 'keras/sequential-cnn.keras'));
    fs.writeFileSync(path.join(dir, 'm.keras'), keras.subarray(0, keras.length - 100));
    await rejects(path.join(dir, 'm.keras'), /not a valid \.keras \(zip\) file|truncated \.keras \(zip\) file/);
    const h5 = fs.readFileSync(path.join(FIXTURES, 'keras/sequential-cnn-keras2.h5'));
    fs.writeFileSync(path.join(dir, 'm.h5'), h5.subarray(0, 3000));
    await rejects(path.join(dir, 'm.h5'), /HDF5|damaged|cannot be read/);
  });

  test('damaged bytes in a Keras 2 .h5 and a .keras: UserErrors naming the file, or a load', async () => {
    await damaged(fs.readFileSync(path.join(FIXTURES, 'keras/sequential-cnn-keras2.h5')), 'model.h5', 60);
    await damaged(fs.readFileSync(path.join(FIXTURES, 'keras/sequential-cnn.keras')), 'model.keras', 60);
  });
});

/** `count` truncations and `count` single-byte changes at seeded places; only UserErrors naming the file. */
async function damaged(source: Buffer, name: string, count: number): Promise<void> {
  const rand = random(1234);
  const dir = tempModelDir('damaged');
  const file = path.join(dir, name);
  let failures = 0;
  for (let k = 0; k < 2 * count; k++) {
    const bytes = Buffer.from(source);
    const at = Math.floor(rand() * bytes.length);
    const damagedBytes = k < count ? bytes.subarray(0, at) : (bytes.writeUInt8((bytes[at] + 1 + Math.floor(rand() * 255)) % 256, at), bytes);
    fs.writeFileSync(file, damagedBytes);
    try {
      const m = await loadAnyModel(file);
      m.network.dispose();
    } catch (e) {
      failures++;
      if (!isUserError(e) || !(e as Error).message.startsWith(file) || (e as Error).message.includes('\n')) {
        throw new Error(`${k < count ? `truncated at ${at}` : `byte ${at} changed`}: ${(e as Error)?.stack ?? e}`);
      }
    }
  }
  assert.ok(failures >= count, `${failures} of ${2 * count} damaged files failed (every truncation must)`);
}

test('a graph with two outputs (logits, features) is explained on its first, with a note', async () => {
  const w = new OnnxModelWriter(13);
  const x = w.input('x', [null, 4]);
  const features = w.node('Relu', [w.node('MatMul', [x, w.weight('W', [4, 3], new Array(12).fill(0.2))])], {}, ['features']);
  w.node('MatMul', [features, w.weight('W2', [3, 2], [1, 2, 3, 4, 5, 6])], {}, ['logits']);
  w.output('logits');
  w.output('features');
  const m = await loadAnyModel(save(w));
  try {
    assert.equal(m.network.outputSize, 2);
    assert.ok(m.notes.some((n) => /2 outputs \(logits, features\); the first, "logits", is explained/.test(n)), m.notes.join('; '));
  } finally {
    m.network.dispose();
  }
});
