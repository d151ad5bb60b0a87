// Host-side rules of issue 10 that need no VS Code: mismatch hints on the bundled data, the run log's
// line format, dataset sample names and tab titles, and how a panel's display follows settings.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../../src/engine/data/datasetFile';
import { datasetHint, distance, FAR_SIGMAS, imageHint, imageStats, referenceFor, referenceOf } from '../../../src/host/mismatchHint';
import { displaySettingValues, followSettings, methodSummary, progressUnit } from '../../../src/host/panelState';
import { formatDuration, runLine } from '../../../src/host/runLog';
import { fileSubject, rowName, sampleSubject, subjectsTitle } from '../../../src/host/subjects';
import type { DisplaySettings } from '../../../src/protocol/display';

const repo = path.resolve(__dirname, '../../..');
const samples = path.join(repo, 'models/samples');

async function statsOf(file: string) {
  const d = await openDataset(path.join(samples, file));
  try {
    const px = await d.read(0, d.count);
    return Array.from({ length: d.count }, (_, i) => imageStats(px.subarray(i * 784, (i + 1) * 784)));
  } finally {
    await d.close();
  }
}

test('image statistics: brightness and ink share, by hand', () => {
  const s = imageStats([0, 0, 255, 65, 64, 255]);
  assert.equal(s.brightness, (255 + 65 + 64 + 255) / 6 / 255);
  assert.equal(s.ink, 3 / 6, 'values above 64 count as ink');
  const ref = referenceOf('Toy', [{ brightness: 0.1, ink: 0.2 }, { brightness: 0.3, ink: 0.2 }]);
  assert.ok(Math.abs(ref.brightness.mean - 0.2) < 1e-12 && Math.abs(ref.brightness.sd - 0.1) < 1e-12, JSON.stringify(ref.brightness));
  assert.ok(Math.abs(distance({ brightness: 0.7, ink: 0.2 }, ref) - 5) < 1e-9, '(0.7 − 0.2) / 0.1 σ; ink has sd 0 (floored), equal means');
});

test('mismatch rule on the bundled data: no MNIST test image is far from MNIST, most FashionMNIST ones are', async () => {
  const mnist = await referenceFor('MNIST', repo);
  assert.ok(mnist);
  const mnistStats = await statsOf('mnist-test-1k-images.npy');
  const fashionStats = await statsOf('fashion-test-1k-images.npy');
  assert.equal(mnistStats.filter((s) => distance(s, mnist) > FAR_SIGMAS).length, 0);
  const far = fashionStats.filter((s) => distance(s, mnist) > FAR_SIGMAS).length / fashionStats.length;
  assert.ok(far > 0.5 && far < 0.8, `share of FashionMNIST far from MNIST: ${far}`);
  assert.match(datasetHint({ modelName: 'MNIST CNN', classes: 10, samples: fashionStats }, mnist)!, /^\d+% of these samples look unlike MNIST, the data MNIST CNN was trained on/);
  assert.equal(datasetHint({ modelName: 'MNIST CNN', classes: 10, samples: mnistStats }, mnist), undefined);
  // FashionMNIST under its own model: quiet too.
  const fashion = await referenceFor('FashionMNIST', repo);
  assert.equal(datasetHint({ modelName: 'Fashion CNN', classes: 10, samples: fashionStats }, fashion), undefined);
  // A photo-like input (mid-grey everywhere) under MNIST gets the image hint; the 7 does not.
  assert.match(imageHint(imageStats(new Array(784).fill(128)), mnist, 'MNIST CNN')!, /looks unlike MNIST/);
  assert.equal(imageHint(mnistStats[0], mnist, 'MNIST CNN'), undefined);
  assert.equal(await referenceFor('CIFAR-10', repo), undefined, 'no bundled reference: no image hint');
});

test('mismatch rule with labels: accuracy at most twice chance', () => {
  const facts = (accuracy: number) => ({ modelName: 'M', classes: 10, accuracy, samples: [] });
  assert.match(datasetHint(facts(0.095), undefined)!, /M gets 9\.5% of these labels right, about chance \(10% for 10 classes\)/);
  assert.ok(datasetHint(facts(0.2), undefined), '20% is twice chance: still a hint');
  assert.equal(datasetHint(facts(0.21), undefined), undefined);
  assert.equal(datasetHint(facts(0.98), undefined), undefined);
});

