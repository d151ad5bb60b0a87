// The model card: defaults from the network, card.json, overrides, and the input-space mappings.
import assert from 'node:assert/strict';
import * as path from 'path';
import { test } from 'node:test';
import { cardPath, networkInputBounds, pixelToInput, readCard } from '../../../src/engine/model/modelCard';
import type { Network } from '../../../src/engine/types';
import type { ModelCard } from '../../../src/protocol/model';
import { tempModelDir, writeJson } from './savedModels';

/** The card only looks at a network's input shape and logit count; no tensors are involved. */
function networkOf(inputShape: number[], outputSize: number): Network {
  return { nodes: [], inputShape, outputSize, endsWithSoftmax: false, dispose() {} };
}

function modelIn(folder: string, card?: unknown): string {
  const dir = tempModelDir(folder);
  if (card !== undefined) writeJson(path.join(dir, 'card.json'), card);
  return path.join(dir, 'model.json');
}

test('defaults without card.json: folder name, labels 0..N-1, image shape from the input, range [0, 1]', () => {
  const file = modelIn('mnist-mlp');
  assert.deepEqual(readCard(file, networkOf([784], 10)), {
    id: 'mnist-mlp',
    name: 'mnist-mlp',
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    inputRange: [0, 1],
    inputShape: [28, 28, 1],
  });
  assert.deepEqual(readCard(file, networkOf([3072], 2)).inputShape, [32, 32, 3]);
  assert.deepEqual(readCard(file, networkOf([5, 7, 2], 2)).inputShape, [5, 7, 2]);
  assert.deepEqual(readCard(file, networkOf([4, 6], 2)).inputShape, [4, 6, 1]);
  assert.throws(() => readCard(file, networkOf([12 * 13], 2)), {
    message: `${file}: the model's input shape [156] is not a square image; add a card.json beside it with "inputShape": [height, width, channels]`,
  });
});

test('card.json fields are read, missing ones defaulted, unknown ones ignored', () => {
  const full: ModelCard = {
    id: 'fmnist-cnn',
    name: 'FashionMNIST CNN',
    dataset: 'fashion-mnist',
    labels: ['T-shirt/top', 'Trouser', 'Pullover'],
    inputShape: [28, 28, 1],
    inputRange: [0, 1],
    mean: 0.286,
    std: 0.353,
    accuracy: 0.91,
    training: { epochs: 5, seed: 1 },
  };
  const file = modelIn('whatever', { ...full, licence: 'MIT' });
  assert.equal(cardPath(file), path.join(path.dirname(file), 'card.json'));
  assert.deepEqual(readCard(file, networkOf([784], 3)), full);

  const partial = modelIn('partial', { name: 'Just a name', inputRange: null });
  assert.deepEqual(readCard(partial, networkOf([784], 2)), {
    id: 'partial',
    name: 'Just a name',
    labels: ['0', '1'],
    inputRange: null,
    inputShape: [28, 28, 1],
  });
});

test('overrides win over card.json and the defaults; undefined overrides change nothing', () => {
  const file = modelIn('over', { name: 'From card', labels: ['a', 'b'], inputRange: [0, 255] });
  const card = readCard(file, networkOf([784], 2), { name: 'From caller', inputRange: null, labels: undefined, inputShape: [14, 56, 1] });
  assert.equal(card.name, 'From caller');
  assert.equal(card.inputRange, null);
  assert.deepEqual(card.labels, ['a', 'b']);
  assert.deepEqual(card.inputShape, [14, 56, 1]);
  assert.equal(card.id, 'over');
});

