// Model cards and model files for every format: where the card is read from, labels.txt, the defaults an
// ONNX model gives (NCHW, NHWC and flat inputs), per-channel mean/std applied exactly as METHODS.md says
// (the PyTorch export's logits from 8-bit pixels through the engine's jobs), the model cache reloading
// when any file of a model changes, and --model paths.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { resolveModelPath } from '../../../src/engine/bundledModels';
import { isUserError } from '../../../src/engine/errors';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { clearModelCache, getModel } from '../../../src/engine/jobs/modelCache';
import { runJob } from '../../../src/engine/jobs/runJob';
import type { PredictResult } from '../../../src/protocol/engineJobs';
import { tempModelDir } from '../model/savedModels';
import { int, ints, OnnxModelWriter } from './onnx/onnxWriter';

const SHAPES = path.resolve(__dirname, '../../fixtures/onnx/shapes-resnet');
const BACKEND = { name: 'wasm-simd' as const };

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** A tiny classifier with 3 logits on an [N, 3, 4, 5] (or given) input. */
function tinyModel(dir: string, name = 'tiny.onnx', input: Array<number | null> = [null, 3, 4, 5], weight = 0.1): string {
  const w = new OnnxModelWriter(13);
  const x = w.input('x', input);
  const features = input.slice(1).reduce((a, b) => (a as number) * (b as number), 1) as number;
  const flat = input.length === 4 ? w.node('Flatten', [x], { axis: int(1) }) : x;
  w.node('Gemm', [flat, w.weight('W', [features, 3], new Array(features * 3).fill(weight))], {}, ['logits']);
  w.output('logits');
  return w.save(path.join(dir, name));
}

describe('where the card comes from', () => {
  test('defaults of an ONNX model: id and name from the file, NCHW input as [h, w, c], labels "0".."n−1", range [0, 1]', async () => {
    const file = tinyModel(tempModelDir('defaults'));
    const { card, network } = await loadAnyModel(file);
    network.dispose();
    assert.equal(card.id, 'tiny');
    assert.equal(card.name, 'tiny');
    assert.deepEqual(card.inputShape, [4, 5, 3]);
    assert.deepEqual(card.labels, ['0', '1', '2']);
    assert.deepEqual(card.inputRange, [0, 1]);
  });

  test('an NHWC input (TF export: Transpose [0, 3, 1, 2] first) and a flat [N, 784] input', async () => {
    const dir = tempModelDir('layouts');
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 6, 7, 3]);
    const t = w.node('Transpose', [x], { perm: ints([0, 3, 1, 2]) });
    w.node('Gemm', [w.node('Flatten', [t]), w.weight('W', [126, 2], new Array(252).fill(0.01))], {}, ['logits']);
    w.output('logits');
    const nhwc = await loadAnyModel(w.save(path.join(dir, 'nhwc.onnx')));
    assert.deepEqual(nhwc.card.inputShape, [6, 7, 3]);
    nhwc.network.dispose();
    const flat = await loadAnyModel(tinyModel(dir, 'flat.onnx', [null, 784]));
    assert.deepEqual(flat.card.inputShape, [28, 28, 1]);
    flat.network.dispose();
  });

  test('<model file>.card.json wins over card.json; labels.txt gives the labels when the card has none', async () => {
    const dir = tempModelDir('cards');
    const file = tinyModel(dir);
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ name: 'folder card', labels: ['x', 'y', 'z'] }));
    fs.writeFileSync(path.join(dir, 'labels.txt'), 'cat\r\ndog\nbird\n\n');
    let { card, network } = await loadAnyModel(file);
    network.dispose();
    assert.equal(card.name, 'folder card');
    assert.deepEqual(card.labels, ['x', 'y', 'z'], "the card's labels win over labels.txt");
    fs.writeFileSync(`${file}.card.json`, JSON.stringify({ name: 'file card', mean: [0.5, 0.4, 0.3], std: 0.2 }));
    ({ card, network } = await loadAnyModel(file));
    network.dispose();
    assert.equal(card.name, 'file card');
    assert.deepEqual(card.labels, ['cat', 'dog', 'bird'], 'labels.txt, CRLF and the blank line at the end dropped');
    assert.deepEqual(card.mean, [0.5, 0.4, 0.3]);
  });

  test('labels.txt with the wrong number of labels, and bad resize fields, are errors naming the file', async () => {
    const dir = tempModelDir('bad-cards');
    const file = tinyModel(dir);
    fs.writeFileSync(path.join(dir, 'labels.txt'), 'cat\ndog\n');
    await assert.rejects(loadAnyModel(file), (e: unknown) => isUserError(e) && /labels\.txt: has 2 labels but the model has 3 logits/.test((e as Error).message));
    fs.rmSync(path.join(dir, 'labels.txt'));
    fs.writeFileSync(`${file}.card.json`, JSON.stringify({ cropFraction: 1.5 }));
    await assert.rejects(loadAnyModel(file), (e: unknown) => isUserError(e) && /tiny\.onnx\.card\.json: field "cropFraction" must be a number in \(0, 1\]/.test((e as Error).message));
    fs.writeFileSync(`${file}.card.json`, JSON.stringify({ resize: 'squash' }));
    await assert.rejects(loadAnyModel(file), (e: unknown) => isUserError(e) && /field "resize" must be "crop" or "stretch"/.test((e as Error).message));
  });
});

