// The model families tables (test/fixtures/onnx/families.json, rendered into the README and
// docs/models-and-cards.md) kept true: every family it says opens with a committed fixture opens from that
// fixture at each exported opset, its logits equal PyTorch's and its input gradient equals autograd's (the
// fixture's reference.json), and the node kinds the family is about are there (squeeze-excite gates, norms,
// dense layers per position, picks). Both files hold exactly the tables the data renders. Nothing is
// exported here: the fixtures are committed.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { gradientAt } from '../../../../src/engine/methods/attributors';
import { FAMILIES_TABLES, readFamilies, renderTable, tableIn } from '../../../../scripts/familiesTable';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/onnx');

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** What each family's fixture must show it read: kinds present (and a gate on some product). */
const SHOWS: Record<string, { kinds: string[]; gated?: boolean }> = {
  'MobileNet V2': { kinds: ['clip', 'add'] },
  'ShuffleNet V2': { kinds: ['gather', 'concat'] },
  'MobileNet V3': { kinds: ['product', 'activation'], gated: true },
  EfficientNet: { kinds: ['product', 'activation'], gated: true },
  'EfficientNet V2': { kinds: ['product', 'activation'], gated: true },
  'RegNet Y': { kinds: ['product'], gated: true },
  ConvNeXt: { kinds: ['layerNorm', 'dense', 'activation', 'affine'] },
  'Vision Transformer': { kinds: ['matmul', 'softmax', 'layerNorm', 'concat'] },
  'Swin Transformer': { kinds: ['matmul', 'softmax', 'layerNorm', 'gather'] },
};

/** The fixture's ONNX files: <name>-opset13/17.onnx, or <name>.onnx. */
function filesOf(fixture: string): string[] {
  const byOpset = [13, 17].map((o) => path.join(FIXTURES, `${fixture}-opset${o}.onnx`)).filter((f) => fs.existsSync(f));
  return byOpset.length ? byOpset : [path.join(FIXTURES, `${fixture}.onnx`)];
}

describe('the model families table', () => {
  const families = readFamilies();

  for (const { file, kind } of FAMILIES_TABLES) {
    test(`${path.basename(file)} holds exactly the ${kind} table rendered from families.json`, () => {
      const shown = tableIn(fs.readFileSync(file, 'utf8'), kind);
      assert.ok(shown !== undefined, `${file}: no <!-- families:${kind} --> … <!-- /families --> markers`);
      assert.equal(shown, renderTable(kind, families), `${file} is out of date: node --import tsx scripts/familiesTable.ts --write`);
    });
  }

  test('every family either opens or says why not; every claim names its evidence', () => {
    for (const f of families) {
      if (!f.opens) assert.ok(f.why && f.fixtures.length === 0 && f.fullSize.length === 0, f.family);
      else assert.ok(f.fixtures.length + f.fullSize.length > 0, `${f.family}: opens, checked by what?`);
      for (const z of f.zennit) assert.ok(f.fixtures.includes(z), `${f.family}: the Zennit fixture ${z} is one of its fixtures`);
      for (const fixture of f.fixtures) assert.ok(filesOf(fixture).every((file) => fs.existsSync(file)), `${fixture} is committed`);
    }
  });

  for (const f of families.filter((x) => x.fixtures.length)) {
    for (const fixture of f.fixtures) {
      test(`${f.family}: ${fixture} opens at every exported opset, logits = PyTorch, gradient = autograd`, async () => {
        const named = path.join(FIXTURES, `${fixture}.reference.json`);
        const referenceFile = fs.existsSync(named) ? named : path.join(FIXTURES, path.dirname(fixture), 'reference.json');
        const reference = JSON.parse(fs.readFileSync(referenceFile, 'utf8')) as {
          inputShape: number[];
          inputs: number[];
          outputs: number[];
          targets: number[];
          gradient: number[];
        };
        const [batch] = reference.inputShape;
        const x = nchwToNhwc(Float32Array.from(reference.inputs), reference.inputShape);
        for (const file of filesOf(fixture)) {
          const label = path.basename(file);
          const { network } = loadOnnxNetwork(file);
          try {
            const kinds = network.nodes.map((n) => n.kind as string);
            for (const kind of SHOWS[f.family]?.kinds ?? []) assert.ok(kinds.includes(kind), `${label}: a ${kind} node (${[...new Set(kinds)].join(' ')})`);
            if (SHOWS[f.family]?.gated) assert.ok(network.nodes.some((n) => n.kind === 'product' && n.gate !== null), `${label}: a squeeze-excite gate`);
            // float32 in another order than PyTorch's: within 1e-5, or within twice what onnxruntime itself
            // is off on this model (MobileNetV3 small, random weights: onnxruntime 8e-6, the engine 1.6e-5).
            const logits = engineLogits(network, x, batch);
            const ort = await ortOutputs(fs.readFileSync(file), Float32Array.from(reference.inputs), reference.inputShape);
            const bound = Math.max(1e-5, 2 * relativeError(ort, reference.outputs));
            assert.ok(relativeError(logits, reference.outputs) <= bound, `${label}: logits ${relativeError(logits, reference.outputs)} (bound ${bound})`);
            const classes = network.outputSize;
            const g = tf.tidy(() => gradientAt(network, tf.tensor(x, [batch, ...network.inputShape]), tf.oneHot(reference.targets, classes).toFloat(), 'gradient'));
            const expected = nchwToNhwc(Float32Array.from(reference.gradient), reference.inputShape);
            const error = relativeError(g.dataSync(), expected);
            g.dispose();
            assert.ok(error <= 1e-4, `${label}: gradient vs autograd ${error}`);
          } finally {
            network.dispose();
          }
        }
      });
    }
  }
});