test('a card that does not fit the network names card.json and the field', () => {
  const file = modelIn('misfit', { inputShape: [28, 28, 3] });
  const card = cardPath(file);
  assert.throws(() => readCard(file, networkOf([784], 2)), {
    message: `${card}: field "inputShape" [28,28,3] does not fit the model's input shape [784]`,
  });
  assert.throws(() => readCard(file, networkOf([28, 28, 1], 2), { inputShape: [28, 28, 2] }), {
    message: `card override "inputShape" [28,28,2] does not fit the model's input shape [28,28,1]`,
  });
  const rgb = modelIn('rgb', { mean: [0.5, 0.5] });
  assert.throws(() => readCard(rgb, networkOf([3072], 2)), {
    message: `${cardPath(rgb)}: field "mean" has 2 values but the image has 3 channels`,
  });
});

test('each card.json field is validated', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ id: 3 }, 'field "id" must be a non-empty string, not 3'],
    [{ name: '' }, 'field "name" must be a non-empty string, not ""'],
    [{ labels: ['a', 2] }, 'field "labels" must be a non-empty list of strings, not ["a",2]'],
    [{ inputShape: [28, 28] }, 'field "inputShape" must be [height, width, channels] of positive integers, not [28,28]'],
    [{ inputRange: [0] }, 'field "inputRange" must be null or [low, high] with low < high, not [0]'],
    [{ mean: 'x' }, 'field "mean" must be a number or a list of numbers, not "x"'],
    [{ std: [1, -1, 1] }, 'field "std" must be a positive number or a list of them, not [1,-1,1]'],
    [{ accuracy: 91 }, 'field "accuracy" must be a number in [0, 1], not 91'],
    // A free-form "training" loads with a warning (issue 25): test/unit/byom/cardFindings.test.ts.
  ];
  for (const [fields, message] of cases) {
    const file = modelIn('invalid', fields);
    assert.throws(() => readCard(file, networkOf([784], 2)), { message: `${cardPath(file)}: ${message}` });
  }
  const notObject = modelIn('array', [1, 2]);
  assert.throws(() => readCard(notObject, networkOf([784], 2)), { message: `${cardPath(notObject)}: must be a JSON object` });
});

const base: ModelCard = { id: 'm', name: 'm', labels: ['0'], inputShape: [2, 2, 3], inputRange: [0, 1] };

test('networkInputBounds maps the range through mean/std, one box per channel', () => {
  assert.deepEqual(networkInputBounds(base), [
    [0, 0, 0],
    [1, 1, 1],
  ]);
  assert.equal(networkInputBounds({ ...base, inputRange: null }), null);

  const [lo, hi] = networkInputBounds({ ...base, inputRange: [0, 1], mean: 0.1307, std: 0.3081 })!;
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(lo[c] - -0.1307 / 0.3081) < 1e-12 && Math.abs(hi[c] - 0.8693 / 0.3081) < 1e-12);

  // Channels map [-1, 1] to [-3, 1], [-8, 0], [0, 1].
  const perChannel = networkInputBounds({ ...base, inputRange: [-1, 1], mean: [0.5, 1, -1], std: [0.5, 0.25, 2] });
  assert.deepEqual(perChannel, [
    [-3, -8, 0],
    [1, 0, 1],
  ]);
});

test('pixelToInput: 0 → low, 255 → high, then (x − mean)/std of the channel', () => {
  const plain = pixelToInput(base);
  assert.equal(plain(0, 0), 0);
  assert.equal(plain(255, 2), 1);
  assert.ok(Math.abs(plain(51, 1) - 0.2) < 1e-12);

  const normalised = pixelToInput({ ...base, inputRange: [-1, 1], mean: [0.5, 1, -1], std: [0.5, 0.25, 2] });
  // 51 → −1 + 2·51/255 = −0.6; channel 1: (−0.6 − 1)/0.25 = −6.4; channel 2: (−0.6 + 1)/2 = 0.2.
  assert.ok(Math.abs(normalised(51, 1) - -6.4) < 1e-12);
  assert.ok(Math.abs(normalised(51, 2) - 0.2) < 1e-12);
  assert.equal(normalised(255, 0), 1);

  // Unbounded input has no pixel range of its own: pixels map to [0, 1].
  assert.equal(pixelToInput({ ...base, inputRange: null })(255, 0), 1);
});
