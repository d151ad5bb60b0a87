// What Select Model says of a model: its card facts, the format and input layout, what the engine reads
// from the file when the card leaves it out, and one line naming the file when it cannot be used.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isModelFileName } from '../../../src/engine/import/modelFiles';
import { runJob } from '../../../src/engine/jobs/runJob';
import { describeFacts, FORMAT_LABELS, inputLayout, keyWordsFirst, staticFacts, type ProbedModel } from '../../../src/host/modelFacts';
import { int, OnnxModelWriter, str } from '../import/onnx/onnxWriter';
import type { ModelInfoResult } from '../../../src/protocol/engineJobs';

const repo = path.resolve(__dirname, '../../..');
const resnet = path.join(repo, 'test/fixtures/onnx/shapes-resnet/shapes-resnet.onnx');

async function probe(file: string): Promise<ProbedModel> {
  const backend = await initBackend(nodeModulesWasmDir());
  try {
    const info = (await runJob({ type: 'model-info', model: { path: file } }, backend)) as ModelInfoResult;
    return { card: info.card, notes: info.notes };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'model-facts-'));
}

test('the shapes ResNet: card facts, labels.txt count, ONNX, NCHW, before and after the engine read it', async () => {
  const facts = staticFacts(resnet);
  assert.equal(facts.format, 'onnx');
  assert.equal(facts.labelsFileCount, 4, 'labels.txt beside it has circle, square, triangle, cross');
  assert.equal(inputLayout(facts), 'NCHW');
  assert.equal(describeFacts(facts), 'synthetic shapes · 99.9% test accuracy · input 32×32×3 RGB, NCHW · 4 labels (labels.txt)');
  const probed = await probe(resnet);
  assert.ok('card' in probed, JSON.stringify(probed));
  assert.equal(inputLayout({ ...facts, probed }), 'NCHW', `from the engine's note: ${probed.notes[0]}`);
  assert.equal(describeFacts({ ...facts, probed }), describeFacts(facts), 'the card said it all; the engine agrees');
});

test('an ONNX model with no card: the input shape, layout and label count come from the file once read', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bare.onnx');
  fs.copyFileSync(resnet, file);
  const facts = staticFacts(file);
  assert.equal(describeFacts(facts), 'input shape read on first use, NCHW');
  const probed = await probe(file);
  assert.equal(describeFacts({ ...facts, probed }), 'input 32×32×3 RGB, NCHW · 4 labels');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Keras files are NHWC and are named by format; a model.json card with labels counts them', async () => {
  const keras = path.join(repo, 'test/fixtures/keras/functional-rgb.keras');
  const facts = staticFacts(keras);
  assert.equal(facts.format, 'keras');
  assert.equal(FORMAT_LABELS[facts.format], 'Keras .keras');
  assert.equal(FORMAT_LABELS[staticFacts(resnet).format], 'ONNX');
  const probed = await probe(keras);
  assert.ok('card' in probed, JSON.stringify(probed));
  const [h, w, c] = probed.card.inputShape;
  assert.equal(describeFacts({ ...facts, probed }), `input ${h}×${w}×${c}${c === 3 ? ' RGB' : ''}, NHWC · ${probed.card.labels.length} labels`);
  const mnist = path.join(repo, 'models/mnist-cnn/model.json');
  const card = JSON.parse(fs.readFileSync(path.join(repo, 'models/mnist-cnn/card.json'), 'utf8'));
  assert.equal(
    describeFacts(staticFacts(mnist)),
    `${card.dataset} · ${(card.accuracy * 100).toFixed(1)}% test accuracy · input ${card.inputShape.join('×')} grey · ${card.labels.length} labels`,
  );
});

test('a broken model file: one line naming the file and the problem', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'broken.onnx');
  fs.writeFileSync(file, Buffer.from('this is not a protobuf at all \u0000\u0001\u0002'));
  const probed = await probe(file);
  assert.ok('error' in probed, 'the engine refuses it');
  const line = describeFacts({ ...staticFacts(file), probed });
  assert.match(line, /^\$\(error\) cannot be used: /);
  assert.ok(line.includes(file), `names the file: ${line}`);
  assert.ok(!line.includes('\n'), 'one line');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a model with unsupported ops: the op types with counts and the architecture come first, the supported list stays out', async () => {
  const dir = tempDir();
  const w = new OnnxModelWriter(13);
  const x = w.input('x', [null, 3, 4, 4]);
  // A long node name, as torch writes them, in front of the key words.
  const e1 = w.node('Einsum', [x, x], { equation: str('nchw,nchw->nchw') }, ['e1'], '/encoder/layers/encoder_layer_0/self_attention/Einsum');
  const e2 = w.node('Einsum', [e1, x], { equation: str('nchw,nchw->nchw') }, ['e2'], '/encoder/layers/encoder_layer_1/self_attention/Einsum');
  w.node('Gemm', [w.node('Flatten', [e2]), w.weight('W', [2, 48], new Array(96).fill(0.1))], { transB: int(1) }, ['logits']);
  w.output('logits', [null, 2]);
  const file = w.save(path.join(dir, 'vit-like.onnx'));
  const probed = await probe(file);
  assert.ok('error' in probed, 'the engine refuses it');
  assert.match(probed.error, /: node "\/encoder\/layers\/encoder_layer_0\/self_attention\/Einsum" \(Einsum\) is not supported; unsupported: Einsum ×2; attention \(Einsum\): attention is read as MatMul and Softmax; supported ops: Conv/);
  const line = describeFacts({ ...staticFacts(file), probed });
  assert.equal(line, `$(error) cannot be used: unsupported: Einsum ×2; attention (Einsum): attention is read as MatMul and Softmax; ${file}: node "/encoder/layers/encoder_layer_0/self_attention/Einsum" (Einsum) is not supported`);
  // Errors of another shape keep their order.
  assert.equal(keyWordsFirst('m.onnx: is not a readable ONNX model'), 'm.onnx: is not a readable ONNX model');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the model files Select Model lists', () => {
  for (const name of ['model.json', 'a/b/net.onnx', 'm.keras', 'm.h5', 'M.H5', 'm.hdf5']) assert.ok(isModelFileName(name), name);
  for (const name of ['card.json', 'model.json.card.json', 'weights.bin', 'labels.txt', 'x.png']) assert.ok(!isModelFileName(name), name);
});
