// The budgets of src/engine/budgets.ts, each checked before anything is allocated, on the attacks of issue 20:
// a ConstantOfShape([40000, 40000]) folded at load (6.4 GB), a broadcast and a Gather that multiply their
// inputs, a Pad of 30,000 and a ZeroPadding2D of 1e9, many nodes whose activations add up, a card inputShape
// of [1e9, 1e9, 3] on a model with dynamic H×W, 25,000 nodes, a 10,001-node chain, a 100-axis tensor, nested
// models that multiply their calls, JSON nested 100,000 deep, a ZIP64 record claiming 10^8 entries, zip
// bombs declared and undeclared, a bad local header offset, an HDF5 dataset larger than its file. Each refusal
// is one line naming the file, the thing and the limit, comes at once, and allocates next to nothing
// (ArrayBuffers grow by less than 64 MB); and what stays within the budgets still loads: a 5,000-node chain
// of ONNX nodes and a 5,000-layer Keras chain load (no recursion on graph depth) and run.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { deflateSync, unzipSync, zipSync } from 'fflate';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { BUDGETS, describeLimit, formatCount } from '../../../src/engine/budgets';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { logitsOf } from '../../../src/engine/network/forward';
import { tempModelDir } from '../model/savedModels';
import { findEocd, withMember } from '../fuzz/modelMutations';
import { convNet, refused, tfjsModel } from './attackFiles';
import { int, ints } from './onnx/onnxWriter';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const FIXTURES = path.resolve(__dirname, '../../fixtures');

/** Runs `f` and checks that ArrayBuffers grew by less than `mb` MB over it (no allocation of what a file declared). */
async function allocatesLittle<T>(f: () => Promise<T>, mb = 64): Promise<T> {
  const before = process.memoryUsage().arrayBuffers;
  const result = await f();
  const grown = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
  assert.ok(grown < mb, `ArrayBuffers grew by ${grown.toFixed(0)} MB`);
  return result;
}

