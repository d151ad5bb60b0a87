// A card with fields the engine does not use loads with a warning naming them (never a refusal); a known
// field of the wrong type still refuses in one line naming card.json; a model without a card says what was
// assumed; "Create Card…"'s card is written beside the model and the engine explains with it exactly as
// with the hand-written card of the same facts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { runJob } from '../../../src/engine/jobs/runJob';
import { cardPath, noCardHint, readCardReport } from '../../../src/engine/model/modelCard';
import type { Network } from '../../../src/engine/types';
import type { ExplainResult, ModelInfoResult } from '../../../src/protocol/engineJobs';
import type { BackendInfo } from '../../../src/protocol/model';
import { draftCard, IMAGENET_NORMALISATION, labelsProblem, newCardPath, parseLabels, parseNormalisation, writeCard } from '../../../src/host/cardDraft';

const SHAPES = path.resolve(__dirname, '../../fixtures/onnx/shapes-resnet');
const networkOf = (inputShape: number[], outputSize: number): Network => ({ nodes: [], inputShape, outputSize, endsWithSoftmax: false, dispose() {} });

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-card-'));
}

/** The shapes ResNet (ONNX, 4 classes, 32×32×3) alone in a fresh folder: no card, no labels.txt. */
function cardlessResnet(): string {
  const dir = tempDir();
  const file = path.join(dir, 'shapes-resnet.onnx');
  fs.copyFileSync(path.join(SHAPES, 'shapes-resnet.onnx'), file);
  return file;
}

describe('card fields the engine does not use', () => {
  it('unknown fields and a free-form "training" load with one warning each, naming the file and the fields', () => {
    const dir = tempDir();
    const model = path.join(dir, 'model.json');
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ labels: ['a', 'b'], training: '6 epochs', epochs: 6, author: 'me' }));
    const report = readCardReport(model, networkOf([784], 2));
    assert.deepEqual(report.card.labels, ['a', 'b']);
    assert.equal(report.card.training, undefined, 'the text is not passed on as training facts');
    assert.equal(report.cardFile, path.join(dir, 'card.json'));
    assert.deepEqual(report.warnings, [
      `${path.join(dir, 'card.json')}: field "training" is "6 epochs", not an object of training facts; not used`,
      `${path.join(dir, 'card.json')}: unknown fields "epochs", "author" not used (a card knows id, name, dataset, labels, inputShape, inputRange, mean, std, resize, cropFraction, accuracy, training)`,
    ]);
    assert.deepEqual(report.assumed, ['input range [0, 1]', 'no mean/std']);
  });

  it('a card of known fields only warns of nothing; a training object is kept', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ labels: ['a', 'b'], inputRange: [0, 255], mean: 0.5, training: { epochs: 6 } }));
    const report = readCardReport(path.join(dir, 'model.json'), networkOf([784], 2));
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(report.assumed, []);
    assert.deepEqual(report.card.training, { epochs: 6 });
  });

  it('a known field of the wrong type still refuses, in one line naming card.json', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ labels: 'a, b', training: '6 epochs', extra: 1 }));
    const model = path.join(dir, 'model.json');
    assert.throws(() => readCardReport(model, networkOf([784], 2)), {
      name: 'UserError',
      message: `${cardPath(model)}: field "labels" must be a non-empty list of strings, not "a, b"`,
    });
  });

  it('through the engine: an ONNX model with a free-form card explains, model-info names the fields', async () => {
    const backend: BackendInfo = await initBackend(nodeModulesWasmDir());
    const model = cardlessResnet();
    const card = { ...JSON.parse(fs.readFileSync(path.join(SHAPES, 'card.json'), 'utf8')), training: '6 epochs, Adam', notes: 'first try' };
    fs.writeFileSync(path.join(path.dirname(model), 'card.json'), JSON.stringify(card));
    fs.copyFileSync(path.join(SHAPES, 'labels.txt'), path.join(path.dirname(model), 'labels.txt'));
    const info = (await runJob({ type: 'model-info', model: { path: model } }, backend)) as ModelInfoResult;
    assert.equal(info.cardWarnings.length, 2, info.cardWarnings.join('\n'));
    assert.match(info.cardWarnings[0], /card\.json: field "training" is "6 epochs, Adam"/);
    assert.match(info.cardWarnings[1], /card\.json: unknown field "notes" not used/);
    assert.deepEqual(info.card.labels, ['circle', 'square', 'triangle', 'cross']);
    const result = (await runJob({ type: 'explain', model: { path: model }, images: [{ kind: 'file', path: path.join(SHAPES, 'square-64x64.png') }], methods: ['lrp-epsilon'], preprocess: 'none' }, backend)) as ExplainResult;
    assert.equal(result.card.labels[result.explanations[0].predicted], 'square');
  });
});

