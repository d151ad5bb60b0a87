// The graph builder front ends use: shape inference and padding resolution, the forward op of every kind
// against the float64 reference (graphReference.ts), canonisation (BatchNorm folded or affine, identities,
// softmax, the transposed flatten folded into a Dense), errors that name the node, and tensor ownership.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { GraphBuilder } from '../../../src/engine/graph/builder';
import type { Conv2dNode, Network } from '../../../src/engine/graph/nodes';
import { nodeWeights, withWeights } from '../../../src/engine/graph/weights';
import { logitsOf } from '../../../src/engine/network/forward';
import { assertClose, random, randomArray } from '../methods/reference';
import { logitsOfGraph, toGraphNetwork, type RefGraph } from './graphReference';
import { batchNormNode, branchyGraph, convNode, denseNode, residualBnGraph, spatialConcatGraph } from './graphs';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

function engineLogits(network: Network, images: number[][]): number[][] {
  const x = tf.tensor(images.flat(), [images.length, ...network.inputShape]);
  const logits = logitsOf(network, x);
  const values = logits.arraySync() as number[][];
  tf.dispose([x, logits]);
  return values;
}

describe('forward of every kind against the float64 reference', () => {
  const cases: Array<[string, RefGraph]> = [
    ['strided asymmetric conv, depthwise and grouped branches, concat, padded max and avg pools', branchyGraph(1)],
    ['normalised input, residual block with BatchNorms, dilation, pad node, grouped strided conv, global max pool', residualBnGraph(2)],
    ['one tensor read twice by a spatial concat, avg pool without padding counted, transposed flatten', spatialConcatGraph(3)],
  ];
  for (const [name, g] of cases) {
    test(name, () => {
      const { network } = toGraphNetwork(g);
      try {
        const size = g.inputShape.reduce((a, b) => a * b, 1);
        const rand = random(7);
        const images = [0, 1, 2].map(() => randomArray(rand, size, -1, 1));
        const ours = engineLogits(network, images);
        images.forEach((x, n) => assertClose(ours[n], logitsOfGraph(g, x), 1e-5, `${name}, image ${n}`));
      } finally {
        network.dispose();
      }
    });
  }
});

