// Which models can predict a data set: same size (as is), other size (resized by the workers, said once),
// other channel count (refused, naming both shapes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '../../../../src/engine/errors';
import { modelInput } from '../../../../src/host/dataset/modelInput';

const data = (height: number, width: number, channels: 1 | 3) => ({ height, width, channels, path: '/d/x.npy' });

describe('modelInput', () => {
  it('uses samples of the model size as they are', () => {
    assert.deepEqual(modelInput(data(32, 32, 3), 'shapes-resnet', [32, 32, 3]), {});
  });

  it('resizes samples of another size in the workers and says so once, naming both sizes', () => {
    const plan = modelInput(data(64, 48, 3), 'shapes-resnet', [32, 32, 3]);
    assert.deepEqual(plan.sampleShape, [64, 48, 3]);
    assert.match(plan.note!, /samples are 48×64, shapes-resnet takes 32×32: each is resized/);
  });

  it('refuses a model of other channels with one line naming both shapes', () => {
    assert.throws(
      () => modelInput(data(28, 28, 1), 'shapes-resnet', [32, 32, 3]),
      (e: unknown) =>
        isUserError(e) && (e as Error).message === "shapes-resnet takes 32×32×3 (RGB) images; this data set's samples are 28×28×1 (grey). Pick a model for grey images.",
    );
    assert.throws(() => modelInput(data(32, 32, 3), 'mnist-mlp', [28, 28, 1]), /mnist-mlp takes 28×28×1 \(grey\) images; this data set's samples are 32×32×3 \(RGB\)/);
  });
});
