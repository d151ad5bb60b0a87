// The model formats as fuzz targets (run in a child process with a memory cap: modelFuzz.test.ts). Each case
// is a model folder; its damage is structural (modelMutations.ts) or byte-level (mutations.ts). A case is
// opened as the engine opens a model (loadAnyModel: file, weights, card) and, when it loads, run once
// forward on a zero image, so a model that loads but faults the engine counts too. Every case folder has
// links out of it (to the canary beside the case folders, to a FIFO there, to /dev/zero), a FIFO and a
// folder in it, so that damaged paths have somewhere to escape to.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { onnx } from 'onnx-proto';
import { loadAnyModel } from '../../../src/engine/import/loadAnyModel';
import { logitsOf } from '../../../src/engine/network/forward';
import { floatTensor, int, ints, OnnxModelWriter } from '../import/onnx/onnxWriter';
import { CANARY, CANARY_FIFO } from './fuzzRunner';
import { fileTarget, type CaseMutation, type FuzzCase, type FuzzTarget } from './fuzzTargets';
import { CONFINEMENT_REFUSAL, externalLocations, mutateH5Config, mutateJsonText, mutateKerasArchive, mutateOnnx } from './modelMutations';
import { mutate } from './mutations';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const read = (rel: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, rel)));

/** Loads the model at `file`, runs it once on a zero image, frees it. */
export async function loadAndRun(file: string): Promise<string[]> {
  const model = await loadAnyModel(file);
  try {
    tf.tidy(() => {
      const logits = logitsOf(model.network, tf.zeros([1, ...model.network.inputShape]));
      logits.dataSync();
    });
  } finally {
    model.network.dispose();
  }
  return [];
}

/** Links out of a case folder and non-regular files in it, for damaged paths to point at. */
export function escapeRoutes(dir: string, root: string): void {
  fs.symlinkSync(path.relative(dir, path.join(root, CANARY)), path.join(dir, 'link-out.bin'));
  fs.symlinkSync(path.relative(dir, path.join(root, CANARY_FIFO)), path.join(dir, 'link-fifo'));
  fs.symlinkSync('/dev/zero', path.join(dir, 'dev-zero'));
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  try {
    execFileSync('mkfifo', [path.join(dir, 'fifo-inside')]);
  } catch {
    // no mkfifo: the FIFO inside is left out
  }
}

/** A small conv net with an NCHW input of dynamic height and width (the card must say them), a Pad and a BatchNorm. */
function dynamicOnnx(): Uint8Array {
  const w = new OnnxModelWriter(13);
  const x = w.input('x', [null, 3, 'height', 'width']);
  const pads = w.ints('pads', [0, 0, 1, 1, 0, 0, 1, 1]);
  const padded = w.node('Pad', [x, pads]);
  const conv = w.node('Conv', [padded, w.weight('k', [4, 3, 3, 3], Array.from({ length: 108 }, (_, i) => ((i * 7) % 11) / 11 - 0.5)), w.weight('b', [4], [0.1, -0.1, 0.2, 0])], { kernel_shape: ints([3, 3]) });
  const bn = w.node('BatchNormalization', [conv, w.weight('g', [4], [1, 2, 1, 0.5]), w.weight('be', [4], [0, 0.1, 0, 0]), w.weight('m', [4], [0, 0, 0.1, 0]), w.weight('v', [4], [1, 1, 2, 1])]);
  const relu = w.node('Relu', [bn]);
  const pool = w.node('GlobalAveragePool', [relu]);
  const flat = w.node('Flatten', [pool], { axis: int(1) });
  w.node('Gemm', [flat, w.weight('W', [3, 4], [1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1]), w.initializer(floatTensor('c', [3], [0, 0.5, -0.5]))], { transB: int(1) }, ['logits']);
  w.output('logits', [null, 3]);
  return w.encode();
}

/** The same kind of net with its conv kernel in external data (w.bin). */
function externalDataOnnx(): { model: Uint8Array; data: Uint8Array } {
  const model = onnx.ModelProto.decode(dynamicOnnx());
  const graph = model.graph as onnx.GraphProto;
  graph.input[0].type!.tensorType!.shape!.dim = [{ dimParam: 'batch' }, { dimValue: 3 }, { dimValue: 8 }, { dimValue: 8 }].map((d) => onnx.TensorShapeProto.Dimension.create(d));
  const k = graph.initializer.find((t) => t.name === 'k')!;
  const data = new Uint8Array(k.rawData!);
  k.rawData = new Uint8Array(0);
  k.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  k.externalData = [onnx.StringStringEntryProto.create({ key: 'location', value: 'w.bin' }), onnx.StringStringEntryProto.create({ key: 'offset', value: '0' }), onnx.StringStringEntryProto.create({ key: 'length', value: String(data.length) })];
  return { model: onnx.ModelProto.encode(model).finish(), data };
}