describe('normalisation and the engine jobs', () => {
  test("the PyTorch export's logits from 8-bit pixels: x/255 per channel, then (x − mean) / std from the card", async () => {
    const reference = JSON.parse(fs.readFileSync(path.join(SHAPES, 'reference.json'), 'utf8')) as { pixels: number[]; outputs: number[]; inputShape: number[] };
    const count = reference.inputShape[0];
    const result = (await runJob({ type: 'predict', model: { path: path.join(SHAPES, 'shapes-resnet.onnx') }, pixels: Uint8Array.from(reference.pixels), count }, BACKEND)) as PredictResult;
    let diff = 0;
    let scale = 0;
    reference.outputs.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(result.logits[i] - v));
      scale = Math.max(scale, Math.abs(v));
    });
    assert.ok(diff / scale <= 1e-4, `relative error ${diff / scale}`);
    clearModelCache();
  });

  test('an explain job on a PNG of another size: the card labels, the torchvision-style resize, 32×32 maps', async () => {
    const result = await runJob(
      { type: 'explain', model: { path: path.join(SHAPES, 'shapes-resnet.onnx') }, images: [{ kind: 'file', path: path.join(SHAPES, 'square-72x96.png') }], methods: ['lrp-a1b0'], preprocess: 'auto' },
      BACKEND,
    );
    const r = result as { card: { labels: string[] }; explanations: Array<{ predicted: number; shape: number[] }>; images: Array<{ shape: number[] }> };
    assert.equal(r.card.labels[r.explanations[0].predicted], 'square');
    assert.deepEqual(r.explanations[0].shape, [32, 32]);
    assert.deepEqual(r.images[0].shape, [32, 32, 3]);
    clearModelCache();
  });
});

describe('the model cache and model paths', () => {
  test('reloads when the model file, its card, labels.txt or its external data change', async () => {
    const dir = tempModelDir('cache');
    const file = tinyModel(dir);
    const first = await getModel({ path: file });
    assert.deepEqual(first.card.labels, ['0', '1', '2']);
    await new Promise((r) => setTimeout(r, 150));
    fs.writeFileSync(path.join(dir, 'labels.txt'), 'a\nb\nc\n');
    const second = await getModel({ path: file });
    assert.notEqual(second, first);
    assert.deepEqual(second.card.labels, ['a', 'b', 'c']);
    await new Promise((r) => setTimeout(r, 150));
    fs.writeFileSync(`${file}.card.json`, JSON.stringify({ name: 'renamed' }));
    const third = await getModel({ path: file });
    assert.equal(third.card.name, 'renamed');
    await new Promise((r) => setTimeout(r, 150));
    tinyModel(dir, 'tiny.onnx', [null, 3, 4, 5], 0.3); // re-exported with other weights
    const fourth = await getModel({ path: file });
    assert.notEqual(fourth, third);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await getModel({ path: file }), fourth, 'unchanged files: the same loaded model');

    // External data: the data file is part of the model's version once loaded.
    const externalDir = tempModelDir('cache-external');
    const w = new OnnxModelWriter(13);
    const x = w.input('x', [null, 4]); // a 2×2 grey image
    fs.writeFileSync(path.join(externalDir, 'w.bin'), Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer));
    w.initializer({ name: 'W', dims: [4, 2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] });
    w.node('MatMul', [x, 'W'], {}, ['logits']);
    w.output('logits');
    const external = w.save(path.join(externalDir, 'external.onnx'));
    const before = await runJob({ type: 'predict', model: { path: external }, pixels: Uint8Array.of(255, 0, 0, 0), count: 1 }, BACKEND);
    await new Promise((r) => setTimeout(r, 150));
    fs.writeFileSync(path.join(externalDir, 'w.bin'), Buffer.from(new Float32Array([10, 20, 30, 40, 50, 60, 70, 80]).buffer));
    const after = await runJob({ type: 'predict', model: { path: external }, pixels: Uint8Array.of(255, 0, 0, 0), count: 1 }, BACKEND);
    assert.deepEqual(Array.from((before as PredictResult).logits), [1, 2]);
    assert.deepEqual(Array.from((after as PredictResult).logits), [10, 20]);
    clearModelCache();
  });

  test('--model takes a model file of any format, or a folder holding one; several in a folder is an error', () => {
    const dir = tempModelDir('paths');
    const file = tinyModel(dir, 'only.onnx');
    assert.equal(resolveModelPath(file), file);
    assert.equal(resolveModelPath(dir), file);
    tinyModel(dir, 'second.onnx');
    assert.throws(() => resolveModelPath(dir), (e: unknown) => isUserError(e) && /several model files \(only\.onnx, second\.onnx\); name one of them/.test((e as Error).message));
  });
});
