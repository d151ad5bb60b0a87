// The CLI with the bad command lines and bad models of issue 20 (`node dist/cli.js …`, built by `npm run
// build`): bad option values are usage errors (exit 2, one line, the usage text, never "internal error");
// an --out that cannot be written (under /proc, a folder given as the PNG, a missing parent, a device) is
// refused before any work with one line naming it (exit 1), and nothing hangs; --workers is bounded by the
// machine's cores. A model refused by a budget or by confinement is one line naming it, and the next run (or
// the next job on the same worker) with a good model works.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { maxWorkers } from '../../../src/engine/budgets';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import { isUserError, MAX_MESSAGE } from '../../../src/engine/errors';
import { convNet, withExternal } from '../import/attackFiles';
import { bundleReady, CLI, DIST, WORKER } from '../bundles';
import { tempModelDir } from '../model/savedModels';

const IMAGE = path.resolve(__dirname, '../../../models/samples/mnist-7-0000.png');
const SHAPES = path.resolve(__dirname, '../../fixtures/onnx/shapes-resnet');

function run(args: string[], timeout = 120_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0, signal: r.signal };
}

const explain = (...more: string[]) => ['explain', IMAGE, '--model', 'mnist-cnn', '--method', 'gradient', ...more];

/** Exit `code`, the first stderr line matching `pattern`, one line of at most 300 characters, no "internal error", no stack. */
function assertFails(r: ReturnType<typeof run>, code: number, pattern: RegExp) {
  assert.equal(r.signal, null, `ended by ${r.signal} (a hang?)`);
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const first = r.stderr.split('\n')[0];
  assert.match(first, pattern);
  assert.ok(first.length <= MAX_MESSAGE + 'explain-image: '.length, `${first.length} characters`);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  if (code === 1) assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  else assert.match(r.stderr, /Usage: explain-image/);
}

