// The CLI as a user runs it: `node dist/cli.js …` (built by `npm run build`), real worker threads and WASM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';

import { readJson, saveDigitCnn, tempModelDir, topologyLayers, writeJson } from '../model/savedModels';
import { CLI, bundleReady } from '../bundles';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--workers', '1'], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function grayPng(width: number, height: number, value: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}

/** A one-line error naming the file, exit code 1, no stack trace. */
function assertUserError(r: ReturnType<typeof run>, file: string, problem: RegExp) {
  assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.ok(lines[0].includes(file), `names ${file}: ${lines[0]}`);
  assert.match(lines[0], problem);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('explain-image CLI', () => {
  let dir: string;
  let modelPath: string;
  let digit: string;

  before(async () => {
    await bundleReady(CLI);
    modelPath = await saveDigitCnn('cli-cnn', 3);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-cli-'));
    digit = path.join(dir, 'digit.png');
    fs.writeFileSync(digit, grayPng(28, 28, (x, y) => (Math.abs(x - 14) < 3 && y > 4 && y < 24 ? 255 : 0)));
  });

  it('explain --json prints exactly one JSON document with the documented schema', () => {
    const r = run(['explain', digit, '--model', modelPath, '--method', 'lrp-a2b1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.model, modelPath);
    assert.equal(doc.backend, 'wasm-simd');
    assert.equal(doc.results.length, 1);
    const res = doc.results[0];
    assert.equal(res.image, digit);
    assert.equal(res.method, 'lrp-a2b1');
    assert.deepEqual(res.shape, [28, 28]);
    assert.equal(res.relevance.length, 784);
    assert.equal(res.prediction.probabilities.length, 10);
    assert.ok(Math.abs(res.prediction.probabilities.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5);
    assert.equal(res.target, res.prediction.class);
    assert.equal(res.prediction.label, String(res.prediction.class));
    const sum = res.relevance.reduce((a: number, b: number) => a + b, 0);
    assert.ok(Math.abs(sum - res.relevanceSum) < 1e-3 * Math.max(1, Math.abs(sum)));
    assert.equal(typeof res.logit, 'number');
  });

  it('explain --target and several methods give one result per method', () => {
    const r = run(['explain', digit, '--model', modelPath, '--method', 'gradient,lrp-ab:alpha=3,beta=2', '--target', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(
      doc.results.map((x: { method: string }) => x.method),
      ['gradient', 'lrp-ab:alpha=3,beta=2'],
    );
    for (const res of doc.results) assert.equal(res.target, 3);
  });

  it('explain --out writes a heatmap PNG', () => {
    const out = path.join(dir, 'heat.png');
    const r = run(['explain', digit, '--model', modelPath, '--method', 'deep-taylor', '--out', out, '--scale', '4']);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(fs.readFileSync(out));
    assert.equal(png.width, 112);
    assert.equal(png.height, 112);
  });

  it('compare writes the figure: input column plus one column per seed method, one row per image', () => {
    const out = path.join(dir, 'grid.png');
    const one = run(['compare', digit, '--model', modelPath, '--out', out]);
    assert.equal(one.code, 0, one.stderr);
    const a = PNG.sync.read(fs.readFileSync(out));
    const two = run(['compare', digit, digit, '--model', modelPath, '--methods', 'lrp-z,gradient', '--out', out]);
    assert.equal(two.code, 0, two.stderr);
    const b = PNG.sync.read(fs.readFileSync(out));
    // 8 columns of 112 px cells for the seed figure, at least; a second row adds at least one cell height.
    assert.ok(a.width >= 8 * 112, `width ${a.width}`);
    assert.ok(b.width < a.width, 'fewer method columns make a narrower figure');
    assert.ok(b.height >= a.height + 112, `height ${b.height} vs ${a.height}`);
  });

  it('compare with one --model per image group: one figure, a row group per model', () => {
    const single = path.join(dir, 'single.png');
    const grouped = path.join(dir, 'grouped.png');
    assert.equal(run(['compare', digit, digit, '--model', modelPath, '--methods', 'gradient', '--out', single]).code, 0);
    const r = run(['compare', digit, '--model', modelPath, digit, '--model', modelPath, '--methods', 'gradient', '--out', grouped]);
    assert.equal(r.code, 0, r.stderr);
    const a = PNG.sync.read(fs.readFileSync(single));
    const b = PNG.sync.read(fs.readFileSync(grouped));
    assert.match(r.stdout, /2 images × 1 methods/);
    // Same rows and columns; the group titles take a strip on the left.
    assert.ok(b.width > a.width, `${b.width} > ${a.width}`);
    const orphan = run(['compare', digit, '--model', modelPath, digit, '--out', grouped]);
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /after the last --model/);
  });

  it('usage errors exit with code 2 and the usage text', () => {
    for (const args of [[], ['explain', digit], ['frobnicate'], ['explain', digit, '--model', modelPath, '--method', 'seed', '--bogus']]) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: explain-image/);
    }
  });

  it('models and methods list what exists', () => {
    const methods = run(['methods']);
    assert.equal(methods.code, 0);
    for (const id of ['sensitivity', 'lrp-ab', 'lrp-a2b1', 'integrated-gradients', 'occlusion']) assert.match(methods.stdout, new RegExp(id));
    const json = JSON.parse(run(['methods', '--json']).stdout);
    assert.ok(json.find((m: { id: string }) => m.id === 'lrp-epsilon').params.find((p: { name: string }) => p.name === 'epsilon'));
    assert.equal(run(['models']).code, 0);
  });

  it('invalid method parameters are a clear error', () => {
    const r = run(['explain', digit, '--model', modelPath, '--method', 'lrp-ab:alpha=3,beta=1']);
    assert.ok(r.code === 1 || r.code === 2);
    assert.match(r.stderr, /alpha - beta must be 1|α ?− ?β/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  describe('bad input: one line naming the file, exit code 1', () => {
    const explainWith = (image: string, model = modelPath) => run(['explain', image, '--model', model, '--method', 'gradient']);

    it('unsupported layer', async () => {
      const d = tempModelDir('lstm');
      const json = readJson(modelPath);
      topologyLayers(json)[1] = { class_name: 'LSTM', config: { name: 'lstm_1', units: 4 } };
      const file = path.join(d, 'model.json');
      writeJson(file, json);
      fs.copyFileSync(path.join(path.dirname(modelPath), json.weightsManifest[0].paths[0]), path.join(d, json.weightsManifest[0].paths[0]));
      assertUserError(explainWith(digit, file), 'model.json', /lstm_1.*LSTM.*not supported/);
    });

    it('malformed model.json', () => {
      const d = tempModelDir('malformed');
      const file = path.join(d, 'model.json');
      fs.writeFileSync(file, '{"modelTopology": ');
      assertUserError(explainWith(digit, file), 'model.json', /JSON/i);
    });

    it('missing weight shard', () => {
      const d = tempModelDir('noshard');
      const file = path.join(d, 'model.json');
      fs.copyFileSync(modelPath, file);
      assertUserError(explainWith(digit, file), 'model.json', /shard|weight/i);
    });

    it('weight shard of the wrong size', () => {
      const d = tempModelDir('short');
      const file = path.join(d, 'model.json');
      const json = readJson(modelPath);
      fs.copyFileSync(modelPath, file);
      const shard = json.weightsManifest[0].paths[0];
      fs.writeFileSync(path.join(d, shard), fs.readFileSync(path.join(path.dirname(modelPath), shard)).subarray(0, 100));
      assertUserError(explainWith(digit, file), 'model.json', /bytes|size/i);
    });

    it('corrupt PNG', () => {
      const bytes = Buffer.from(fs.readFileSync(digit));
      bytes[bytes.length - 20] ^= 0xff; // inside IDAT/IEND: CRC mismatch
      const f = path.join(dir, 'corrupt.png');
      fs.writeFileSync(f, bytes);
      assertUserError(explainWith(f), 'corrupt.png', /PNG/i);
    });

    it('truncated JPEG', () => {
      const jpeg = require('jpeg-js');
      const raw = { width: 32, height: 32, data: Buffer.alloc(32 * 32 * 4, 200) };
      const bytes: Buffer = jpeg.encode(raw, 90).data;
      const f = path.join(dir, 'truncated.jpg');
      fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
      assertUserError(explainWith(f), 'truncated.jpg', /JPEG|truncated/i);
    });

    it('zero-byte file', () => {
      const f = path.join(dir, 'empty.png');
      fs.writeFileSync(f, '');
      assertUserError(explainWith(f), 'empty.png', /empty|zero/i);
    });

    it('a folder without images (folders are searched for images)', () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-empty-'));
      fs.writeFileSync(path.join(empty, 'notes.txt'), 'no images here');
      assertUserError(explainWith(empty), path.basename(empty), /no images in this folder/);
    });

    it('a missing image file', () => {
      assertUserError(explainWith(path.join(dir, 'nope.png')), 'nope.png', /no such file|not found/i);
    });
  });
});
