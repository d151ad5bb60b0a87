// UserError's contract: one line naming the file, whatever bytes a damaged file's names brought along.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUserError, listCut, MAX_MESSAGE, shown, UserError } from '../../../src/engine/errors';

test('a UserError names the file and stays one line: control characters are escaped', () => {
  const e = new UserError('node "/Sub" reads "\n\r/Sub_k\u0003std\u007f"', '/tmp/m.onnx');
  assert.equal(e.message, '/tmp/m.onnx: node "/Sub" reads "\\x0a\\x0d/Sub_k\\x03std\\x7f"');
  assert.ok(!/[\u0000-\u001f]/.test(e.message));
  assert.ok(isUserError(e));
  assert.equal(new UserError('plain words, é and ∑ kept').message, 'plain words, é and ∑ kept');
});

test('a UserError is at most 300 characters: a long value is cut in the middle, the file and the advice stay', () => {
  const value = 'x'.repeat(10 * 2 ** 20); // a 10 MB bad value
  const e = new UserError(`field "name" must be a short string, not "${value}"; fix card.json`, '/work/models/resnet/card.json');
  assert.equal(e.message.length, MAX_MESSAGE);
  assert.ok(e.message.startsWith('/work/models/resnet/card.json: field "name" must be a short string, not "xxx'), e.message);
  assert.ok(e.message.endsWith('xxx"; fix card.json'), e.message);
  assert.equal(e.message.split('…').length, 2, 'one cut, marked with …');
  // A long path is cut too, in its middle, so the problem still fits.
  const deep = `/${'very-long-folder-name/'.repeat(30)}model.onnx`;
  const d = new UserError('is empty (0 bytes), not an ONNX model', deep);
  assert.ok(d.message.length <= MAX_MESSAGE);
  assert.ok(d.message.endsWith('model.onnx: is empty (0 bytes), not an ONNX model'), d.message);
  assert.ok(d.message.startsWith('/very-long-folder-name/'));
  // Line separators of other kinds are escaped too.
  assert.ok(!/[\u2028\u2029]/.test(new UserError('a\u2028b\u2029c').message));
  // Short messages are unchanged.
  assert.equal(new UserError('is empty', '/m.onnx').message, '/m.onnx: is empty');
});

test('shown() quotes a value as JSON.stringify would, cut at its limit, without walking more of it than it shows', () => {
  assert.equal(shown([1, 'a', { b: null, c: [true] }]), JSON.stringify([1, 'a', { b: null, c: [true] }]));
  assert.equal(shown('line\nbreak'), '"line\\nbreak"');
  assert.equal(shown(undefined), 'undefined');
  const long = shown('y'.repeat(10 * 2 ** 20), 40);
  assert.equal(long.length, 40);
  assert.ok(long.endsWith('…'));
  let deep: unknown = 0;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const t0 = performance.now();
  const nested = shown(deep, 30);
  assert.ok(performance.now() - t0 < 200, 'a 200,000-deep nesting costs nothing (no recursion, no full walk)');
  assert.equal(nested, `${'['.repeat(29)}…`);
  const wide = shown({ labels: new Array(1e6).fill('cat') }, 50);
  assert.equal(wide.length, 50);
  assert.ok(wide.startsWith('{"labels":["cat","cat",'));
});

test('listCut() lists what fits and counts the rest', () => {
  const ops = ['Conv', 'Gemm', 'MatMul', 'Relu', 'MaxPool', 'AveragePool'];
  assert.equal(listCut(ops, 200), 'Conv, Gemm, MatMul, Relu, MaxPool, AveragePool');
  assert.equal(listCut(ops, 30), 'Conv, Gemm, … and 4 more');
  assert.ok(listCut(ops, 30).length <= 30);
});

test('a message too long for its file cuts the names it quotes, not the words that say what is wrong', () => {
  // Found by the model fuzz (a ViT's initializer made external through a link out of a deep case folder).
  const file = `/dev/shm/explain-image-fuzz-child-L9T9Yt/explain-image-fuzz-onnx-protobuf-fY4Lfd/case-5/model.onnx`;
  const name = 'encoder.layers.encoder_layer_1.self_attention.out_proj.bias';
  const e = new UserError(
    `initializer ${JSON.stringify(name)}'s external data file "link-out.bin" links outside the model's folder (to "/dev/shm/explai…otobuf-fY4Lfd/canary.bin"); copy the file into it`,
    file,
  );
  assert.ok(e.message.length <= MAX_MESSAGE, `${e.message.length} characters`);
  assert.ok(e.message.startsWith(`${file}: initializer "encoder.layers.`), e.message);
  assert.ok(e.message.includes(`'s external data file "link-out.bin" links outside the model's folder (to "`), e.message);
  assert.ok(e.message.endsWith('canary.bin"); copy the file into it'), e.message);
  // Quoted parts are cut only as far as needed, and never below 16 characters: the rest is cut as before.
  const value = 'v'.repeat(500);
  const both = new UserError(`field "a" is "${value}" and field "b" is "${value}"; fix card.json`, '/m/card.json');
  assert.equal(both.message.length, MAX_MESSAGE);
  assert.ok(both.message.endsWith('"; fix card.json') && both.message.includes('field "a" is "v') && both.message.includes('and field "b" is "v'), both.message);
});
