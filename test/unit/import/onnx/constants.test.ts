// Constant folding of ONNX subgraphs (constants.ts), hand-computed: the shape arithmetic of exporters with
// the batch as null, and the weight arithmetic numpy's broadcasting defines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldNode, type Constant, type FoldContext } from '../../../../src/engine/import/onnx/constants';

const ctx = (opset = 13): FoldContext => ({ file: 'm.onnx', dir: '.', externalFiles: new Set(), opset });
const ints = (data: Array<number | null>, dims = [data.length]): Constant => ({ type: 'int', dims, data });
const floats = (data: number[], dims = [data.length]): Constant => ({ type: 'float', dims, data: Float32Array.from(data) });
const node = (opType: string, attribute: Array<{ name: string; i?: number; ints?: number[] }> = []) => ({ opType, attribute });
const fold = (op: ReturnType<typeof node>, inputs: Array<Constant | undefined>, opset = 13) => foldNode(op, inputs, ctx(opset), `node (${op.opType})`)[0];

test('x.view(x.size(0), -1): Shape → Gather(0) → Unsqueeze → Concat with [-1] keeps the batch symbolic', () => {
  const shape = fold(node('Shape'), [ints([null, 4, 13, 13])]);
  assert.deepEqual(shape, ints([null, 4, 13, 13]));
  const batch = fold(node('Gather', [{ name: 'axis', i: 0 }]), [shape, ints([0], [])]);
  assert.deepEqual(batch, { type: 'int', dims: [], data: [null] });
  const unsqueezed = fold(node('Unsqueeze'), [batch, ints([0])]);
  assert.deepEqual(unsqueezed.dims, [1]);
  const opset9 = fold(node('Unsqueeze', [{ name: 'axes', ints: [0] }]), [batch], 9);
  assert.deepEqual(opset9.dims, [1]);
  const target = fold(node('Concat', [{ name: 'axis', i: 0 }]), [unsqueezed, ints([-1])]);
  assert.deepEqual(target, ints([null, -1]));
  // Arithmetic with the batch stays the batch's business: null.
  assert.deepEqual(fold(node('Mul'), [ints([null, 2]), ints([3])]).data, [null, 6]);
});

test('Shape with start and end (opset 15), Gather with a negative index, Slice with negative steps', () => {
  assert.deepEqual(fold(node('Shape', [{ name: 'start', i: 1 }, { name: 'end', i: -1 }]), [ints([null, 3, 8, 8])]).data, [3, 8]);
  assert.deepEqual(fold(node('Gather', [{ name: 'axis', i: 0 }]), [ints([5, 6, 7]), ints([-1], [])]).data, [7]);
  const x = floats([0, 1, 2, 3, 4, 5], [2, 3]);
  const sliced = fold(node('Slice'), [x, ints([-1]), ints([-4]), ints([1]), ints([-1])]);
  assert.deepEqual(sliced.dims, [2, 3]);
  assert.deepEqual(Array.from(sliced.data as Float32Array), [2, 1, 0, 5, 4, 3]);
  const every2nd = fold(node('Slice'), [floats([0, 1, 2, 3, 4]), ints([0]), ints([100]), ints([0]), ints([2])]);
  assert.deepEqual(Array.from(every2nd.data as Float32Array), [0, 2, 4]);
});

