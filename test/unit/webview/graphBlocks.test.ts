// The panel's model graph lists a transformer by block (webview/graphBlocks.ts): the ViT fixture's two
// encoder layers and the Swin fixture's four blocks and patch merging, as the engine names and describes
// their nodes, each block with the rules at its attention ops; a CNN's graph stays one flat list (as the
// e2e tests of the graph list read it).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { loadOnnxNetwork } from '../../../src/engine/import/onnx/loadOnnx';
import { describeNetwork } from '../../../src/engine/methods/describeNetwork';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { NodeInfo } from '../../../src/protocol/model';
import { blockOf, graphBlocks } from '../../../webview/graphBlocks';

const FIXTURES = path.resolve(__dirname, '../../fixtures/onnx');

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

function nodesOf(file: string, method: string): NodeInfo[] {
  const { network } = loadOnnxNetwork(path.join(FIXTURES, file));
  try {
    return describeNetwork(network, { method: parseMethodSpec(method) });
  } finally {
    network.dispose();
  }
}

test('block paths as torch.onnx.export writes them', () => {
  assert.equal(blockOf('/encoder/layers/encoder_layer_3/self_attention/MatMul'), '/encoder/layers/encoder_layer_3');
  assert.equal(blockOf('/encoder/layers/encoder_layer_3/ln_1/Add_1'), '/encoder/layers/encoder_layer_3');
  assert.equal(blockOf('/features/features.1/features.1.1/attn/Softmax'), '/features/features.1/features.1.1');
  assert.equal(blockOf('/features/features.2/Concat'), '/features/features.2');
  assert.equal(blockOf('/conv_proj/Conv'), null);
  assert.equal(blockOf('conv2d_1'), null);
});

test("the ViT fixture: its two encoder layers, each with one softmax and two matrix products and the method's rule there", () => {
  for (const [method, softmaxRule] of [
    ['attnlrp', /AttnLRP/],
    ['cp-lrp', /CP-LRP/],
  ] as const) {
    const nodes = nodesOf('shapes-vit/shapes-vit-opset17.onnx', method);
    const blocks = graphBlocks(nodes);
    assert.ok(blocks, 'grouped');
    assert.deepEqual(
      blocks.filter((b) => b.label !== null).map((b) => b.label),
      ['encoder_layer_0', 'encoder_layer_1'],
    );
    assert.equal(blocks.reduce((s, b) => s + b.nodes.length, 0), nodes.length, 'every node in one group');
    for (const b of blocks.filter((g) => g.label !== null)) {
      assert.equal(b.nodes.filter((n) => n.kind === 'softmax').length, 1, `${b.label}: one softmax`);
      assert.equal(b.nodes.filter((n) => n.kind === 'matmul').length, 2, `${b.label}: Q·Kᵀ and A·V`);
      assert.match(b.attentionRules, /^softmax: .+; matmul: .+$|^matmul: .+; softmax: .+$/);
      assert.match(b.attentionRules, softmaxRule);
    }
  }
});

test('the Swin fixture: four attention blocks and the patch merging between its stages', () => {
  const blocks = graphBlocks(nodesOf('shapes-swin/shapes-swin-opset13.onnx', 'attnlrp'));
  assert.ok(blocks);
  const labels = blocks.filter((b) => b.label !== null).map((b) => b.label);
  // The stem (patch conv, its LayerNorm), two blocks, the patch merging, two blocks.
  assert.deepEqual(labels, ['features.0.0', 'features.0.2', 'features.1.0', 'features.1.1', 'features.2', 'features.3.0', 'features.3.1']);
  for (const b of blocks) {
    const attention = ['features.1.0', 'features.1.1', 'features.3.0', 'features.3.1'].includes(b.label ?? '');
    assert.equal(b.nodes.filter((n) => n.kind === 'softmax').length, attention ? 1 : 0, `${b.label}: its softmax`);
    assert.equal(b.attentionRules === '', !attention, `${b.label}: "${b.attentionRules}"`);
  }
});

test("a CNN's graph (no attention, though it has numbered blocks) stays one flat list", () => {
  assert.equal(graphBlocks(nodesOf('shapes-resnet/shapes-resnet.onnx', 'lrp-a2b1')), null);
});