describe('canonisation', () => {
  test('BatchNorm after its only reader is folded, after an Add it becomes affine; notes say so', () => {
    const { network, notes } = toGraphNetwork(residualBnGraph(2));
    try {
      const kinds = network.nodes.map((n) => n.kind);
      assert.ok(!kinds.includes('batchNorm' as never));
      assert.equal(kinds.filter((k) => k === 'affine').length, 2, kinds.join(' '));
      assert.equal(notes.filter((n) => /folded into/.test(n)).length, 2, notes.join('; '));
      assert.equal(notes.filter((n) => /kept as an affine map/.test(n)).length, 1, notes.join('; '));
    } finally {
      network.dispose();
    }
  });

  test('BatchNorm after a conv that another node also reads stays affine', () => {
    const rand = random(5);
    const g: RefGraph = {
      inputShape: [4, 4, 2],
      nodes: [
        convNode(rand, 0, [1, 1], 2, 3),
        batchNormNode(rand, 1, 3),
        { kind: 'add', inputs: [1, 2] },
        { kind: 'globalAvgPool', input: 3 },
        denseNode(rand, 4, 3, 2),
      ],
    };
    const { network, notes } = toGraphNetwork(g);
    try {
      assert.deepEqual(network.nodes.map((n) => n.kind), ['input', 'conv2d', 'affine', 'add', 'globalAvgPool', 'dense']);
      assert.match(notes.join('; '), /other nodes also read "conv2d1"/);
      const x = randomArray(rand, 32);
      assertClose(engineLogits(network, [x])[0], logitsOfGraph(g, x), 1e-5, 'logits');
    } finally {
      network.dispose();
    }
  });

  test('identities go, a final softmax is dropped and noted, a softmax elsewhere stays, a log-softmax elsewhere is refused', () => {
    const b = new GraphBuilder('m.json');
    const x = b.input('in', [3]);
    const d = b.add('d', { kind: 'dense', kernel: tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]) }, [x]);
    const drop = b.add('drop', { kind: 'identity' }, [d]);
    const soft = b.add('soft', { kind: 'softmax' }, [drop]);
    const { network, notes } = b.build(soft);
    try {
      assert.deepEqual(network.nodes.map((n) => n.name), ['in', 'd']);
      assert.equal(network.endsWithSoftmax, true);
      assert.match(notes.join('; '), /final softmax "soft" dropped/);
    } finally {
      network.dispose();
    }
    const c = new GraphBuilder('m.json');
    const y = c.input('in', [2, 3]);
    const s = c.add('s', { kind: 'softmax', axis: 0 }, [y]);
    const f = c.add('f', { kind: 'flatten' }, [s]);
    const e = c.add('e', { kind: 'dense', kernel: tf.ones([6, 2]) }, [f]);
    const inner = c.build(e).network;
    try {
      assert.deepEqual(inner.nodes.map((n) => n.kind), ['input', 'softmax', 'reshape', 'dense']);
      assert.equal(inner.nodes[1].kind === 'softmax' && inner.nodes[1].axis, 0);
      assert.equal(inner.endsWithSoftmax, false);
    } finally {
      inner.dispose();
    }
    const l = new GraphBuilder('m.json');
    const z = l.input('in', [3]);
    const ls = l.add('ls', { kind: 'softmax', log: true }, [z]);
    const e2 = l.add('e', { kind: 'dense', kernel: tf.ones([3, 2]) }, [ls]);
    assert.throws(() => l.build(e2), /m\.json: node "ls" \(softmax\) is not the final node; a log-softmax is only supported at the output/);
    l.dispose();
  });

  test('transpose → flatten → Dense is folded into the Dense rows: no transpose left, same logits', () => {
    const g = spatialConcatGraph(3);
    const { network, notes } = toGraphNetwork(g);
    try {
      assert.ok(!network.nodes.some((n) => n.kind === 'transpose'), network.nodes.map((n) => n.kind).join(' '));
      assert.match(notes.join('; '), /transpose "transpose\d+" before flatten "flatten\d+" folded into the rows of "dense\d+"/);
      const x = randomArray(random(9), 3 * 4 * 2);
      assertClose(engineLogits(network, [x])[0], logitsOfGraph(g, x), 1e-5, 'logits');
    } finally {
      network.dispose();
    }
  });

  test('a transpose of a matrix product operand\'s last two axes becomes its transpose flag: no transpose left, same logits', () => {
    // x [2, 3, 4] → transpose [0, 2, 1] → [2, 4, 3]; x · that = [2, 3, 3] (as Q·Kᵀ written with a Transpose).
    const g: RefGraph = {
      inputShape: [2, 3, 4],
      nodes: [
        { kind: 'transpose', input: 0, perm: [0, 2, 1] },
        { kind: 'matmul', inputs: [0, 1] },
        { kind: 'flatten', input: 2 },
        denseNode(random(5), 3, 18, 2),
      ],
    };
    const { network } = toGraphNetwork(g);
    try {
      assert.ok(!network.nodes.some((n) => n.kind === 'transpose'), network.nodes.map((n) => n.kind).join(' '));
      const product = network.nodes.find((n) => n.kind === 'matmul');
      assert.ok(product?.kind === 'matmul' && product.transposeB && !product.transposeA && product.inputs[0] === product.inputs[1]);
      const x = randomArray(random(10), 24, -1, 1);
      assertClose(engineLogits(network, [x])[0], logitsOfGraph(g, x), 1e-5, 'logits');
    } finally {
      network.dispose();
    }
  });

  test('nodes the output does not read are dropped', () => {
    const b = new GraphBuilder();
    const x = b.input('in', [2]);
    const unused = b.add('aux', { kind: 'dense', kernel: tf.ones([2, 5]) }, [x]);
    const d = b.add('d', { kind: 'dense', kernel: tf.ones([2, 3]) }, [x]);
    const { network } = b.build(d);
    assert.deepEqual(network.nodes.map((n) => n.name), ['in', 'd']);
    assert.ok(unused.shape[0] === 5);
    network.dispose();
  });
});

