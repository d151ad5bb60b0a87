// The engine against the peer itself: Zennit 0.5.1's maps of the seven seed methods on committed ONNX
// models exported from PyTorch (test/fixtures/zennit/, written by scripts/fixtures/zennit_references.sh
// through test/bench/peer/zennit_peer.py with METHODS.md's settings). The shapes ResNet has per-channel
// mean/std, BatchNorm2d fused by the exporter, a residual block with a projection, an identity block, a
// concatenation, an average pool, a C,H,W flatten and an unfused BatchNorm1d; pytorch-ops has grouped and
// depthwise convolutions, Pad + AveragePool, a ceil_mode max pool and Sub/Div input maps inside the model;
// torchvision's mobilenet_v2 (width 0.25, scripts/fixtures/mobilenet_fixture.py) has 35 ReLU6 (ONNX Clip),
// which Zennit treats as activations: Pass under LRP, the plain derivative under guided backprop. The modern
// families (scripts/fixtures/modern_cnn_fixtures.py, opset 17): squeeze-excite gates (the peer's product rule:
// Pahde et al.'s SignalOnlyGate, the gate gets nothing), SiLU, hard swish, hard sigmoid, GELU (Pass), a
// LayerNorm with σ held constant (LRP-0 on the rest), nn.Linear per position with its bias.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { runJob } from '../../../../src/engine/jobs/runJob';
import type { ExplainResult } from '../../../../src/protocol/engineJobs';

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
const BACKEND = { name: 'wasm-simd' as const };

interface PeerRow {
  method: string;
  target: number[];
  logits: number[][];
  relevance: number[][];
}

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const CASES: Array<{ name: string; model: string; image: string; peer: string; tolerance?: number }> = [
  { name: 'shapes ResNet (RGB, mean/std, residual, concat, BatchNorm1d)', model: 'onnx/shapes-resnet/shapes-resnet.onnx', image: 'zennit/shapes-triangle-32x32.png', peer: 'zennit/shapes-resnet.json' },
  { name: 'PyTorch ops (grouped, depthwise, Pad + AveragePool, ceil_mode, Sub/Div inside)', model: 'onnx/pytorch-ops.onnx', image: 'zennit/noise-20x20.png', peer: 'zennit/pytorch-ops.json' },
  { name: "torchvision's mobilenet_v2 at width 0.25 (35 ReLU6 as Clip, inverted residuals, depthwise)", model: 'onnx/mobilenet-v2-w025.onnx', image: 'zennit/shapes-triangle-32x32.png', peer: 'zennit/mobilenet-v2-w025.json' },
  { name: "torchvision's EfficientNet-B0 reduced (SiLU, squeeze-excite sigmoid gates)", model: 'onnx/modern/efficientnet_b0-w025-opset17.onnx', image: 'zennit/shapes-triangle-32x32.png', peer: 'zennit/efficientnet_b0-w025.json' },
  // These two random-weight nets amplify float32 rounding (MobileNetV3: Σ of the sensitivity map 2.7e5 for a
  // logit of 236): both float32 computations, in their own summation orders, agree to 1.1e-5 (guided backprop)
  // and 1.3e-5 (LRP-α1.2β0.2) of max |R| there; every other map to ≤ 1e-5.
  { name: "torchvision's MobileNetV3-small reduced (hard swish, hard-sigmoid gates)", model: 'onnx/modern/mobilenet_v3_small-w025-opset17.onnx', image: 'zennit/shapes-triangle-32x32.png', peer: 'zennit/mobilenet_v3_small-w025.json', tolerance: 2e-5 },
  { name: "torchvision's RegNetY reduced (grouped convolutions, squeeze-excite)", model: 'onnx/modern/regnet_y-tiny-opset17.onnx', image: 'zennit/shapes-triangle-32x32.png', peer: 'zennit/regnet_y-tiny.json', tolerance: 2e-5 },
  { name: "torchvision's ConvNeXt reduced (LayerNorm, Linear per position, GELU, layer scale)", model: 'onnx/modern/convnext-tiny-shaped-opset17.onnx', image: 'zennit/shapes-triangle-32x32.png', peer: 'zennit/convnext-tiny-shaped.json' },
];

for (const c of CASES) {
  test(`the seven seed methods equal Zennit's maps: ${c.name}`, async () => {
    const peer = JSON.parse(fs.readFileSync(path.join(FIXTURES, c.peer), 'utf8')) as { results: PeerRow[] };
    const result = (await runJob(
      {
        type: 'explain',
        model: { path: path.join(FIXTURES, c.model) },
        images: [{ kind: 'file', path: path.join(FIXTURES, c.image) }],
        methods: peer.results.map((r) => r.method),
        preprocess: 'none',
      },
      BACKEND,
    )) as ExplainResult;
    assert.equal(result.explanations.length, peer.results.length);
    for (const [k, theirs] of peer.results.entries()) {
      const ours = result.explanations[k];
      assert.equal(ours.method, theirs.method);
      assert.equal(ours.target, theirs.target[0], `${theirs.method}: the predicted class`);
      const logit = theirs.logits[0][theirs.target[0]];
      assert.ok(Math.abs(ours.logit - logit) <= 1e-5 * Math.max(1, Math.abs(logit)), `${theirs.method}: logit ${ours.logit} vs ${logit}`);
      const reference = theirs.relevance[0];
      const scale = Math.max(...reference.map(Math.abs));
      assert.ok(scale > 0, `${theirs.method}: an all-zero reference map would prove nothing`);
      let worst = 0;
      reference.forEach((r, i) => (worst = Math.max(worst, Math.abs(ours.relevance[i] - r))));
      assert.ok(worst <= (c.tolerance ?? 1e-5) * scale, `${theirs.method}: max |ours − Zennit| = ${worst.toExponential(2)}, ${(worst / scale).toExponential(2)} of max |R|`);
    }
  });
}
