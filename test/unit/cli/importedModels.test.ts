// The CLI with users' own models (`node dist/cli.js …`, built by `npm run build`): the residual RGB ONNX
// model PyTorch exported (test/fixtures/onnx/shapes-resnet) and a Keras .keras, every method, RGB images
// of other sizes, the comparison figure with its input column in colour, and bad model files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { listMethods, parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { OnnxModelWriter } from '../import/onnx/onnxWriter';
import { tempModelDir } from '../model/savedModels';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const SHAPES = path.resolve(__dirname, '../../fixtures/onnx/shapes-resnet');
const KERAS = path.resolve(__dirname, '../../fixtures/keras');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--workers', '1'], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI with imported models', () => {
  it('explains RGB PNGs of other sizes with the PyTorch ONNX model: the shapes are recognised, maps are 32×32', () => {
    const images = ['circle', 'square', 'triangle', 'cross'].map((s) => path.join(SHAPES, `${s}-72x96.png`));
    const r = run(['explain', ...images, '--model', path.join(SHAPES, 'shapes-resnet.onnx'), '--method', 'lrp-epsilon', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.results.length, 4);
    doc.results.forEach((res: { image: string; prediction: { label: string }; shape: number[]; relevance: number[] }, i: number) => {
      assert.equal(res.prediction.label, ['circle', 'square', 'triangle', 'cross'][i], `${res.image} predicted ${res.prediction.label}`);
      assert.deepEqual(res.shape, [32, 32]);
      assert.equal(res.relevance.length, 32 * 32);
    });
  });

  it('every method runs on the ONNX model and gives a finite map (conservation: test/unit/import/onnx/onnxMethods.test.ts)', () => {
    const ids = listMethods().map((m) => m.id);
    const r = run(['explain', path.join(SHAPES, 'circle-64x64.png'), '--model', path.join(SHAPES, 'shapes-resnet.onnx'), '--method', ids.join(','), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(
      doc.results.map((res: { method: string }) => parseMethodSpec(res.method).id),
      ids,
    );
    for (const res of doc.results) {
      assert.ok(res.relevance.every(Number.isFinite), `${res.method}: finite map`);
      assert.ok(res.relevance.some((v: number) => v !== 0), `${res.method}: not all zero`);
      assert.equal(res.target, res.prediction.class);
    }
  });

  it('compare with the RGB model: one figure whose input column is in colour', () => {
    const out = path.join(tempModelDir('compare-rgb'), 'figure.png');
    const images = ['circle', 'square'].map((s) => path.join(SHAPES, `${s}-72x96.png`));
    const r = run(['compare', ...images, '--model', path.join(SHAPES, 'shapes-resnet.onnx'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(fs.readFileSync(out));
    let coloured = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [red, green, blue] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]];
      // Saturated, and unlike grey or a heatmap's blue-white-red (two channels equal): the shapes' colours.
      const channels = [red, green, blue];
      const saturated = Math.max(...channels) - Math.min(...channels) > 60;
      const twoEqual = Math.abs(red - green) < 10 || Math.abs(green - blue) < 10 || Math.abs(red - blue) < 10;
      if (saturated && !twoEqual) coloured++;
    }
    assert.ok(coloured > 1000, `${coloured} strongly coloured pixels in the figure`);
  });

  it('explains with a Keras .keras model and a Keras 2 .h5 model (grey 28×28)', () => {
    const digit = path.resolve(__dirname, '../../../models/samples/mnist-7-0000.png');
    for (const model of ['sequential-cnn.keras', 'sequential-cnn-keras2.h5', 'functional-rgb.keras']) {
      const r = run(['explain', digit, '--model', path.join(KERAS, model), '--method', 'deep-taylor', '--json']);
      assert.equal(r.code, 0, `${model}: ${r.stderr}`);
      const res = JSON.parse(r.stdout).results[0];
      assert.deepEqual(res.shape, model.startsWith('functional') ? [12, 12] : [28, 28]);
    }
  });

  it('bad model files: one line naming the file, exit code 1', () => {
    const digit = path.resolve(__dirname, '../../../models/samples/mnist-7-0000.png');
    const truncated = path.join(tempModelDir('cli-bad'), 'cut.onnx');
    const bytes = fs.readFileSync(path.join(SHAPES, 'shapes-resnet.onnx'));
    fs.writeFileSync(truncated, bytes.subarray(0, 1000));
    // A model whose weights live in an external data file that is not there.
    const w = new OnnxModelWriter(13);
    w.input('x', [null, 4]);
    w.initializer({ name: 'W', dims: [4, 2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'model.onnx.data' }] });
    w.node('MatMul', ['x', 'W'], {}, ['logits']);
    w.output('logits');
    const external = w.save(path.join(tempModelDir('cli-external'), 'model.onnx'));
    for (const [model, problem] of [
      [truncated, /not a readable ONNX model/],
      [external, /initializer "W"'s external data file "model\.onnx\.data" cannot be read: file not found/],
      [path.join(KERAS, 'bad/no-weights.keras'), /has no model\.weights\.h5/],
      [path.join(KERAS, 'bad/weights-only.h5'), /holds weights only/],
    ] as const) {
      const r = run(['explain', digit, '--model', model, '--method', 'lrp-z']);
      assert.equal(r.code, 1, `${model}: exit ${r.code}, ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].includes(model), lines[0]);
      assert.match(lines[0], problem);
    }
  });
});