test('broadcasting Sub/Div of weights, Transpose, Reshape with 0 and -1, Squeeze without axes, Cast, ConstantOfShape', () => {
  const a = floats([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(Array.from(fold(node('Sub'), [a, floats([1, 2, 3])]).data as Float32Array), [0, 0, 0, 3, 3, 3]);
  assert.deepEqual(Array.from(fold(node('Div'), [a, floats([1, 2], [2, 1])]).data as Float32Array), [1, 2, 3, 2, 2.5, 3]);
  const t = fold(node('Transpose', [{ name: 'perm', ints: [1, 0] }]), [a]);
  assert.deepEqual(t.dims, [3, 2]);
  assert.deepEqual(Array.from(t.data as Float32Array), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(fold(node('Reshape'), [floats(new Array(24).fill(0), [2, 3, 4]), ints([0, -1])]).dims, [2, 12]);
  assert.deepEqual(fold(node('Squeeze'), [floats([1, 2], [1, 2, 1])]).dims, [2]);
  assert.deepEqual(fold(node('Cast', [{ name: 'to', i: 7 }]), [floats([1.7, -2.2])]).data, [1, -2]);
  assert.deepEqual(Array.from(fold(node('ConstantOfShape'), [ints([2, 2])]).data as Float32Array), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(fold(node('Sqrt'), [floats([4, 9])]).data as Float32Array), [2, 3]);
});

test('damaged folds are one UserError naming the node, never a TypeError, a loop or an allocation', async () => {
  const { isUserError } = await import('../../../../src/engine/errors');
  const fails = (op: ReturnType<typeof node>, inputs: Array<Constant | undefined>, pattern: RegExp) =>
    assert.throws(() => fold(op, inputs), (e: unknown) => isUserError(e) && pattern.test((e as Error).message) && (e as Error).message.startsWith('m.onnx: node ('));
  // Each of these crashed, looped or built a wrong tensor before (the fuzz found the first).
  fails(node('Slice'), [], /\(Slice\) lacks its input 1; the file is damaged/);
  fails(node('Slice'), [floats([1, 2, 3]), ints([0]), ints([3]), ints([0]), ints([0])], /slices with steps \[0\]; steps must be non-zero integers/);
  fails(node('Transpose', [{ name: 'perm', ints: [0, 0] }]), [floats([1, 2, 3, 4, 5, 6], [2, 3])], /has perm \[0,0\], not a permutation of the 2 axes/);
  fails(node('Concat', [{ name: 'axis', i: 0 }]), [floats([1, 2], [1, 2]), floats([1, 2, 3], [1, 3])], /joins constants of shapes \[\[1,2\],\[1,3\]\], which differ off the axis 0/);
  fails(node('Concat'), [], /joins no inputs/);
  fails(node('Reshape'), [floats([1, 2, 3]), ints([2, -1])], /computes a constant of shape \[2,1\.5\] from its inputs, which is not a valid shape/);
  fails(node('Gather', [{ name: 'axis', i: 0 }]), [floats([1, 2, 3]), ints([7], [])], /gathers indices outside 0…2/);
  fails(node('ConstantOfShape'), [ints([-3, 2])], /asks for a constant of shape \[-3,2\], which is not a valid shape/);
});

test('the shape-chain folds (Expand, Tile, Range, Where, ReduceMax) are held to the folding budget before they allocate, and still fold small constants', async () => {
  const { isUserError } = await import('../../../../src/engine/errors');
  const { BUDGETS, formatCount } = await import('../../../../src/engine/budgets');
  const limit = formatCount(BUDGETS.foldedValues);
  const refused = (op: ReturnType<typeof node>, inputs: Array<Constant | undefined>, pattern: RegExp) => {
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => fold(op, inputs), (e: unknown) => isUserError(e) && pattern.test((e as Error).message));
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, 'nothing large was allocated');
  };
  const overLimit = (n: string) => new RegExp(`^m\\.onnx: the constant node \\(\\w+\\) computes at load is ${n} values, over the limit of ${limit}`);
  refused(node('Expand'), [floats([1]), ints([40000, 40000])], overLimit('1,600,000,000'));
  refused(node('Tile'), [floats([1, 2], [1, 2]), ints([30000, 30000])], overLimit('1,800,000,000'));
  refused(node('Range'), [ints([0]), ints([1e12]), ints([1])], overLimit('1,000,000,000,000'));
  refused(node('Range'), [ints([0]), ints([10]), ints([0])], /counts from 0 to 10 by 0, which is not a number of values/);
  refused(node('Where'), [ints([1], [1, 1]), floats(new Array(20000).fill(1), [20000, 1]), floats(new Array(20000).fill(2), [1, 20000])], overLimit('400,000,000'));
  // Within the budget they fold as before.
  assert.deepEqual(fold(node('Expand'), [floats([1, 2]), ints([2, 2])]).dims, [2, 2]);
  assert.deepEqual(Array.from(fold(node('Tile'), [floats([1, 2]), ints([2])]).data as Float32Array), [1, 2, 1, 2]);
  assert.deepEqual(fold(node('Range'), [ints([0]), ints([5]), ints([2])]).data, [0, 2, 4]);
  const big = floats(Array.from({ length: 300_000 }, (_, i) => i % 1000));
  assert.deepEqual(fold(node('ReduceMax', [{ name: 'keepdims', i: 0 }]), [big], 13).data, Float32Array.from([999]));
});