describe('a model without a card', () => {
  it('names what was assumed: range [0, 1], no mean/std, labels 0…n−1 (labels.txt when there is one)', async () => {
    const dir = tempDir();
    const model = path.join(dir, 'model.json');
    const report = readCardReport(model, networkOf([784], 10));
    assert.equal(report.cardFile, null);
    assert.deepEqual(report.assumed, ['input range [0, 1]', 'no mean/std', 'labels 0…9']);
    assert.equal(noCardHint(report.assumed), 'no card: assumed input range [0, 1], no mean/std, labels 0…9; a card.json beside the model says otherwise');
    fs.writeFileSync(path.join(dir, 'labels.txt'), 'a\nb\n');
    assert.deepEqual(readCardReport(model, networkOf([784], 2)).assumed, ['input range [0, 1]', 'no mean/std']);
  });
});

describe('Create Card…', () => {
  let backend: BackendInfo;
  before(async () => {
    backend = await initBackend(nodeModulesWasmDir());
  });

  it('writes card.json beside a model alone in its folder, <model>.card.json beside others; never over a card', () => {
    const alone = cardlessResnet();
    assert.equal(newCardPath(alone), path.join(path.dirname(alone), 'card.json'));
    const shared = path.join(path.dirname(alone), 'other.keras');
    fs.writeFileSync(shared, '');
    assert.equal(newCardPath(alone), `${alone}.card.json`);
    fs.rmSync(shared);
    const written = writeCard(alone, { labels: ['a'] });
    assert.equal(written, path.join(path.dirname(alone), 'card.json'));
    assert.throws(() => fs.writeFileSync(written, 'x', { flag: 'wx' }));
    assert.equal(newCardPath(alone), `${alone}.card.json`, 'a card.json there already: the model gets its own');
  });

  it("the card of the user's answers loads, and the engine explains with it as with the hand-written card", async () => {
    const model = cardlessResnet();
    const before = (await runJob({ type: 'model-info', model: { path: model } }, backend)) as ModelInfoResult;
    assert.equal(before.cardFile, null);
    assert.deepEqual(before.cardAssumed, ['input range [0, 1]', 'no mean/std', 'labels 0…3']);
    assert.deepEqual(before.card.inputShape, [32, 32, 3], 'the default shape comes from the model');

    const labels = parseLabels('circle, square , triangle,cross');
    assert.equal(labelsProblem(labels, before.card.labels.length), undefined);
    const normalisation = parseNormalisation('0.5, 0.45, 0.4; 0.25, 0.24, 0.26', 3);
    assert.ok(typeof normalisation === 'object', String(normalisation));
    const file = writeCard(model, draftCard(model, before.card, { labels, inputRange: [0, 1], ...normalisation }));
    assert.equal(file, path.join(path.dirname(model), 'card.json'));
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      JSON.stringify({ name: 'shapes-resnet', labels: ['circle', 'square', 'triangle', 'cross'], inputShape: [32, 32, 3], inputRange: [0, 1], mean: [0.5, 0.45, 0.4], std: [0.25, 0.24, 0.26] }, null, 2) + '\n',
    );

    const after = (await runJob({ type: 'model-info', model: { path: model }, recheck: true }, backend)) as ModelInfoResult;
    assert.equal(after.cardFile, file, 'the model cache reads the new card at once');
    assert.deepEqual(after.cardWarnings, []);
    assert.deepEqual(after.cardAssumed, []);
    const job = (modelPath: string) => ({ type: 'explain' as const, model: { path: modelPath }, images: [{ kind: 'file' as const, path: path.join(SHAPES, 'triangle-72x96.png') }], methods: ['lrp-a2b1'], preprocess: 'none' as const });
    const ours = (await runJob(job(model), backend)) as ExplainResult;
    const reference = (await runJob(job(path.join(SHAPES, 'shapes-resnet.onnx')), backend)) as ExplainResult;
    assert.equal(ours.card.labels[ours.explanations[0].predicted], 'triangle');
    assert.equal(ours.explanations[0].logit, reference.explanations[0].logit, 'same input mapping as the fixture card');
    assert.deepEqual(Array.from(ours.explanations[0].probabilities), Array.from(reference.explanations[0].probabilities));
    assert.deepEqual(Array.from(ours.explanations[0].relevance), Array.from(reference.explanations[0].relevance));
  });

  it('checks what the user types', () => {
    assert.equal(labelsProblem(parseLabels('a, b'), 3), '2 names; the model has 3 classes (logits)');
    assert.equal(labelsProblem(parseLabels('a,,c'), 3), 'Class 2 is empty: one name per class, separated by commas');
    assert.deepEqual(parseLabels('a, b\nc'), ['a, b', 'c'], 'one per line when there are lines (names may hold commas)');
    assert.deepEqual(parseNormalisation('0.1307; 0.3081', 1), { mean: [0.1307], std: [0.3081] });
    assert.equal(parseNormalisation('0.5, 0.5; 0.5', 3), 'mean: 1 or 3 numbers, not 2');
    assert.equal(parseNormalisation('0.5; 0', 3), 'std: positive numbers only');
    assert.equal(parseNormalisation('0.5', 3), 'Type the mean, a semicolon, then the std: e.g. 0.5, 0.5, 0.5; 0.5, 0.5, 0.5');
    assert.equal(parseNormalisation('a; 1', 3), 'mean: numbers only');
    assert.deepEqual(IMAGENET_NORMALISATION.mean.length, 3);
  });
});
