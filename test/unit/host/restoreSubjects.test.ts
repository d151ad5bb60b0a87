// A restored panel's dataset samples (after a window reload): re-read from the file, their label the
// model's class of the same name, as the dataset browser gives it when it opens the panel (classMatch.ts).
// Real files on disk, read by the real readers: a CIFAR-10 batch whose class names come in another order
// than the model's, and an .npy with labels but no class names.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, describe, it } from 'node:test';
import { subjectsFromRefs } from '../../../src/host/restoreSubjects';
import type { SubjectRef } from '../../../src/host/subjects';

const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-subjects-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A CIFAR-10 batch: record i has label labels[i] and every pixel byte (i * 7 + c) & 255 in channel c. */
function writeCifar(name: string, labels: number[]): string {
  const out = Buffer.alloc(labels.length * 3073);
  labels.forEach((label, i) => {
    out[i * 3073] = label;
    for (let c = 0; c < 3; c++) out.fill((i * 7 + c) & 255, i * 3073 + 1 + c * 1024, i * 3073 + 1 + (c + 1) * 1024);
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, out);
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), CIFAR10.join('\n') + '\n\n');
  return file;
}

const sample = (p: string, index: number): SubjectRef => ({ kind: 'dataset-sample', path: p, index });

describe('subjectsFromRefs', () => {
  const batch = writeCifar('data_batch_1.bin', [3, 9, 0, 5]);

  it('maps a sample label by class name: CIFAR "cat" (value 3) is the model class named cat', async () => {
    const model = ['truck', 'ship', 'horse', 'frog', 'dog', 'deer', 'cat', 'bird', 'automobile', 'airplane'];
    let asked = 0;
    const subjects = await subjectsFromRefs([sample(batch, 0), sample(batch, 1), sample(batch, 2), { kind: 'file', path: '/x/a.png' }, sample(batch, 3)], async () => {
      asked++;
      return model;
    });
    assert.equal(subjects.length, 5);
    const labels = subjects.map((s) => s.sample?.label);
    assert.deepEqual(labels, [6, 0, 9, undefined, 4]);
    // The panel names the label with the model's labels: the file's own class names come back.
    assert.deepEqual([0, 1, 2, 4].map((k) => model[labels[k]!]), ['cat', 'truck', 'airplane', 'dog']);
    assert.equal(asked, 1, 'the model is asked for its class names once per restore');
    // The pixels are the sample's own, HWC: record 1 has channel bytes 7, 8, 9.
    const source = subjects[1].source;
    assert.equal(source.kind, 'pixels');
    if (source.kind === 'pixels') {
      assert.deepEqual([source.width, source.height, source.channels], [32, 32, 3]);
      assert.deepEqual([...source.data.subarray(0, 6)], [7, 8, 9, 7, 8, 9]);
    }
    assert.equal(subjects[1].name, 'data_batch_1.bin #1');
  });

  it('a class the model lacks is no label at all (not another class of the model)', async () => {
    const model = ['cat', 'dog', 'truck', 'ship'];
    const subjects = await subjectsFromRefs([sample(batch, 0), sample(batch, 2), sample(batch, 3)], async () => model);
    assert.deepEqual(subjects.map((s) => s.sample), [{ index: 0, label: 0 }, { index: 2 }, { index: 3, label: 1 }]);
  });

  it('the same order (by name, identity) or a model without names keeps the file value', async () => {
    const same = await subjectsFromRefs([sample(batch, 1)], async () => CIFAR10);
    assert.equal(same[0].sample?.label, 9);
    const digits = await subjectsFromRefs([sample(batch, 1)], async () => Array.from({ length: 10 }, (_, k) => String(k)));
    assert.equal(digits[0].sample?.label, 9);
    const failing = await subjectsFromRefs([sample(batch, 1)], async () => {
      throw new Error('model file gone');
    });
    assert.equal(failing[0].sample?.label, 9, 'a model that cannot be read: labels by index, the panel still comes back');
  });

  it('a file without class names keeps its values and never asks the model', async () => {
    // .npy images (2 × 2×2 grey) with labels beside them (x.npy ↔ x-labels.npy, as the npy reader pairs them).
    const npy = (shape: number[], data: number[]) => {
      const header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
      const padded = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
      const head = Buffer.alloc(10);
      Buffer.from('\x93NUMPY', 'latin1').copy(head);
      head[6] = 1;
      head.writeUInt16LE(padded.length, 8);
      return Buffer.concat([head, Buffer.from(padded, 'latin1'), Buffer.from(data)]);
    };
    const images = path.join(dir, 'digits.npy');
    fs.writeFileSync(images, npy([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]));
    fs.writeFileSync(path.join(dir, 'digits-labels.npy'), npy([2], [7, 2]));
    const subjects = await subjectsFromRefs([sample(images, 0), sample(images, 1)], async () => assert.fail('asked the model for names'));
    assert.deepEqual(subjects.map((s) => s.sample), [{ index: 0, label: 7 }, { index: 1, label: 2 }]);
  });

  it('drops samples past the end and files that are gone', async () => {
    const subjects = await subjectsFromRefs([sample(batch, 4), sample(path.join(dir, 'gone.bin'), 0), sample(batch, 0)], async () => CIFAR10);
    assert.deepEqual(subjects.map((s) => s.sample), [{ index: 0, label: 3 }]);
  });
});
