// `concepts` and `spray` as a user runs them (node dist/cli.js, real workers): the JSON documents against
// the engine run in this process, the planted shortcut found from the command line, PNGs written, and bad
// input answered with one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runConcepts } from '../../../src/engine/concepts/conceptJob';
import { CLI, bundleReady } from '../bundles';
import { SHORTCUT_CLASS, shortcutSamples, writeShortcutModel, writeShortcutNpz, type ShortcutSamples } from '../spray/shortcutFixture';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SEVEN = path.join(REPO, 'models', 'samples', 'mnist-7-0000.png');
const MNIST_1K = path.join(REPO, 'models', 'samples', 'mnist-test-1k.npz');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--workers', '2'], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('explain-image concepts and spray', { timeout: 10 * 60_000 }, () => {
  let dir: string;
  let shortcutModel: string;
  let samples: ShortcutSamples;
  let npz: string;

  before(async () => {
    await bundleReady(CLI);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concepts-cli-'));
    shortcutModel = await writeShortcutModel(path.join(dir, 'shortcut'));
    samples = shortcutSamples(1000);
    npz = writeShortcutNpz(path.join(dir, 'digits.npz'), samples);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('concepts --json: every channel relevance and the top channels as the engine computes them, reference samples from --dataset', async () => {
    const r = run(['concepts', SEVEN, '--layer', 'conv2', '--dataset', MNIST_1K, '--top', '4', '--references', '3', '--json', '--out', path.join(dir, 'pngs')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.model, 'mnist-cnn');
    assert.equal(doc.method, 'lrp-a2b1');
    assert.deepEqual(doc.layer, { name: 'conv2', kind: 'conv2d', shape: [14, 14, 64], channels: 64 });
    assert.equal(doc.target, 7);
    assert.equal(doc.channelRelevance.length, 64);
    const mine = await runConcepts(
      { type: 'concepts', model: { path: path.join(REPO, 'models', 'mnist-cnn', 'model.json') }, images: [{ kind: 'file', path: SEVEN }], method: 'lrp-a2b1', layer: 'conv2', preprocess: 'auto', conditional: { top: 4 } },
      { name: 'wasm-simd' },
    );
    const item = mine.items[0];
    doc.channelRelevance.forEach((v: number, c: number) => assert.ok(Math.abs(v - item.channelRelevance[c]) <= 1e-5 * Math.max(1, Math.abs(item.channelRelevance[c])), `channel ${c}`));
    assert.deepEqual(doc.channels.map((c: { channel: number }) => c.channel), item.conditional.map((m) => m.channel));
    const absolute = Array.from(item.channelRelevance).reduce((s, v) => s + Math.abs(v), 0);
    for (const c of doc.channels) {
      assert.ok(Math.abs(c.share - item.channelRelevance[c.channel] / absolute) < 1e-6);
      assert.equal(c.references.length, 3);
      for (let k = 1; k < 3; k++) assert.ok(c.references[k - 1].relevance >= c.references[k].relevance);
      assert.ok(fs.existsSync(path.join(dir, 'pngs', `channel-${c.channel}.png`)));
      assert.ok(fs.existsSync(path.join(dir, 'pngs', `channel-${c.channel}-ref-1-${c.references[0].sample}.png`)));
    }
    assert.equal(doc.dataset.searched, 1000);
  });

  it('concepts text: a table naming the node and the method', () => {
    const r = run(['concepts', SEVEN, '--layer', 'dense1', '--top', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^mnist-cnn · dense1 \(dense, 128\) · LRP-α2β1 · class 7 \(predicted\)/);
    assert.equal(r.stdout.trim().split('\n').length, 3 + 3 + 1);
  });

  it('spray --json finds the planted shortcut: the marked 7s are one cluster', () => {
    const r = run(['spray', '--dataset', npz, '--class', String(SHORTCUT_CLASS), '--model', shortcutModel, '--json', '--out', path.join(dir, 'means')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.class, 7);
    assert.equal(doc.selectedBy, 'label');
    const sevens = Array.from(samples.labels).flatMap((l, i) => (l === SHORTCUT_CLASS ? [i] : []));
    assert.deepEqual(doc.samples.map((s: { sample: number }) => s.sample), sevens);
    const marked = new Set(samples.marked);
    const inCluster = (id: number) => doc.samples.filter((s: { cluster: number }) => s.cluster === id);
    const best = doc.clusters.reduce((a: { id: number }, b: { id: number }) =>
      inCluster(b.id).filter((s: { sample: number }) => marked.has(s.sample)).length > inCluster(a.id).filter((s: { sample: number }) => marked.has(s.sample)).length ? b : a,
    );
    const members = inCluster(best.id);
    const purity = members.filter((s: { sample: number }) => marked.has(s.sample)).length / members.length;
    assert.ok(purity >= 0.9, `purity ${purity}`);
    assert.equal(doc.eigenvalues.length >= doc.clusterCount + 1, true);
    assert.ok(fs.existsSync(path.join(dir, 'means', `cluster-${best.id}-mean.png`)));
  });

  it('bad input: one line each, exit codes 1 (data) and 2 (usage)', () => {
    const noLayer = run(['concepts', SEVEN, '--layer', 'pool1']);
    assert.equal(noLayer.code, 1);
    assert.match(noLayer.stderr.trim(), /^explain-image: node "pool1" is a maxPool node; concepts are the channels of Dense, Conv and attention \(A·V\) nodes; nodes with concepts: conv1, conv2, dense1, logits$/);
    const notLrp = run(['concepts', SEVEN, '--layer', 'conv2', '--method', 'sensitivity']);
    assert.equal(notLrp.code, 1);
    assert.match(notLrp.stderr, /concepts need an LRP method/);
    const noClass = run(['spray', '--dataset', MNIST_1K]);
    assert.equal(noClass.code, 2);
    assert.match(noClass.stderr, /spray needs --class/);
    const badClass = run(['spray', '--dataset', MNIST_1K, '--class', '12']);
    assert.equal(badClass.code, 2);
    assert.match(badClass.stderr, /--class must be a class index 0\.\.9 or a label \(got "12"\)/);
  });
});