const CARD = JSON.stringify({ name: 'fuzz', inputShape: [12, 10, 3], inputRange: [0, 1], mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.2], labels: ['a', 'b', 'c'], training: { seed: 1 } });

/** A tfjs Layers model: ZeroPadding2D → Conv2D → Flatten → Dense, written by hand (model.json + one shard). */
function tfjsModel(): { json: Uint8Array; shard: Uint8Array } {
  const layers = [
    { class_name: 'ZeroPadding2D', config: { name: 'pad', padding: [[1, 1], [1, 1]], batch_input_shape: [null, 8, 8, 1] } },
    { class_name: 'Conv2D', config: { name: 'conv', filters: 2, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'relu', use_bias: true, data_format: 'channels_last', dilation_rate: [1, 1] } },
    { class_name: 'Flatten', config: { name: 'flat' } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax', use_bias: true } },
  ];
  const weights = [
    { name: 'conv/kernel', shape: [3, 3, 1, 2], dtype: 'float32' },
    { name: 'conv/bias', shape: [2], dtype: 'float32' },
    { name: 'out/kernel', shape: [128, 3], dtype: 'float32' },
    { name: 'out/bias', shape: [3], dtype: 'float32' },
  ];
  const count = 18 + 2 + 384 + 3;
  const json = { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers } }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }] };
  return { json: new TextEncoder().encode(JSON.stringify(json)), shard: new Uint8Array(Float32Array.from({ length: count }, (_, i) => Math.sin(i) * 0.1).buffer) };
}

/** A model.json damage: its JSON, a weight path pointed out of the folder (must be refused), or its shard's bytes. */
function mutateTfjs(files: Record<string, Uint8Array>, damage: string, random: () => number, root: string): CaseMutation {
  const r = random();
  const text = new TextDecoder().decode(files[damage]);
  if (r < 0.3) {
    const place = externalLocations(root)[Math.floor(random() * externalLocations(root).length)];
    const json = JSON.parse(text);
    json.weightsManifest[0].paths = [place.location];
    // The shard itself is beside the model under that name when the name stays inside.
    return {
      bytes: new TextEncoder().encode(JSON.stringify(json)),
      what: `shard path ${JSON.stringify(place.location.slice(0, 40))}`,
      mustRefuse: place.refuse && place.location !== 'missing.bin' ? CONFINEMENT_REFUSAL : undefined,
    };
  }
  if (r < 0.8) {
    const m = mutateJsonText(text, random);
    return { bytes: new TextEncoder().encode(m.text), what: m.what };
  }
  const shard = mutate(files['group1-shard1of1.bin'], random);
  return { bytes: files[damage], what: `shard: ${shard.what}`, extraFiles: { 'group1-shard1of1.bin': shard.bytes } };
}

/** A card damage: its JSON, labels.txt's bytes, or the card (or labels.txt) made a link out or to a FIFO (must be refused). */
function mutateCard(files: Record<string, Uint8Array>, damage: string, random: () => number): CaseMutation {
  const r = random();
  if (r < 0.12) {
    const [to, label] = [[`../${CANARY}`, 'the canary outside'], ['link-fifo', 'a FIFO outside'], ['/dev/zero', '/dev/zero'], ['fifo-inside', 'a FIFO inside'], ['sub', 'a folder']][Math.floor(random() * 5)];
    const which = random() < 0.7 ? 'card.json' : 'labels.txt';
    // labels.txt is read only when the card has no labels.
    const card = which === 'card.json' ? files[damage] : new TextEncoder().encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(files[damage])), labels: undefined }));
    return { bytes: card, what: `${which} → link to ${label}`, links: { [which]: to }, mustRefuse: /not a regular file|links outside the model's folder|cannot be read/ };
  }
  if (r < 0.25) {
    const labels = mutate(files['labels.txt'], random);
    return { bytes: files[damage], what: `labels.txt: ${labels.what}`, extraFiles: { 'labels.txt': labels.bytes } };
  }
  const m = mutateJsonText(new TextDecoder().decode(files[damage]), random);
  return { bytes: new TextEncoder().encode(m.text), what: `card.json: ${m.what}` };
}

