// Damaged HDF5 structure that makes jsfive read without end: jsfive walks a version-1 B-tree as a tree, so a
// group B-tree whose nodes share their children (each level consistent with its parent's, which jsfive
// checks) is read fanOut^levels times, every node kept in its lists, until the heap is gone (found by the
// .h5 fuzz target: a case that ran for minutes). Such a file is refused with one line naming it, within
// seconds and without growing the heap; the intact file still loads with the same logits, and the read guard
// leaves DataView and friends as they were. (The intact file's logits are checked against tfjs in
// kerasModels.test.ts; here they only must not change after a refusal.)
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadAnyModel } from '../../../../src/engine/import/loadAnyModel';
import { logitsOf } from '../../../../src/engine/network/forward';
import { tempModelDir } from '../../model/savedModels';
import { refused } from '../attackFiles';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const KERAS2_H5 = path.resolve(__dirname, '../../../fixtures/keras/sequential-cnn-keras2.h5');

/** Offsets of the version-1 B-tree nodes ("TREE") of group type (0) in an HDF5 file. */
function groupTreeNodes(bytes: Uint8Array): number[] {
  const found: number[] = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buffer.indexOf('TREE'); at >= 0; at = buffer.indexOf('TREE', at + 1)) if (bytes[at + 4] === 0) found.push(at);
  return found;
}

/**
 * The fixture with its root group's B-tree made a tall ladder whose nodes all share their children: the root
 * node (level `levels`) has one child, appended after the file's end, of level `levels` − 1 whose `fanOut`
 * children are all the next node, and so on down to a copy of the original leaf. Every level is consistent
 * (jsfive checks that a child's level is its parent's minus one), but jsfive reads the tree as a tree:
 * fanOut^(levels − 1) leaves. Layout of a v1 node: "TREE", type u8, level u8, entries u16, two sibling
 * addresses u64, then key (u64), child address (u64), key, address, …, key.
 */
function ladderTree(levels: number, fanOut: number): Uint8Array {
  const original = new Uint8Array(fs.readFileSync(KERAS2_H5));
  const root = groupTreeNodes(original)[0];
  assert.ok(root !== undefined, 'the fixture has a group B-tree');
  const header = 24;
  const leafSize = header + 8 + 8 + 8;
  assert.equal(new DataView(original.buffer, original.byteOffset).getUint16(root + 6, true), 1, 'the root leaf has one entry');
  const innerSize = header + fanOut * 16 + 8;
  const base = original.length;
  const bytes = new Uint8Array(base + (levels - 1) * innerSize + leafSize);
  bytes.set(original);
  const view = new DataView(bytes.buffer);
  const inner = (at: number, level: number, entries: number, child: number) => {
    bytes.set(original.subarray(root, root + header), at);
    bytes[at + 5] = level;
    view.setUint16(at + 6, entries, true);
    for (let i = 0; i < entries; i++) view.setBigUint64(at + header + 8 + 16 * i, BigInt(child), true);
  };
  inner(root, levels, 1, base);
  for (let level = levels - 1; level >= 1; level--) {
    const at = base + (levels - 1 - level) * innerSize;
    inner(at, level, fanOut, level === 1 ? base + (levels - 1) * innerSize : at + innerSize);
  }
  bytes.set(original.subarray(root, root + leafSize), base + (levels - 1) * innerSize);
  return bytes;
}

const DATA_VIEW_GETTERS = Object.getOwnPropertyNames(DataView.prototype).filter((n) => n.startsWith('get'));
const untouched = () => [...DATA_VIEW_GETTERS.map((n) => (DataView.prototype as unknown as Record<string, unknown>)[n]), ArrayBuffer.prototype.slice, TextDecoder.prototype.decode];

test('a 3-level ladder of 2 shared children (4 leaves, the same group four times) is read: the crafted B-tree is one jsfive follows', async () => {
  const file = path.join(tempModelDir('h5loop'), 'model.h5');
  fs.writeFileSync(file, ladderTree(3, 2));
  const model = await loadAnyModel(file);
  model.network.dispose();
});

for (const padding of [0, 32 * 2 ** 20]) {
  test(`an .h5 whose root group B-tree is an 8-level ladder of 16 shared children (16^7 leaves)${padding ? ', in a 32 MB file,' : ''} is refused in seconds, naming the file`, async () => {
    const before = untouched();
    const heapBefore = process.memoryUsage().heapUsed;
    const file = path.join(tempModelDir('h5loop'), 'model.h5');
    const ladder = ladderTree(8, 16);
    const bytes = new Uint8Array(ladder.length + padding);
    bytes.set(ladder);
    fs.writeFileSync(file, bytes);
    await refused(file, /is not a readable HDF5 file \(its structure makes the reader go on past [\d,]+ reads \(a loop in its B-trees/, { ms: 5000 });
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grown < 256, `heap grew by ${grown.toFixed(0)} MB`);
    assert.deepEqual(untouched(), before, 'the read guard restored DataView, ArrayBuffer.slice and TextDecoder.decode');
  });
}

test('the intact .h5 loads right after a damaged one was refused, and logits equal those of a load before it', async () => {
  const before = untouched();
  const logits = async () => {
    const model = await loadAnyModel(KERAS2_H5);
    try {
      return Array.from(tf.tidy(() => logitsOf(model.network, tf.ones([1, ...model.network.inputShape])).dataSync()));
    } finally {
      model.network.dispose();
    }
  };
  const first = await logits();
  const file = path.join(tempModelDir('h5loop'), 'model.h5');
  fs.writeFileSync(file, ladderTree(8, 16));
  await refused(file, /HDF5/);
  assert.deepEqual(await logits(), first);
  assert.ok(first.some((v) => v !== 0));
  assert.deepEqual(untouched(), before);
});
