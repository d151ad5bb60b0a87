// `explain` over many images as a user runs it (dist/cli.js, real workers and WASM): folders and globs,
// --dataset of every format, --indices, --jsonl, --out names, a bad file in the middle, RGB data with an
// RGB model. The numbers are checked against the same images explained one by one, as PNG files.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';

import { cifarBytes, idxImages, idxLabels, makeChw, makeHwc, npyBytes, tempDir, valueOf, writeTree } from '../data/datasetWriters';
import { writePng } from '../image/encoders';
import { saveDigitCnn, saveModel, seedWeights, tempModelDir } from '../model/savedModels';
import { poolShape } from '../../../src/engine/pool/poolShape';
import { CLI, bundleReady } from '../bundles';

function run(args: string[], options: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--workers', '1'], { encoding: 'utf8', timeout: 180_000, cwd: options.cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Result {
  image: string;
  method: string;
  index?: number;
  label?: number;
  labelName?: string;
  file?: string;
  relevance: number[];
  relevanceSum: number;
  logit: number;
  shape: [number, number];
  prediction: { class: number };
  error?: string;
}

function jsonLines(stdout: string): Result[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function assertClose(a: number[], b: number[], what: string) {
  assert.equal(a.length, b.length, what);
  const scale = Math.max(1e-6, ...b.map(Math.abs));
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-4 * scale) assert.fail(`${what}: value ${i} is ${a[i]}, alone ${b[i]}`);
}

function greyPng(i: number): Buffer {
  return writePng({ width: 28, height: 28, colorType: 0, bitDepth: 8, samples: Array.from({ length: 784 }, (_, p) => (p % 28 > 8 && p % 28 < 18 && p > 100 ? valueOf(i, p, 0) : 0)) });
}

function rgbPng(i: number): Buffer {
  const samples: number[] = [];
  for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) samples.push(valueOf(i, p, c));
  return writePng({ width: 32, height: 32, colorType: 2, bitDepth: 8, samples });
}