function onnxCases(): FuzzCase[] {
  const external = externalDataOnnx();
  return [
    { files: { 'model.onnx': read('onnx/pytorch-ops.onnx') }, damage: 'model.onnx' },
    { files: { 'model.onnx': read('onnx/mnist-view-flatten-opset9.onnx') }, damage: 'model.onnx' },
    { files: { 'model.onnx': read('onnx/mnist-view-flatten-opset17.onnx') }, damage: 'model.onnx' },
    { files: { 'model.onnx': dynamicOnnx(), 'card.json': new TextEncoder().encode(CARD) }, damage: 'model.onnx' },
    { files: { 'model.onnx': external.model, 'w.bin': external.data }, damage: 'model.onnx' },
    // Exports of the post-2018 kinds: attention (ViT, Swin: MatMul of activations, Softmax, LayerNorm, the
    // shape chains of dynamic axes, shifted windows), squeeze-excite gates, LayerNorm written out.
    withCard('onnx/shapes-vit/shapes-vit-opset13.onnx', 'onnx/shapes-vit/card.json'),
    withCard('onnx/shapes-swin/shapes-swin-opset17.onnx', 'onnx/shapes-swin/card.json'),
    { files: { 'model.onnx': read('onnx/modern/efficientnet_b0-w025-opset13.onnx') }, damage: 'model.onnx' },
    { files: { 'model.onnx': read('onnx/modern/convnext-tiny-shaped-opset13.onnx') }, damage: 'model.onnx' },
  ];
}

function withCard(model: string, card: string): FuzzCase {
  return { files: { 'model.onnx': read(model), 'card.json': read(card) }, damage: 'model.onnx' };
}

function kerasMembers(bytes: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(bytes);
}

const KERAS_FIXTURES = ['keras/zoo.keras', 'keras/functional-rgb.keras', 'keras/sequential-cnn.keras'];

export const MODEL_FUZZ_TARGETS: FuzzTarget[] = [
  fileTarget('onnx protobuf', onnxCases, loadAndRun, {
    setup: escapeRoutes,
    mutate: (files, damage, random, root) => mutateOnnx(files[damage], random, root!),
  }),
  fileTarget(
    'onnx bytes',
    (): FuzzCase[] => {
      const external = externalDataOnnx();
      return [
        { files: { 'model.onnx': read('onnx/pytorch-ops.onnx') }, damage: 'model.onnx' },
        { files: { 'model.onnx': external.model, 'w.bin': external.data }, damage: 'w.bin', open: 'model.onnx' },
      ];
    },
    loadAndRun,
    { setup: escapeRoutes },
  ),
  fileTarget(
    'keras .keras',
    () => KERAS_FIXTURES.map((f) => ({ files: { 'model.keras': read(f) }, damage: 'model.keras' })),
    loadAndRun,
    {
      mutate: (files, damage, random) => (random() < 0.65 ? mutateKerasArchive(files[damage], kerasMembers(files[damage]), random) : mutate(files[damage], random)),
    },
  ),
  fileTarget(
    'keras .h5',
    () => ['keras/sequential-cnn-keras2.h5', 'keras/sequential-cnn-keras3.h5'].map((f) => ({ files: { 'model.h5': read(f) }, damage: 'model.h5' })),
    loadAndRun,
    { mutate: (files, damage, random) => (random() < 0.5 ? mutateH5Config(files[damage], random) : mutate(files[damage], random)) },
  ),
  fileTarget(
    'tfjs model.json',
    () => {
      const m = tfjsModel();
      return [{ files: { 'model.json': m.json, 'group1-shard1of1.bin': m.shard }, damage: 'model.json' }];
    },
    loadAndRun,
    { setup: escapeRoutes, mutate: (files, damage, random, root) => mutateTfjs(files, damage, random, root!) },
  ),
  fileTarget(
    'model card',
    () => [{ files: { 'model.onnx': dynamicOnnx(), 'card.json': new TextEncoder().encode(CARD), 'labels.txt': new TextEncoder().encode('a\nb\nc\n') }, damage: 'card.json', open: 'model.onnx' }],
    loadAndRun,
    { setup: escapeRoutes, mutate: mutateCard },
  ),
];