function saveOnnx(bytes: Uint8Array, name = 'model.onnx'): string {
  const file = path.join(tempModelDir('budget'), name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Loads and runs `file` once on a zero image. */
async function loadsAndRuns(file: string): Promise<number[]> {
  const model = await loadAnyModel(file);
  try {
    return Array.from(tf.tidy(() => logitsOf(model.network, tf.zeros([1, ...model.network.inputShape])).dataSync()));
  } finally {
    model.network.dispose();
  }
}

describe('constants folded at load', () => {
  test('ConstantOfShape([40000, 40000]) is refused before it is allocated, naming the node and the limit', async () => {
    const file = saveOnnx(
      convNet((w, x) => {
        // Read by the graph's output (a node nothing reads is never needed, so its failure would not count).
        const big = w.node('ConstantOfShape', [w.ints('shape', [40000, 40000])], {}, ['big'], 'huge');
        return w.node('Add', [x, w.node('Shape', [big])]);
      }).encode(),
    );
    await allocatesLittle(() =>
      refused(file, new RegExp(`the constant node "huge" \\(ConstantOfShape\\) computes at load is 1,600,000,000 values, over the limit of ${formatCount(BUDGETS.foldedValues)}; the file is damaged`)),
    );
  });

  test('a broadcast [20000, 1] + [1, 20000] and a Gather that repeats rows are refused before they are computed', async () => {
    const broadcast = saveOnnx(
      convNet((w, x) => {
        const a = w.node('ConstantOfShape', [w.ints('a', [20000, 1])]);
        const b = w.node('ConstantOfShape', [w.ints('b', [1, 20000])]);
        return w.node('Add', [x, w.node('Add', [a, b], {}, ['sum'], 'broadcast')]);
      }).encode(),
    );
    await allocatesLittle(() => refused(broadcast, /the constant node "broadcast" \(Add\) computes at load is 400,000,000 values, over the limit/));
    const gather = saveOnnx(
      convNet((w, x) => {
        const row = w.node('ConstantOfShape', [w.ints('row', [1, 5000])]);
        const picks = w.node('ConstantOfShape', [w.ints('n', [5000])], { value: { t: { dims: [1], dataType: 7, rawData: new Uint8Array(8) } } });
        return w.node('Add', [x, w.node('Gather', [row, picks], { axis: int(0) }, ['rows'], 'repeat')]);
      }).encode(),
    );
    await allocatesLittle(() => refused(gather, /the constant node "repeat" \(Gather\) computes at load is 25,000,000 values, over the limit/));
  });

  test('a constant of 100 axes is refused by the rank budget', async () => {
    const file = saveOnnx(
      convNet((w, x) => {
        w.initializer({ name: 'deep', dims: new Array(100).fill(1), dataType: 1, rawData: new Uint8Array(4) });
        w.node('Neg', ['deep']);
        return x;
      }).encode(),
    );
    await refused(file, new RegExp(`initializer "deep"'s shape is 100 axes, over the limit of ${BUDGETS.tensorRank}`));
  });
});

describe('activations: every front end through the GraphBuilder', () => {
  test('an ONNX Pad of 30,000 is refused naming the node and the per-node limit; a good model loads right after', async () => {
    const file = saveOnnx(convNet((w, x) => w.node('Pad', [x, w.ints('pads', [0, 0, 30000, 30000, 0, 0, 30000, 30000])], {}, ['padded'], 'absurd_pad')).encode());
    const m = await allocatesLittle(() =>
      refused(file, new RegExp(`the output \\[60008,60008,3\\] of node "absurd_pad" \\(pad\\) is 10,802,880,192 values per image, over the limit of ${formatCount(BUDGETS.nodeValues)}; check the padding`)),
    );
    assert.ok(m.includes(describeLimit('nodeValues').split(' ')[0]));
    const good = saveOnnx(convNet().encode());
    const logits = await loadsAndRuns(good);
    assert.equal(logits.length, 3);
  });

  test('a ZeroPadding2D of 1e9 in a tfjs model.json is refused the same way', async () => {
    const dir = tempModelDir('zeropad');
    const model = tfjsModel(1e9);
    fs.writeFileSync(path.join(dir, 'model.json'), model.json);
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), model.shard);
    await allocatesLittle(() => refused(path.join(dir, 'model.json'), /the output \[2000000008,2000000008,1\] of layer "pad" \(ZeroPadding2D\) is .* values per image, over the limit of/));
  });

  test('nodes within the per-node limit whose outputs add up past the activation budget are refused', async () => {
    // 1,500 × 1,500 × 3 = 6.75 M values a node: 20 such nodes pass 2^27.
    const file = saveOnnx(
      convNet((w, x) => {
        let v = w.node('Pad', [x, w.ints('pads', [0, 0, 746, 746, 0, 0, 746, 746])]);
        for (let i = 0; i < 30; i++) v = w.node('Relu', [v], {}, [`r${i}`], `relu_${i}`);
        return v;
      }).encode(),
    );
    await refused(file, new RegExp(`the output of every node up to node "relu_\\d+" \\(relu\\) is [\\d,]+ values per image, over the limit of ${formatCount(BUDGETS.activationValues)}; use a smaller input size`));
  });

  test('a card inputShape of [1e9, 1e9, 3] on a model with dynamic height and width is refused naming card.json', async () => {
    const file = saveOnnx(convNet(undefined, { dynamic: true }).encode());
    const card = path.join(path.dirname(file), 'card.json');
    fs.writeFileSync(card, JSON.stringify({ inputShape: [1e9, 1e9, 3] }));
    await allocatesLittle(() =>
      refused(file, new RegExp(`^${card.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: field "inputShape" \\[1000000000,1000000000,3\\] is 3\\.00e\\+18 values, over the limit of ${formatCount(BUDGETS.inputValues)}; give a smaller inputShape in the card$`), { names: card }),
    );
    fs.writeFileSync(card, JSON.stringify({ inputShape: [16, 12, 3] }));
    assert.equal((await loadsAndRuns(file)).length, 3);
  });
});