describe('explain in batches', () => {
  let grey: string;
  let rgb: string;

  before(async () => {
    await bundleReady(CLI);
    grey = await saveDigitCnn('batch-grey', 11, { filters: 3, softmax: false });
    // A random-weight colour model: 32×32×3 in, 10 classes out.
    const rgbModel = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10 }),
      ],
    });
    seedWeights(rgbModel, 5);
    rgb = await saveModel(rgbModel, tempModelDir('batch-rgb'));
    rgbModel.dispose();
  });

  it('a folder with a bad file in the middle: one line naming it, exit 1, every good heatmap written and equal to explaining it alone', () => {
    const root = writeTree({
      'digits/a.png': greyPng(0),
      'digits/b-broken.png': greyPng(1).subarray(0, 60),
      'digits/c.png': greyPng(2),
      'digits/more/d.png': greyPng(3),
      'digits/notes.txt': 'not an image, not picked up from a folder',
    });
    const out = path.join(tempDir(), 'heatmaps');
    const r = run(['explain', path.join(root, 'digits'), '--model', grey, '--method', 'gradient,lrp-z', '--out', out, '--jsonl']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 3, r.stderr);
    assert.match(lines[0], /^explain-image: .*digits\/b-broken\.png: .*PNG/);
    assert.equal(lines[1], `wrote 6 heatmaps to ${out}`);
    assert.equal(lines[2], 'explain-image: 1 of 4 images failed (each named above)');
    assert.deepEqual(fs.readdirSync(out).sort(), ['a-gradient.png', 'a-lrp-z.png', 'c-gradient.png', 'c-lrp-z.png', 'more']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'more')).sort(), ['d-gradient.png', 'd-lrp-z.png']);
    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'more', 'd-lrp-z.png')));
    assert.deepEqual([png.width, png.height], [224, 224]);

    const results = jsonLines(r.stdout);
    assert.deepEqual(
      results.map((x) => [path.basename(x.image), x.method ?? 'error']),
      [['a.png', 'gradient'], ['a.png', 'lrp-z'], ['b-broken.png', 'error'], ['c.png', 'gradient'], ['c.png', 'lrp-z'], ['d.png', 'gradient'], ['d.png', 'lrp-z']],
    );
    assert.match(results[2].error!, /b-broken\.png/);
    // Batching changes nothing: each image alone gives the same numbers.
    for (const x of results.filter((x) => !x.error)) {
      const alone = jsonLines(run(['explain', x.image, '--model', grey, '--method', x.method, '--jsonl']).stdout)[0];
      assertClose(x.relevance, alone.relevance, `${x.image} ${x.method}`);
      assert.equal(x.prediction.class, alone.prediction.class);
    }
  });

  it('globs (quoted, so the CLI expands them), repeated names in other folders, and a missing file', () => {
    const root = writeTree({ 'a/x.png': greyPng(0), 'b/x.png': greyPng(1), 'b/y.png': greyPng(2), 'b/y.bmp': fs.readFileSync(path.join(__dirname, '../../../models/samples/mnist-7-0000.png')) });
    const out = path.join(tempDir(), 'o');
    const r = run(['explain', '*/x.png', 'b/y.*', 'missing.png', '--model', grey, '--method', 'gradient', '--out', out], { cwd: root });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^explain-image: missing\.png: no such file$/m);
    const written = fs.readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.png')).sort();
    assert.deepEqual(written, ['a/x-gradient.png', 'b/x-gradient.png', 'b/y.bmp-gradient.png', 'b/y.png-gradient.png']);
    assert.match(r.stderr, /1 of 5 images failed/);
  });

  it('--dataset with --indices: samples in the order asked, with index and label, equal to the same pixels as PNG files', () => {
    const dir = tempDir();
    const pixels = new Uint8Array(6 * 784);
    for (let i = 0; i < 6; i++) pixels.set(PNG.sync.read(greyPng(i)).data.filter((_, k) => k % 4 === 0), i * 784);
    fs.writeFileSync(path.join(dir, 'set-images-idx3-ubyte'), idxImages(pixels));
    fs.writeFileSync(path.join(dir, 'set-labels-idx1-ubyte'), idxLabels(Uint8Array.from([5, 0, 4, 1, 9, 2])));
    const r = run(['explain', '--dataset', path.join(dir, 'set-images-idx3-ubyte'), '--indices', '4,0-1', '--model', grey, '--method', 'lrp-z', '--jsonl']);
    assert.equal(r.code, 0, r.stderr);
    const results = jsonLines(r.stdout);
    assert.deepEqual(results.map((x) => [x.index, x.label]), [[4, 9], [0, 5], [1, 0]]);
    assert.match(results[0].image, /set-images-idx3-ubyte #4$/);
    for (const x of results) {
      const file = path.join(dir, `sample-${x.index}.png`);
      fs.writeFileSync(file, greyPng(x.index!));
      const alone = jsonLines(run(['explain', file, '--model', grey, '--method', 'lrp-z', '--jsonl']).stdout)[0];
      assertClose(x.relevance, alone.relevance, `sample ${x.index}`);
    }

    const bad = run(['explain', '--dataset', path.join(dir, 'set-images-idx3-ubyte'), '--indices', '0-6', '--model', grey, '--method', 'lrp-z']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--indices: 6 is past the last sample of .*set-images-idx3-ubyte \(it has 6: 0–5\)/);
    const asImage = run(['explain', path.join(dir, 'set-images-idx3-ubyte'), '--model', grey, '--method', 'lrp-z']);
    assert.equal(asImage.code, 1);
    assert.match(asImage.stderr, /set-images-idx3-ubyte: a data set file, not an image; explain its samples with --dataset /);
    const orphan = run(['explain', path.join(dir, 'sample-0.png'), '--indices', '1', '--model', grey, '--method', 'lrp-z']);
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /--indices needs --dataset/);
  });

  it('RGB data: CIFAR batches, channels-first and channels-last .npy, an image folder and PNG files give the same heatmaps with an RGB model', () => {
    const n = 3;
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), cifarBytes(n, 10, (i) => i + 1));
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
    fs.writeFileSync(path.join(dir, 'nhwc.npy'), npyBytes('|u1', [n, 32, 32, 3], makeHwc(n, 32, 32, 3)));
    fs.writeFileSync(path.join(dir, 'nchw.npz'), zipSync({ 'x.npy': [npyBytes('<f4', [n, 3, 32, 32], Float32Array.from(makeChw(n, 32, 32, 3), (v) => v / 255)), { level: 6 }] }));
    const folder = writeTree({ 'cat/0.png': rgbPng(0), 'cat/1.png': rgbPng(1), 'dog/2.png': rgbPng(2) });

    const method = ['--model', rgb, '--method', 'lrp-epsilon', '--jsonl'];
    const cifar = jsonLines(run(['explain', '--dataset', path.join(dir, 'data_batch_1.bin'), ...method]).stdout);
    assert.deepEqual(cifar.map((x) => [x.index, x.label, x.labelName]), [[0, 1, 'automobile'], [1, 2, 'bird'], [2, 3, 'cat']]);
    assert.deepEqual(cifar[0].shape, [32, 32]);
    const others = {
      nhwc: jsonLines(run(['explain', '--dataset', path.join(dir, 'nhwc.npy'), ...method]).stdout),
      nchw: jsonLines(run(['explain', '--dataset', path.join(dir, 'nchw.npz'), ...method]).stdout),
      folder: jsonLines(run(['explain', '--dataset', folder, ...method]).stdout),
      files: jsonLines(run(['explain', folder, ...method]).stdout),
    };
    assert.deepEqual(others.folder.map((x) => [x.label, x.labelName, path.basename(x.file!)]), [[0, 'cat', '0.png'], [0, 'cat', '1.png'], [1, 'dog', '2.png']]);
    for (const [name, results] of Object.entries(others)) {
      assert.equal(results.length, n, name);
      results.forEach((x, i) => assertClose(x.relevance, cifar[i].relevance, `${name} ${i}`));
    }
  });

  it('--json streams one document with results and errors; --out file.png for many heatmaps is a usage error', () => {
    const root = writeTree({ 'a.png': greyPng(0), 'b.png': 'junk', 'c.png': greyPng(2) });
    const r = run(['explain', root, '--model', grey, '--method', 'gradient', '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['model', 'backend', 'backendThreads', 'results', 'errors']);
    assert.equal(doc.backend, 'wasm-simd');
    // XNNPACK threads per worker, as the pool shape gives them for this machine's cores.
    assert.equal(doc.backendThreads, poolShape({}).threads);
    assert.deepEqual(doc.results.map((x: Result) => path.basename(x.image)), ['a.png', 'c.png']);
    assert.deepEqual(doc.errors.map((x: Result) => path.basename(x.image)), ['b.png']);

    const many = run(['explain', root, '--model', grey, '--method', 'gradient', '--out', path.join(root, 'x.png')]);
    assert.equal(many.code, 2);
    assert.match(many.stderr, /--out .*x\.png names one file, but this run makes 3 heatmaps \(3 images × 1 methods\): give a folder/);
  });

  it('progress on stderr when it is a terminal, none in a pipe', (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('util-linux script (a pseudo-terminal) is not installed');
    const root = writeTree(Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`d${i}.png`, greyPng(i)])));
    const command = [process.execPath, CLI, 'explain', root, '--model', grey, '--method', 'gradient', '--workers', '1', '--out', path.join(root, 'out')]
      .map((a) => `'${a}'`)
      .join(' ');
    const tty = spawnSync('script', ['-qfec', `${command} 2>&1 >/dev/null`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(tty.status, 0, tty.stdout);
    assert.match(tty.stdout, /\r\x1b\[2K\d \/ 4 images/);
    const pipe = run(['explain', root, '--model', grey, '--method', 'gradient', '--out', path.join(root, 'out2')]);
    assert.equal(pipe.code, 0);
    assert.doesNotMatch(pipe.stderr, /\x1b|\r/);
  });
});