test('run log lines: ISO timestamp, kind, the fields that are set', () => {
  const at = new Date(Date.UTC(2026, 11, 1, 9, 21, 56, 108));
  assert.equal(runLine('explain', ['mnist-7-0000.png', 'mnist-cnn', 'lrp-a2b1', undefined, 'class 7 (predicted)', false, '23 ms compute'], at), '2026-12-01T09:21:56.108Z [explain] mnist-7-0000.png · mnist-cnn · lrp-a2b1 · class 7 (predicted) · 23 ms compute');
  assert.equal(formatDuration(41.4), '41 ms');
  assert.equal(formatDuration(9554), '9.6 s');
});

test('dataset samples: row names with the true label, tab titles by what a panel holds', () => {
  const px = new Uint8Array(784);
  const a = sampleSubject('/data/mnist-test-1k.npz', 582, px, { width: 28, height: 28, channels: 1 }, 8);
  const b = sampleSubject('/data/mnist-test-1k.npz', 583, px, { width: 28, height: 28, channels: 1 }, 1);
  assert.equal(rowName(a), '#582 · label 8');
  assert.equal(rowName(sampleSubject('/data/f.npy', 3, px, { width: 28, height: 28, channels: 1 }, 8), ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']), '#3 · label Bag');
  assert.equal(rowName(sampleSubject('/data/x.npy', 7, px, { width: 28, height: 28, channels: 1 })), '#7', 'no label in the file');
  assert.equal(rowName(fileSubject('/w/seven.png')), 'seven.png');
  assert.equal(subjectsTitle([a, b]), '#582, #583 of mnist-test-1k.npz');
  assert.equal(subjectsTitle([fileSubject('/w/a.png'), fileSubject('/w/b.png')]), 'a.png, b.png');
  assert.equal(subjectsTitle(['a', 'b', 'c', 'd', 'e'].map((n) => fileSubject(`/w/${n}.png`))), 'a.png, b.png, c.png +2');
  assert.notEqual(subjectsTitle([a]), subjectsTitle([b]), 'two comparisons of different samples are told apart');
});

test('display follows only the settings that changed; progress units; method summaries', () => {
  const panel: DisplaySettings = { colormap: 'viridis', normalization: { kind: 'max' }, overlay: true, opacity: 0.3 };
  const settings: DisplaySettings = { colormap: 'gray', normalization: { kind: 'percentile', p: 90 }, overlay: false, opacity: 0.6 };
  assert.deepEqual(followSettings(panel, settings, (k) => k === 'explainImage.colormap'), { ...panel, colormap: 'gray' });
  assert.deepEqual(followSettings(panel, settings, (k) => k === 'explainImage.percentile'), { ...panel, normalization: { kind: 'percentile', p: 90 } });
  assert.deepEqual(followSettings(panel, settings, () => true), settings);
  assert.deepEqual(followSettings(panel, { ...settings, opacityByRelevance: true }, (k) => k === 'explainImage.overlayByRelevance'), { ...panel, opacityByRelevance: true });
  assert.equal(progressUnit('smoothgrad:samples=8 sigma=0.1'), 'samples');
  assert.equal(progressUnit('integrated-gradients'), 'steps');
  assert.equal(progressUnit('lrp-a2b1'), undefined);
  assert.equal(progressUnit('nonsense'), undefined);
  assert.equal(methodSummary('deep-taylor').conservative, true);
  assert.equal(methodSummary('smoothgrad').conservative, false);
  assert.deepEqual(methodSummary('not a method').title, [{ text: 'not a method' }]);
});

test('"Use everywhere" writes the display as the settings that hold it; a "max" leaves the percentile as set', () => {
  const percentile: DisplaySettings = { colormap: 'viridis', normalization: { kind: 'percentile', p: 97 }, overlay: true, opacity: 0.4, opacityByRelevance: true };
  assert.deepEqual(displaySettingValues(percentile), [
    ['colormap', 'viridis'],
    ['normalization', 'percentile'],
    ['percentile', 97],
    ['overlay', true],
    ['overlayOpacity', 0.4],
    ['overlayByRelevance', true],
  ]);
  const max: DisplaySettings = { colormap: 'gray', normalization: { kind: 'max' }, overlay: false, opacity: 0.6 };
  assert.deepEqual(displaySettingValues(max), [
    ['colormap', 'gray'],
    ['normalization', 'max'],
    ['overlay', false],
    ['overlayOpacity', 0.6],
    ['overlayByRelevance', false],
  ]);
  // Every key written is a display setting the panels follow, and is contributed in package.json.
  const contributed = Object.keys(JSON.parse(require('node:fs').readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).contributes.configuration.properties);
  for (const [key] of displaySettingValues(percentile)) assert.ok(contributed.includes(`explainImage.${key}`), `explainImage.${key} is contributed`);
});