describe('graph size and depth: iterative walks', () => {
  /** The conv net with `n` ReLU (and as many Identity) nodes after its input. */
  const chain = (n: number, identities = false) =>
    saveOnnx(
      convNet((w, x) => {
        let v = x;
        for (let i = 0; i < n; i++) {
          v = w.node('Relu', [v], {}, [`c${i}`], `chain_${i}`);
          if (identities) v = w.node('Identity', [v], {}, [`i${i}`], `id_${i}`);
        }
        return v;
      }).encode(),
    );

  test('a chain of 5,000 ONNX nodes loads and runs (no stack overflow), with the same logits as without the chain', async () => {
    const logits = await loadsAndRuns(chain(5000));
    const plain = await loadsAndRuns(saveOnnx(convNet((w, x) => w.node('Relu', [x])).encode()));
    assert.deepEqual(logits, plain);
  });

  test('a chain deeper than the depth budget and a graph over the node budget are refused', async () => {
    await refused(chain(BUDGETS.graphDepth + 1), new RegExp(`the longest path from the input to node "chain_\\d+" \\(relu\\) is ${formatCount(BUDGETS.graphDepth + 1)} nodes in a chain, over the limit of ${formatCount(BUDGETS.graphDepth)}`));
    await refused(chain(BUDGETS.graphNodes / 2 + 1, true), new RegExp(`the graph is ${formatCount(BUDGETS.graphNodes + 7)} nodes, over the limit of ${formatCount(BUDGETS.graphNodes)}`));
  });

  test('no walk is quadratic in the nodes: 4,900 BatchNorms after ReLUs and 9,000 nodes of one name load in seconds (they took 4.4 min and 13 s)', async () => {
    const bns = saveOnnx(
      convNet((w, x) => {
        const params = ['s', 'b', 'm', 'v'].map((p) => w.weight(`bn_${p}`, [3], p === 's' || p === 'v' ? [1, 1, 1] : [0, 0, 0]));
        let v = x;
        for (let i = 0; i < 4900; i++) v = w.node('BatchNormalization', [w.node('Relu', [v]), ...params]);
        return v;
      }).encode(),
    );
    const sameName = saveOnnx(convNet((w, x) => Array.from({ length: 9000 }).reduce<string>((v, _, i) => w.node('Relu', [v], {}, [`o${i}`], 'same'), x)).encode());
    for (const file of [bns, sameName]) {
      const t0 = performance.now();
      (await loadAnyModel(file)).network.dispose();
      const ms = performance.now() - t0;
      assert.ok(ms < 30_000, `${path.basename(path.dirname(file))}: ${ms.toFixed(0)} ms`);
    }
  });

  test('a Keras chain of 5,000 layers (functional, each layer reading the one before) loads without recursion', async () => {
    const dir = tempModelDir('deep-keras');
    const n = 5000;
    const layers: unknown[] = [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4] }, inbound_nodes: [] }];
    for (let i = 0; i < n; i++) layers.push({ class_name: 'ReLU', config: { name: `r${i}` }, inbound_nodes: [[[i === 0 ? 'in' : `r${i - 1}`, 0, 0, {}]]] });
    layers.push({ class_name: 'Dense', config: { name: 'out', units: 2, use_bias: false }, inbound_nodes: [[[`r${n - 1}`, 0, 0, {}]]] });
    const json = {
      format: 'layers-model',
      modelTopology: { class_name: 'Model', config: { name: 'deep', layers, input_layers: [['in', 0, 0]], output_layers: [['out', 0, 0]] } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'out/kernel', shape: [4, 2], dtype: 'float32' }] }],
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    fs.writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(Float32Array.of(1, 0, 0, 1, 1, 0, 0, 1).buffer));
    const model = await loadAnyModel(path.join(dir, 'model.json'));
    const logits = tf.tidy(() => logitsOf(model.network, tf.tensor2d([[1, -2, 3, 4]])).arraySync());
    assert.deepEqual(logits, [[4, 4]]);
    model.network.dispose();
  });

  test('nested models that call each other twice at every level are refused by the call budget, at once', async () => {
    // Level 0: Dense; level k: a functional model calling level k-1 twice. 2^20 calls from 40 levels of JSON.
    let inner: Record<string, unknown> = { class_name: 'Dense', config: { name: 'd', units: 4 } };
    for (let k = 1; k <= 20; k++) {
      inner = {
        class_name: 'Functional',
        config: {
          name: `m${k}`,
          layers: [
            { class_name: 'InputLayer', config: { name: `in${k}`, batch_input_shape: [null, 4] }, inbound_nodes: [] },
            { ...inner, inbound_nodes: [[[`in${k}`, 0, 0, {}]], [[(inner.config as { name: string }).name, 0, 0, {}]]] },
          ],
          input_layers: [[`in${k}`, 0, 0]],
          output_layers: [[(inner.config as { name: string }).name, 1, 0]],
        },
      };
    }
    const dir = tempModelDir('nested');
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: inner, weightsManifest: [] }));
    await refused(path.join(dir, 'model.json'), new RegExp(`the model's layer calls \\(nested models inlined\\) is ${formatCount(BUDGETS.graphNodes + 1)} nodes, over the limit of`), { ms: 3000 });
  });
});

