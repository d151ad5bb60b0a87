// Hostile model files for the security tests, crafted here (nothing large is committed): ONNX models through
// the test writer, zips through fflate, tfjs model.json by hand, and a folder layout with a file outside the
// model's folder that must never be read (its access time tells) and a FIFO that would hang whoever opens it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { isUserError, MAX_MESSAGE } from '../../../src/engine/errors';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { tempModelDir } from '../model/savedModels';
import { floatTensor, int, ints, OnnxModelWriter } from './onnx/onnxWriter';

/** A model folder `<root>/model` with, beside it in `<root>`, a secret file and a FIFO. */
export interface AttackFolder {
  root: string;
  dir: string;
  /** Outside the model's folder; holds valid weight bytes, so a loader that reads it would succeed. */
  secret: string;
  fifo: string;
  /** Whether anything read the secret since the folder was made (its access time moved). */
  secretWasRead(): boolean;
}

export function attackFolder(secretBytes: Uint8Array): AttackFolder {
  const dir = tempModelDir('model');
  const root = path.dirname(dir);
  const secret = path.join(root, 'secret.bin');
  fs.writeFileSync(secret, secretBytes);
  // relatime updates the access time on a read when it is older than the modification time.
  fs.utimesSync(secret, new Date(1000), new Date());
  const fifo = path.join(root, 'pipe');
  execFileSync('mkfifo', [fifo]);
  return { root, dir, secret, fifo, secretWasRead: () => fs.statSync(secret).atimeMs > 1000 };
}

/** Loading `file` fails within `ms` with one UserError line of at most 300 characters that names `names` and matches `pattern`. */
export async function refused(file: string, pattern: RegExp, options: { names?: string; ms?: number } = {}): Promise<string> {
  const t0 = performance.now();
  let message = '';
  await assert.rejects(
    async () => (await loadAnyModel(file)).network.dispose(),
    (e: unknown) => {
      assert.ok(isUserError(e), `not a UserError: ${(e as Error)?.stack ?? e}`);
      message = (e as Error).message;
      return true;
    },
  );
  const ms = performance.now() - t0;
  assert.ok(!/[\r\n]/.test(message), `one line: ${message}`);
  assert.ok(message.length <= MAX_MESSAGE, `${message.length} characters: ${message}`);
  assert.ok(message.startsWith(options.names ?? file), `starts with ${options.names ?? file}: ${message}`);
  assert.match(message, pattern);
  assert.ok(ms < (options.ms ?? 5000), `took ${ms.toFixed(0)} ms: ${message}`);
  return message;
}

/** A small ONNX conv net (NCHW [N, 3, h, w], h and w symbolic when `dynamic`) written through `edit` between its input and its conv. */
export function convNet(edit: (w: OnnxModelWriter, x: string) => string = (_, x) => x, options: { dynamic?: boolean; size?: number } = {}): OnnxModelWriter {
  const w = new OnnxModelWriter(13);
  const size = options.size ?? 8;
  const x = w.input('x', options.dynamic ? [null, 3, 'height', 'width'] : [null, 3, size, size]);
  const edited = edit(w, x);
  const conv = w.node('Conv', [edited, w.weight('k', [2, 3, 3, 3], Array.from({ length: 54 }, (_, i) => ((i * 5) % 7) / 7 - 0.4))], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) });
  const relu = w.node('Relu', [conv]);
  const pool = w.node('GlobalAveragePool', [relu]);
  const flat = w.node('Flatten', [pool], { axis: int(1) });
  w.node('Gemm', [flat, w.weight('W', [3, 2], [1, -1, 0.5, 0.5, -1, 1])], { transB: int(1) }, ['logits']);
  w.output('logits', [null, 3]);
  return w;
}

/** `bytes` of an ONNX model with initializer `name` moved to external data at `location`; returns the tensor's bytes. */
export function withExternal(bytes: Uint8Array, name: string, location: string): { model: Uint8Array; data: Uint8Array } {
  const model = onnx.ModelProto.decode(bytes);
  const t = model.graph!.initializer!.find((i) => i.name === name)!;
  const data = new Uint8Array(t.rawData!);
  t.rawData = new Uint8Array(0);
  t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.externalData = [
    onnx.StringStringEntryProto.create({ key: 'location', value: location }),
    onnx.StringStringEntryProto.create({ key: 'offset', value: '0' }),
    onnx.StringStringEntryProto.create({ key: 'length', value: String(data.length) }),
  ];
  return { model: onnx.ModelProto.encode(model).finish(), data };
}

/** A tfjs Layers model.json (ZeroPadding2D → Conv2D → Flatten → Dense) and its one shard. */
export function tfjsModel(padding = 1, shardPath = 'group1-shard1of1.bin'): { json: string; shard: Uint8Array } {
  const side = 8 + 2 * padding - 2;
  const layers = [
    { class_name: 'ZeroPadding2D', config: { name: 'pad', padding: [[padding, padding], [padding, padding]], batch_input_shape: [null, 8, 8, 1] } },
    { class_name: 'Conv2D', config: { name: 'conv', filters: 2, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'relu', use_bias: true, data_format: 'channels_last', dilation_rate: [1, 1] } },
    { class_name: 'Flatten', config: { name: 'flat' } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'linear', use_bias: true } },
  ];
  // An absurd padding keeps a small Dense: the padding is what is refused.
  const dense = padding < 100 ? side * side * 2 : 128;
  const weights = [
    { name: 'conv/kernel', shape: [3, 3, 1, 2], dtype: 'float32' },
    { name: 'conv/bias', shape: [2], dtype: 'float32' },
    { name: 'out/kernel', shape: [dense, 3], dtype: 'float32' },
    { name: 'out/bias', shape: [3], dtype: 'float32' },
  ];
  const count = 18 + 2 + dense * 3 + 3;
  const json = { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers } }, weightsManifest: [{ paths: [shardPath], weights }] };
  return { json: JSON.stringify(json), shard: new Uint8Array(Float32Array.from({ length: count }, (_, i) => Math.cos(i) * 0.1).buffer) };
}

export { floatTensor };
