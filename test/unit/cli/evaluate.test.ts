// `evaluate` as a user runs it (node dist/cli.js, real workers and WASM): the JSON document field by field,
// its numbers against the same protocol run in this process, the verdict the same in JSON and text, ROAD,
// contrast, baselines and patches, the table's order, the chart PNG, and bad input.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { backendInfo } from '../../../src/engine/backend';
import { runJob } from '../../../src/engine/jobs/runJob';
import type { ExplainResult, PixelFlipResult } from '../../../src/protocol/engineJobs';
import { npyBytes } from '../data/datasetWriters';
import { saveDigitCnn, saveModel, seedWeights, tempModelDir } from '../model/savedModels';
import { CLI, bundleReady } from '../bundles';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--workers', '2'], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function grayPng(value: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const data = Buffer.alloc(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) data[y * 28 + x] = value(x, y);
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}

describe('explain-image evaluate', () => {
  let dir: string;
  let modelPath: string;
  let digits: string[];

  before(async () => {
    await bundleReady(CLI);
    modelPath = await saveDigitCnn('evaluate-cnn', 5);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-evaluate-'));
    digits = [
      grayPng((x, y) => (Math.abs(x - 14) < 3 && y > 4 && y < 24 ? 255 : 0)),
      grayPng((x, y) => (Math.hypot(x - 14, y - 14) < 8 && Math.hypot(x - 14, y - 14) > 5 ? 200 : 0)),
      grayPng((x, y) => ((x + y) % 7 === 0 && y > 6 ? 255 : 0)),
    ].map((png, i) => {
      const file = path.join(dir, `digit-${i}.png`);
      fs.writeFileSync(file, png);
      return file;
    });
  });

  it('--json prints the issue\'s document, its numbers those of the protocol run in this process', async () => {
    const methods = ['gradient', 'lrp-ab:alpha=2,beta=1', 'deep-taylor'];
    const r = run(['evaluate', ...digits, '--model', modelPath, '--methods', methods.join(','), '--steps', '8', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['model', 'backend', 'steps', 'baseline', 'patch', 'results', 'summary', 'verdict']);
    assert.equal(doc.baseline, 'black');
    assert.equal(doc.patch, 1);
    assert.equal(doc.model, modelPath);
    assert.equal(doc.backend, 'wasm-simd');
    assert.equal(doc.steps, 8);
    assert.equal(doc.results.length, 9);

    // The same protocol in this thread: maps from an explain job, curves from a pixel-flip job.
    const backend = backendInfo()!;
    const explained = (await runJob(
      { type: 'explain', model: { path: modelPath }, images: digits.map((p) => ({ kind: 'file', path: p })), methods, preprocess: 'auto' },
      backend,
    )) as ExplainResult;
    const flipped = (await runJob(
      {
        type: 'pixel-flip',
        model: { path: modelPath },
        images: explained.images.map((i) => i.pixels),
        items: explained.explanations.map((e) => ({ image: e.image, relevance: e.relevance, target: e.target })),
        steps: 8,
      },
      backend,
    )) as PixelFlipResult;

    doc.results.forEach((res: any, n: number) => {
      assert.deepEqual(Object.keys(res), ['image', 'method', 'target', 'curves', 'aopcMorf', 'aopcLerf', 'abpc']);
      assert.deepEqual(Object.keys(res.curves), ['morf', 'lerf']);
      assert.equal(res.image, digits[Math.floor(n / 3)]);
      assert.equal(res.method, methods[n % 3], 'the spec as given');
      assert.equal(res.target, explained.explanations[n].predicted);
      for (const order of ['morf', 'lerf'] as const) {
        assert.equal(res.curves[order].length, 9);
        res.curves[order].forEach((v: number, k: number) => {
          const want = flipped.curves[n][order][k];
          assert.ok(Math.abs(v - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${n} ${order}[${k}] ${v} vs ${want}`);
        });
      }
      const aopc = (c: number[]) => c.reduce((s, v) => s + (c[0] - v), 0) / c.length;
      assert.ok(Math.abs(res.aopcMorf - aopc(res.curves.morf)) < 1e-9);
      assert.ok(Math.abs(res.aopcLerf - aopc(res.curves.lerf)) < 1e-9);
      assert.ok(Math.abs(res.abpc - (res.aopcMorf - res.aopcLerf)) < 1e-9);
    });
    assert.deepEqual(doc.summary.map((s: any) => Object.keys(s)), methods.map(() => ['method', 'aopcMorf', 'aopcLerf', 'abpc', 'images', 'standardError']));
    doc.summary.forEach((s: any, k: number) => {
      assert.equal(s.method, methods[k]);
      assert.equal(s.images, 3);
      const mine = doc.results.filter((res: any) => res.method === methods[k]);
      for (const key of ['aopcMorf', 'aopcLerf', 'abpc']) {
        const mean = mine.reduce((t: number, res: any) => t + res[key], 0) / 3;
        assert.ok(Math.abs(s[key] - mean) < 1e-9, key);
        const se = Math.sqrt(mine.reduce((t: number, res: any) => t + (res[key] - mean) ** 2, 0) / 2 / 3);
        assert.ok(Math.abs(s.standardError[key] - se) < 1e-9, `${key} standard error`);
      }
    });
    // Three images: no verdict yet, but the numbers and the request for more.
    assert.equal(doc.verdict.images, 3);
    assert.match(doc.verdict.sentence, /^A verdict needs at least 5 images \(there are 3\)/);
    assert.equal(doc.verdict.pairs.length, 3);
  });

  it('the table lists every method once, best ABPC first; --target and --out', () => {
    const out = path.join(dir, 'charts', 'curves.png');
    const r = run(['evaluate', ...digits, '--model', modelPath, '--methods', 'seed', '--target', '4', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 images · K = 20 steps · target class as given/);
    const rows = r.stdout.split('\n').filter((l) => /^ {2}\S+ +[−\d-]/.test(l));
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]).sort(), ['deep-taylor', 'guided-backprop', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1', 'sensitivity', 'simple-taylor']);
    const abpc = rows.map((l) => Number(l.trim().split(/\s+/)[3]));
    for (let i = 1; i < abpc.length; i++) assert.ok(abpc[i] <= abpc[i - 1], `sorted by ABPC: ${abpc}`);
    const png = PNG.sync.read(fs.readFileSync(out));
    assert.deepEqual([png.width, png.height], [840, 920], 'MoRF above LeRF');
    // The seven series colours are drawn (Tableau 10's first seven, e.g. #4e79a7 and #b07aa1).
    const has = (rgb: number[]) => {
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === rgb[0] && png.data[i + 1] === rgb[1] && png.data[i + 2] === rgb[2]) return true;
      return false;
    };
    assert.ok(has([0x4e, 0x79, 0xa7]) && has([0xb0, 0x7a, 0xa1]));
    const json = JSON.parse(run(['evaluate', digits[0], '--model', modelPath, '--methods', 'gradient', '--target', '4', '--steps', '2', '--json']).stdout);
    assert.equal(json.results[0].target, 4);
  });

  it('the verdict: the same sentence and numbers in the text and the JSON; ROAD, --contrast, --baseline, --patch', () => {
    const images = [...digits, ...digits.map((file, i) => {
      const copy = path.join(dir, `shifted-${i}.png`);
      fs.writeFileSync(copy, grayPng((x, y) => (Math.abs(x - 10 - 3 * i) < 2 && y > 3 ? 220 : (x * y) % 31 === 0 ? 90 : 0)));
      return copy;
    })];
    const args = ['evaluate', ...images, '--model', modelPath, '--methods', 'gradient,lrp-a2b1,sensitivity', '--steps', '6', '--road', '--contrast', '3', '--target', '1', '--baseline', 'blur'];
    const json = run([...args, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(doc), ['model', 'backend', 'steps', 'baseline', 'patch', 'results', 'summary', 'verdict', 'roadVerdict']);
    assert.equal(doc.baseline, 'blur');
    for (const res of doc.results) {
      assert.equal(res.target, 1);
      assert.equal(res.contrast, 3);
      assert.equal(res.curves.morf.length, 7);
      assert.equal(res.road.curves.morf.length, 6, 'ROAD: K points, never every pixel removed');
      const aopc = (c: number[]) => c.reduce((t, v) => t + (c[0] - v), 0) / c.length;
      assert.ok(Math.abs(res.road.abpc - (aopc(res.road.curves.morf) - aopc(res.road.curves.lerf))) < 1e-9);
    }
    assert.equal(doc.verdict.images, 6);
    assert.equal(doc.verdict.pairs.length, 3);
    for (const p of doc.verdict.pairs) assert.ok(p.adjusted >= p.pValue && p.adjusted <= 1);
    doc.verdict.methods.forEach((m: any, k: number) => {
      assert.ok(Math.abs(m.mean - doc.summary[k].abpc) < 1e-12);
      assert.ok(Math.abs(m.standardError - doc.summary[k].standardError.abpc) < 1e-12);
    });
    assert.equal(doc.roadVerdict.score, 'ROAD ABPC');
    const text = run(args);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.includes(`Verdict: ${doc.verdict.sentence}\n`), text.stdout);
    assert.ok(text.stdout.includes(`ROAD verdict: ${doc.roadVerdict.sentence}\n`));
    assert.match(text.stdout, /why 1 and not 3/);
    assert.match(text.stdout, /blurred copy of the image \(Gaussian, σ = 1 px\)/);
    // The table's ± s.e. is the JSON's, to its four decimals.
    for (const s of doc.summary) {
      const row = text.stdout.split('\n').find((l) => l.trim().startsWith(s.method + ' '))!;
      assert.equal(row.trim().split(/\s+/)[4], s.standardError.abpc.toFixed(4));
    }
    assert.equal(run([...args, '--contrast', '1']).code, 2, 'a class contrasted with itself');
    const bad = run(['evaluate', digits[0], '--model', modelPath, '--baseline', 'grey']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--baseline must be black, mean, blur \(got "grey"\)/);
    const patches = run(['evaluate', digits[0], '--model', modelPath, '--methods', 'gradient', '--patch', '7', '--steps', '16', '--json']);
    assert.equal(patches.code, 0, patches.stderr);
    assert.equal(JSON.parse(patches.stdout).patch, 7);
    const tooMany = run(['evaluate', digits[0], '--model', modelPath, '--patch', '7', '--steps', '17']);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--steps must be at most 16, the 16 patches of 7×7 pixels/);
  });

  it('K = H·W is accepted; steps out of range are usage errors', () => {
    const all = run(['evaluate', digits[0], '--model', modelPath, '--methods', 'gradient', '--steps', '784', '--json']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(JSON.parse(all.stdout).results[0].curves.morf.length, 785);
    for (const steps of ['0', '785', '2.5']) {
      const r = run(['evaluate', digits[0], '--model', modelPath, '--steps', steps]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--steps must be/);
    }
    assert.equal(run(['evaluate', digits[0]]).code, 2);
  });

  it('takes the inputs explain takes: a folder, and --dataset samples with --indices, with the numbers of the same images as files', () => {
    // The three digits as an (N, 28, 28) uint8 .npy, decoded from the PNGs (grey, 8 bits: the same pixels).
    const pixels = new Uint8Array(3 * 784);
    digits.forEach((file, i) => pixels.set(PNG.sync.read(fs.readFileSync(file)).data.filter((_, k) => k % 4 === 0), i * 784));
    const npy = path.join(dir, 'digits.npy');
    fs.writeFileSync(npy, npyBytes('|u1', [3, 28, 28], pixels));
    const common = ['--model', modelPath, '--methods', 'gradient,lrp-z', '--steps', '7', '--preprocess', 'none', '--json'];
    const fromDataset = run(['evaluate', '--dataset', npy, '--indices', '2,0', ...common]);
    assert.equal(fromDataset.code, 0, fromDataset.stderr);
    const fromFiles = run(['evaluate', digits[2], digits[0], ...common]);
    const a = JSON.parse(fromDataset.stdout);
    const b = JSON.parse(fromFiles.stdout);
    assert.deepEqual(a.results.map((r: any) => r.image), [`${npy} #2`, `${npy} #2`, `${npy} #0`, `${npy} #0`]);
    assert.deepEqual(a.results.map((r: any) => [r.method, r.curves]), b.results.map((r: any) => [r.method, r.curves]));
    assert.deepEqual(a.summary, b.summary);
    const only = fs.mkdtempSync(path.join(dir, 'folder-'));
    for (const file of digits) fs.copyFileSync(file, path.join(only, path.basename(file)));
    const folder = run(['evaluate', only, ...common]);
    assert.equal(folder.code, 0, folder.stderr);
    assert.equal(JSON.parse(folder.stdout).summary[0].images, digits.length, 'every PNG of the folder');
    const missing = run(['evaluate', path.join(dir, 'nope.png'), digits[0], ...common]);
    assert.equal(missing.code, 1, 'a missing input fails the run');
    assert.match(missing.stderr, /nope\.png: no such file/);
    assert.equal(JSON.parse(missing.stdout).summary[0].images, 1, 'the good image is still evaluated');
  });

  it('an unreadable image is named on one line and skipped; the others are reported; exit code 1', () => {
    const broken = path.join(dir, 'broken.png');
    fs.writeFileSync(broken, Buffer.from('not a png at all'));
    const r = run(['evaluate', digits[0], broken, digits[1], '--model', modelPath, '--methods', 'gradient', '--steps', '4', '--json']);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /broken\.png.*not an image in a known format/);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.results.map((res: any) => res.image), [digits[0], digits[1]]);
    assert.equal(doc.summary[0].images, 2);
    const only = run(['evaluate', broken, '--model', modelPath]);
    assert.equal(only.code, 1);
    assert.match(only.stderr, /broken\.png/);
    assert.equal(only.stdout, '');
  });

  it('--randomise --json: one ρ per step from the trained model to every Dense/Conv layer re-drawn, reproducible by --seed', () => {
    const args = ['evaluate', ...digits.slice(0, 2), '--model', modelPath, '--methods', 'gradient,lrp-a2b1', '--randomise', '--json'];
    const r = run(args);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['model', 'backend', 'seed', 'steps', 'results', 'summary']);
    assert.equal(doc.seed, 0);
    // The saved CNN: conv → pool → flatten → dense (the logits): two layers, re-drawn top first.
    assert.equal(doc.steps.length, 3);
    assert.deepEqual(doc.steps.map((s: any) => s.layers), [0, 1, 2]);
    assert.equal(doc.steps[0].randomised, null);
    assert.match(doc.steps[1].randomised, /dense/);
    assert.match(doc.steps[2].randomised, /conv2d/);
    assert.equal(doc.results.length, 4);
    for (const res of doc.results) {
      assert.deepEqual(Object.keys(res), ['image', 'method', 'target', 'spearman', 'spearmanAbs']);
      assert.equal(res.spearman[0], 1);
      assert.equal(res.spearman.length, 3);
    }
    assert.deepEqual(doc.summary.map((s: any) => [s.method, s.images]), [['gradient', 2], ['lrp-a2b1', 2]]);
    assert.deepEqual(JSON.parse(run(args).stdout).results, doc.results);
    const seeded = JSON.parse(run([...args, '--seed', '5']).stdout);
    assert.equal(seeded.seed, 5);
    assert.notDeepEqual(seeded.results[0].spearman, doc.results[0].spearman);
    const text = run(args.filter((a) => a !== '--json'));
    assert.equal(text.code, 0);
    assert.match(text.stdout, /ρ of R:\n {2}method +trained +\+dense\S* +\+conv2d\S*\n {2}gradient +1\.000 /);
    assert.match(text.stdout, /ρ of \|R\|:/);
    const chart = path.join(dir, 'randomised.png');
    assert.equal(run([...args, '--out', chart]).code, 0);
    const png = PNG.sync.read(fs.readFileSync(chart));
    assert.deepEqual([png.width, png.height], [840, 460]);
    assert.equal(run([...args, '--seed', '-1']).code, 2);
    assert.equal(run([...args, '--steps', '4']).code, 2);
  });

  it('a residual functional model: pixel flipping and the randomisation check over its graph', async () => {
    const input = tf.input({ shape: [28, 28, 1] });
    const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(input) as tf.SymbolicTensor;
    const branch = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'branch' }).apply(stem) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([stem, branch]) as tf.SymbolicTensor;
    const relu = tf.layers.reLU().apply(sum) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 4 }).apply(relu) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 10, name: 'head' }).apply(tf.layers.flatten().apply(pooled) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: logits });
    seedWeights(model, 9);
    const residual = await saveModel(model, tempModelDir('evaluate-residual'));
    model.dispose();
    const flip = run(['evaluate', ...digits, '--model', residual, '--methods', 'gradient,lrp-epsilon', '--steps', '10', '--json']);
    assert.equal(flip.code, 0, flip.stderr);
    const doc = JSON.parse(flip.stdout);
    assert.equal(doc.results.length, 6);
    for (const res of doc.results) assert.equal(res.curves.morf.length, 11);
    const check = run(['evaluate', digits[0], '--model', residual, '--methods', 'gradient', '--randomise', '--json']);
    assert.equal(check.code, 0, check.stderr);
    assert.deepEqual(JSON.parse(check.stdout).steps.map((s: any) => s.randomised), [null, 'head', 'branch', 'stem']);
  });
});