describe('JSON and archives', () => {
  test('JSON nested 100,000 deep is refused by a scan, naming the file (a card, a model.json, a .keras config)', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const file = saveOnnx(convNet().encode());
    const card = path.join(path.dirname(file), 'card.json');
    fs.writeFileSync(card, `{"labels": ${deep}}`);
    await refused(file, new RegExp(`card\\.json: the card is ${formatCount(BUDGETS.jsonDepth + 1)} levels deep, over the limit of ${BUDGETS.jsonDepth}`), { names: card });
    const dir = tempModelDir('deep-json');
    fs.writeFileSync(path.join(dir, 'model.json'), `{"modelTopology": ${deep}}`);
    await refused(path.join(dir, 'model.json'), /the model file is \d+ levels deep, over the limit/);
    const keras = path.join(tempModelDir('deep-keras-config'), 'm.keras');
    fs.writeFileSync(keras, zipSync({ 'config.json': new TextEncoder().encode(`{"class_name": "Sequential", "config": ${deep}}`), 'model.weights.h5': new Uint8Array(8) }));
    await refused(keras, /config\.json is \d+ levels deep, over the limit/);
  });

  /** The .keras fixture's members. */
  const members = () => unzipSync(fs.readFileSync(path.join(FIXTURES, 'keras/functional-rgb.keras')));

  test('a ZIP64 record claiming 10^8 entries is refused at once', async () => {
    const zip = zipSync(members());
    const view = new DataView(zip.buffer, zip.byteOffset);
    const eocd = findEocd(zip);
    const zip64 = new Uint8Array(76);
    const z = new DataView(zip64.buffer);
    z.setUint32(0, 0x06064b50, true);
    z.setBigUint64(24, 100_000_000n, true);
    z.setBigUint64(32, 100_000_000n, true);
    z.setBigUint64(40, BigInt(view.getUint32(eocd + 12, true)), true);
    z.setBigUint64(48, BigInt(view.getUint32(eocd + 16, true)), true);
    z.setUint32(56, 0x07064b50, true);
    z.setBigUint64(64, BigInt(eocd), true);
    const tail = zip.slice(eocd);
    new DataView(tail.buffer).setUint16(8, 0xffff, true);
    new DataView(tail.buffer).setUint16(10, 0xffff, true);
    const file = path.join(tempModelDir('zip64'), 'm.keras');
    fs.writeFileSync(file, Buffer.concat([zip.subarray(0, eocd), zip64, tail]));
    await refused(file, /not a valid \.keras \(zip\) file: 100000000 entries claimed in a central directory of \d+ bytes/, { ms: 1000 });
  });

  test('zip bombs: config.json inflating to 80 MB is refused by its declared size, or stopped at the size it declares', async () => {
    const size = 80 * 2 ** 20;
    const bomb = deflateSync(new Uint8Array(size).fill(0x20), { level: 9 });
    for (const declared of [size, 1000]) {
      const file = path.join(tempModelDir('bomb'), 'm.keras');
      fs.writeFileSync(file, withMember(members(), 'config.json', bomb, declared));
      const pattern =
        declared === size
          ? new RegExp(`entry "config\\.json" \\(its inflated size\\) is 83,886,080 bytes, over the limit of ${formatCount(BUDGETS.jsonBytes)}`)
          : /entry "config\.json" inflates to more than the 1000 bytes its header says \(a zip bomb, or a damaged archive\)/;
      await allocatesLittle(() => refused(file, pattern, { ms: 3000 }));
    }
  });

  test('a member whose local header lies beyond the end of the archive is refused', async () => {
    const zip = zipSync(members());
    const view = new DataView(zip.buffer, zip.byteOffset);
    const eocd = findEocd(zip);
    view.setUint32(view.getUint32(eocd + 16, true) + 42, 0x7fffffff, true);
    const file = path.join(tempModelDir('offset'), 'm.keras');
    fs.writeFileSync(file, zip);
    await refused(file, /broken \.keras \(zip\) file: the local header of '.*' lies beyond the end/);
  });

  test('an HDF5 dataset declaring more values than its file holds is refused before jsfive reads it', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'keras/sequential-cnn-keras2.h5')));
    // The dataspace of the (294, 16) kernel: dims as little-endian u64, 294 then 16.
    const dims = Buffer.from([0x26, 0x01, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0]);
    let found = 0;
    for (let at = Buffer.from(bytes).indexOf(dims); at >= 0; at = Buffer.from(bytes).indexOf(dims, at + 1)) {
      new DataView(bytes.buffer).setBigUint64(at, 1n << 30n, true);
      found++;
    }
    assert.ok(found >= 1, 'the fixture has the kernel shape');
    const file = path.join(tempModelDir('h5'), 'm.h5');
    fs.writeFileSync(file, bytes);
    await allocatesLittle(() => refused(file, /HDF5 dataset ".*hidden.*kernel.*" declares \[1073741824,16\] values \(68719476736 bytes\) but the file has \d+ bytes: the file is damaged/));
  });
});