describe('CLI: bad options and outputs', () => {
  let dir: string;
  before(async () => {
    await bundleReady(CLI);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-untrusted-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('bad option values are usage errors naming the option, its choices and the value', () => {
    assertFails(run(explain('--colormap', 'nope')), 2, /^explain-image: --colormap must be bwr, gray, coldnhot, viridis \(got "nope"\)$/);
    assertFails(run(explain('--scale', '1000000')), 2, /^explain-image: --scale must be a whole number from 1 to 32 \(got "1000000"\)$/);
    assertFails(run(explain('--preprocess', 'x'.repeat(100_000))), 2, /^explain-image: --preprocess must be auto, fit or none \(got "x+…\)$/);
    const most = maxWorkers();
    assertFails(run(explain('--workers', '1000000')), 2, new RegExp(`^explain-image: --workers must be a whole number from 1 to ${most} \\(2 per core of this machine's \\d+\\) \\(got "1000000"\\)$`));
    assertFails(run(['compare', IMAGE, '--model', 'mnist-cnn', '--workers', '0', '--out', path.join(dir, 'g.png')]), 2, /--workers must be a whole number/);
  });

  it('an --out that cannot be written is refused before any work, in one line naming it, and nothing hangs', () => {
    const folderPng = path.join(dir, 'taken.png');
    fs.mkdirSync(folderPng);
    const notAFolder = path.join(dir, 'plain-file');
    fs.writeFileSync(notAFolder, 'x');
    const cases: Array<[string[], RegExp]> = [
      [explain('--out', '/proc/heat.png'), /^explain-image: \/proc\/heat\.png: --out is on a kernel interface file system \(\/proc, \/sys\), not a place for files; choose a path on a disk$/],
      [explain('--out', '/proc/self/heatmaps/'), /\/proc\/self\/heatmaps: --out is on a kernel interface file system/],
      [explain('--out', '/sys/kernel/heat.png'), /--out is on a kernel interface file system/],
      [explain('--out', folderPng), /taken\.png: --out is a folder; give a file name ending in \.png/],
      [explain('--out', path.join(notAFolder, 'deeper', 'heat.png')), /heat\.png: --out cannot be written: ".*plain-file" is not a folder/],
      [explain('--out', notAFolder), /plain-file: --out exists and is not a folder/],
      [explain('--out', '/dev/full'), /\/dev\/full: --out exists and is not a folder/],
      [['compare', IMAGE, '--model', 'mnist-cnn', '--out', '/proc/grid.png'], /\/proc\/grid\.png: --out is on a kernel interface file system/],
      [['evaluate', IMAGE, '--model', 'mnist-cnn', '--methods', 'gradient', '--out', '/proc/curves.png'], /\/proc\/curves\.png: --out is on a kernel interface file system/],
    ];
    for (const [args, pattern] of cases) {
      const r = run(args, 60_000);
      assertFails(r, 1, pattern);
      assert.ok(r.ms < 30_000, `${args.join(' ')}: ${r.ms} ms`);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'missing')), 'a missing parent is not created');
  });

  it('an image argument that is a FIFO or a device is one line naming it, at once (it used to block forever)', () => {
    const fifo = path.join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    for (const image of [fifo, '/dev/zero']) {
      const r = run(['explain', image, '--model', 'mnist-cnn', '--method', 'gradient'], 60_000);
      assertFails(r, 1, new RegExp(`^explain-image: ${image.replace(/[./]/g, '\\$&')}: is not a regular file \\(a FIFO, a device or a socket\\); give an image file$`));
      assert.ok(r.ms < 30_000, `${image}: ${r.ms} ms`);
    }
  });

  it('a good --out still works: a new file in an existing folder, a new folder of PNGs', () => {
    const file = path.join(dir, 'heat.png');
    assert.equal(run(explain('--out', file)).code, 0);
    assert.ok(fs.statSync(file).size > 0);
    const folder = path.join(dir, 'maps');
    assert.equal(run(explain('--out', folder)).code, 0);
    assert.deepEqual(fs.readdirSync(folder), ['mnist-7-0000-gradient.png']);
  });
});

describe('CLI: a bad model, then a good one', () => {
  before(async () => {
    await bundleReady(CLI);
  });

  it('an absurd Pad and an external-data escape are one line naming the model, exit 1; the good model then explains', () => {
    const dir = tempModelDir('bad-models');
    const pad = path.join(dir, 'pad.onnx');
    fs.writeFileSync(pad, convNet((w, x) => w.node('Pad', [x, w.ints('pads', [0, 0, 30000, 30000, 0, 0, 30000, 30000])], {}, ['p'], 'absurd_pad')).encode());
    const escape = path.join(dir, 'escape.onnx');
    const external = withExternal(convNet().encode(), 'k', '../secret.bin');
    fs.writeFileSync(escape, external.model);
    fs.writeFileSync(path.join(path.dirname(dir), 'secret.bin'), external.data);
    const image = path.join(SHAPES, 'circle-64x64.png');
    assertFails(run(['explain', image, '--model', pad, '--method', 'gradient']), 1, new RegExp(`^explain-image: ${pad.replace(/[./]/g, '\\$&')}: the output \\[60008,60008,3\\] of node "absurd_pad" \\(pad\\) is 10,802,880,192 values per image, over the limit of 33,554,432`));
    assertFails(run(['explain', image, '--model', escape, '--method', 'gradient']), 1, /escape\.onnx: initializer "k"'s external data file "\.\.\/secret\.bin" leaves the model's folder; move the file into it$/);
    const good = run(['explain', image, '--model', path.join(SHAPES, 'shapes-resnet.onnx'), '--method', 'gradient', '--json']);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).results[0].prediction.label, 'circle');
  });

  it('on one worker: the bad model\'s job fails with its line, the next job (a good model) on the same worker works', async () => {
    await bundleReady(WORKER);
    const pool = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      const dir = tempModelDir('pool-bad');
      const pad = path.join(dir, 'pad.onnx');
      fs.writeFileSync(pad, convNet((w, x) => w.node('Pad', [x, w.ints('pads', [0, 0, 30000, 30000, 0, 0, 30000, 30000])])).encode());
      await assert.rejects(pool.run({ type: 'model-info', model: { path: pad } }), (e: unknown) => isUserError(e) && /values per image, over the limit/.test((e as Error).message));
      const result = await pool.run({ type: 'explain', model: { path: path.join(SHAPES, 'shapes-resnet.onnx') }, images: [{ kind: 'file', path: path.join(SHAPES, 'square-64x64.png') }], methods: ['lrp-epsilon'], preprocess: 'none' });
      assert.equal(result.card.labels[result.explanations[0].predicted], 'square');
    } finally {
      await pool.dispose();
    }
  });
});