describe('shape inference and padding', () => {
  test("'same' is TF's (odd pixel after), 'same-lower' ONNX's SAME_LOWER (before), explicit pads kept", () => {
    const b = new GraphBuilder();
    const x = b.input('in', [7, 5, 2]);
    const k3 = () => tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
    const same = b.add('same', { kind: 'conv2d', kernel: k3(), strides: [2, 2], padding: 'same' }, [x]);
    assert.deepEqual(same.shape, [4, 3, 4]);
    const even = b.add('even', { kind: 'conv2d', kernel: tf.ones([2, 2, 2, 1]) as tf.Tensor4D, padding: 'same' }, [x]);
    const lower = b.add('lower', { kind: 'conv2d', kernel: tf.ones([2, 2, 2, 1]) as tf.Tensor4D, padding: 'same-lower' }, [x]);
    const explicit = b.add('explicit', { kind: 'conv2d', kernel: k3(), strides: [2, 1], padding: [0, 2, 3, 1], dilations: [1, 2] }, [x]);
    // Rows: (7 + 0 + 3 − 3) / 2 + 1 = 4; columns: (5 + 2 + 1 − 5) / 1 + 1 = 4.
    assert.deepEqual(explicit.shape, [4, 4, 4]);
    const pool = b.add('pool', { kind: 'maxPool', poolSize: [3, 3], strides: [2, 2], padding: 'same' }, [x]);
    assert.deepEqual(pool.shape, [4, 3, 2]);
    const avg = b.add('avg', { kind: 'avgPool', poolSize: [2, 2] }, [x]);
    assert.deepEqual(avg.shape, [3, 2, 2]);
    const flat = b.add('flat', { kind: 'flatten' }, [x]);
    assert.deepEqual(flat.shape, [70]);
    const back = b.add('back', { kind: 'reshape', shape: [-1, 7] }, [flat]);
    assert.deepEqual(back.shape, [10, 7]);
    const t = b.add('t', { kind: 'transpose', perm: [2, 0, 1] }, [x]);
    assert.deepEqual(t.shape, [2, 7, 5]);
    const p = b.add('p', { kind: 'pad', pads: [1, 0, 2, 3] }, [x]);
    assert.deepEqual(p.shape, [10, 8, 2]);
    const cat = b.add('cat', { kind: 'concat', axis: -1 }, [p, p]);
    assert.deepEqual(cat.shape, [10, 8, 4]);
    const gmp = b.add('gmp', { kind: 'globalMaxPool' }, [cat]);
    assert.deepEqual(gmp.shape, [4]);
    assert.deepEqual([even.shape, lower.shape], [[7, 5, 1], [7, 5, 1]]);
    assert.deepEqual(gmp.shape, [4]);
    b.dispose();
    // The pads the built nodes hold (another build keeps every conv alive).
    const c = new GraphBuilder();
    const y = c.input('in', [7, 5, 2]);
    const convs = [
      c.add('same', { kind: 'conv2d', kernel: k3(), strides: [2, 2], padding: 'same' }, [y]),
      c.add('even', { kind: 'conv2d', kernel: tf.ones([2, 2, 2, 2]) as tf.Tensor4D, padding: 'same' }, [y]),
      c.add('lower', { kind: 'conv2d', kernel: tf.ones([2, 2, 2, 2]) as tf.Tensor4D, padding: 'same-lower' }, [y]),
    ];
    const pooled = convs.map((r, k) => c.add(`g${k}`, { kind: 'globalAvgPool' }, [r]));
    const out = c.add('cat', { kind: 'concat', axis: 0 }, pooled.map((r) => r));
    const built = c.build(c.add('d', { kind: 'dense', kernel: tf.ones([out.shape[0], 2]) }, [out])).network;
    const pads = (name: string) => (built.nodes.find((n) => n.name === name) as Conv2dNode).pads;
    assert.deepEqual(pads('same'), [1, 1, 1, 1]);
    assert.deepEqual(pads('even'), [0, 0, 1, 1]);
    assert.deepEqual(pads('lower'), [1, 1, 0, 0]);
    built.dispose();
  });

  test('a spec that does not fit gets one line naming the file, the node and its kind', () => {
    const b = new GraphBuilder('model.onnx');
    const x = b.input('in', [8, 8, 3]);
    const expect = (f: () => unknown, message: RegExp) => assert.throws(f, (e: Error) => e.name === 'UserError' && message.test(e.message) && !e.message.includes('\n'));
    expect(() => b.add('c', { kind: 'conv2d', kernel: tf.ones([3, 3, 2, 4]) as tf.Tensor4D }, [x]), /^model\.onnx: node "c" \(conv2d\) kernel \[3,3,2,4\] with 1 group\(s\) takes 2 input channels but its input has 3$/);
    expect(() => b.add('g', { kind: 'conv2d', kernel: tf.ones([3, 3, 1, 4]) as tf.Tensor4D, groups: 3 }, [x]), /node "g" \(conv2d\) has 4 output channels, not a multiple of its 3 groups/);
    // A Dense reads the last axis of a map (per position): 192 inputs do not fit its 3 channels.
    expect(() => b.add('d', { kind: 'dense', kernel: tf.ones([192, 2]) as tf.Tensor2D }, [x]), /node "d" \(dense\) kernel \[192,2\] takes 192 inputs but its input \[8,8,3\] has 3 along its last axis \(add a Flatten before it/);
    const f = b.add('f', { kind: 'flatten' }, [x]);
    expect(() => b.add('a', { kind: 'add' }, [x, f]), /node "a" \(add\) adds inputs of shapes \[8,8,3\], \[192\]; they must be equal/);
    expect(() => b.add('r', { kind: 'relu' }, [x, x]), /node "r" \(relu\) has 2 inputs; it takes one/);
    expect(() => b.add('f', { kind: 'relu' }, [x]), /node "f" \(relu\) has the name of another node/);
    expect(() => b.add('k', { kind: 'concat', axis: 3 }, [x, x]), /node "k" \(concat\) has axis 3; its inputs have 3 axes/);
    expect(() => b.add('p', { kind: 'maxPool', poolSize: [2, 2], padding: [2, 0, 0, 0] }, [x]), /node "p" \(maxPool\) has pads \[2,0,0,0\] as wide as its 2×2 window/);
    expect(() => b.add('big', { kind: 'conv2d', kernel: tf.ones([9, 9, 3, 1]) as tf.Tensor4D }, [x]), /smaller than its 9×9 window/);
    expect(() => b.add('s', { kind: 'reshape', shape: [7, -1] }, [x]), /cannot reshape \[8,8,3\] \(192 values\) into \[7,-1\]/);
    expect(() => b.add('t', { kind: 'affine', scale: [1, 2], offset: 0 }, [x]), /node "t" \(affine\) has scale \[1,2\]; one finite number, one per channel \(3\) or one per element \(192\) is needed/);
    expect(() => b.input('second', [2]), /more than one input/);
    expect(() => b.build(x), /model\.onnx: the model's output has shape \[8,8,3\]; a vector of logits is needed/);
    b.dispose();
  });

  test('tensors: the network keeps what it uses, the builder frees the rest, dispose frees everything', () => {
    const start = tf.memory().numTensors;
    const { network } = toGraphNetwork(residualBnGraph(2));
    const held = new Set(network.nodes.flatMap((n) => Object.values(nodeWeights(n)))).size;
    assert.equal(tf.memory().numTensors - start, held);
    network.dispose();
    assert.equal(tf.memory().numTensors, start);
    const b = new GraphBuilder();
    const x = b.input('in', [3]);
    b.add('d', { kind: 'dense', kernel: tf.ones([3, 3]) as tf.Tensor2D, bias: tf.zeros([3]) }, [x]);
    assert.throws(() => b.add('e', { kind: 'dense', kernel: tf.ones([4, 3]) as tf.Tensor2D }, [x]));
    b.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  test('withWeights: a copy with other Dense/Conv weights, sharing the rest; its dispose frees only those', () => {
    const g = branchyGraph(1);
    const { network } = toGraphNetwork(g);
    const x = randomArray(random(3), g.inputShape.reduce((a, b) => a * b, 1));
    const before = engineLogits(network, [x])[0];
    const last = network.nodes.length - 1;
    const kernel = nodeWeights(network.nodes[last]).kernel;
    const zeros = tf.zerosLike(kernel);
    const copy = withWeights(network, new Map([[last, { kernel: zeros }]]));
    const bias = Array.from(nodeWeights(network.nodes[last]).bias.dataSync());
    assertClose(engineLogits(copy, [x])[0], bias, 1e-6, 'zero kernel gives the bias');
    copy.dispose();
    assert.ok(zeros.isDisposed, 'the replacement is freed with the copy');
    assert.ok(network.nodes.every((n) => Object.values(nodeWeights(n)).every((t) => !t.isDisposed)), 'shared weights live on');
    assertClose(engineLogits(network, [x])[0], before, 0, 'original untouched');
    network.dispose();
  });
});
