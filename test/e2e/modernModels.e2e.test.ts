// A modern CNN in a real VS Code (issue 21): a workspace holding torchvision's EfficientNet-B0 (reduced, opset
// 17: SiLU, squeeze-excite gates; test/fixtures/onnx/modern) and an attention model the engine refuses.
// - Select Model lists the EfficientNet with the facts read from the file, and says of the attention model
//   why it cannot be used, key words first (the unsupported op types with counts, the architecture).
// - Explain Image on a PNG with LRP-ε: the engine's class, Σ R and logit; the map the webview receives
//   equals the engine's; the graph list shows the products with their gates and what LRP does there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { explainHere, modelInfoHere } from './harness/reference';
import { repoRoot } from './harness/paths';
import { e2eSkip, useSession, waitFor } from './harness/session';
import { formatValue } from '../../webview/format';
import { int, OnnxModelWriter, str } from '../unit/import/onnx/onnxWriter';
import { CONCEPT_KINDS } from '../../src/protocol/concepts';

const skip = e2eSkip();
const STATUS_ITEM = 'explain-image.explain-image.explainImage.status';
const MODEL = 'efficientnet/efficientnet_b0-w025.onnx';
const ATTENTION = 'attention/vit-like.onnx';
const IMAGE = 'triangle-32x32.png';
const explainTitle = contributedCommand('explainImage.explain').title;
const selectModel = contributedCommand('explainImage.selectModel').paletteLabel;
const selectMethod = contributedCommand('explainImage.selectMethod').paletteLabel;
const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;

/** Two Einsums (attention-like) between the input and a Gemm: refused, with the feature named. */
function attentionModel(): Uint8Array {
  const w = new OnnxModelWriter(17);
  const x = w.input('x', [null, 3, 8, 8]);
  const e1 = w.node('Einsum', [x, x], { equation: str('nchw,nchw->nchw') }, ['e1'], '/encoder/layers/encoder_layer_0/self_attention/Einsum');
  const e2 = w.node('Einsum', [e1, x], { equation: str('nchw,nchw->nchw') }, ['e2'], '/encoder/layers/encoder_layer_1/self_attention/Einsum');
  w.node('Gemm', [w.node('Flatten', [e2]), w.weight('W', [2, 192], new Array(384).fill(0.01))], { transB: int(1) }, ['logits']);
  w.output('logits', [null, 2]);
  return w.encode();
}

describe('a modern CNN: torchvision EfficientNet-B0 (reduced) with squeeze-excite gates, end to end', { timeout: 15 * 60_000 }, () => {
  const session = useSession('modern-models', () => ({
    watchdogMs: 15 * 60_000,
    prepareWorkspace: (dir) => {
      fs.mkdirSync(path.join(dir, 'efficientnet'));
      fs.copyFileSync(path.join(repoRoot, 'test/fixtures/onnx/modern/efficientnet_b0-w025-opset17.onnx'), path.join(dir, MODEL));
      fs.copyFileSync(path.join(repoRoot, 'test/fixtures/zennit/shapes-triangle-32x32.png'), path.join(dir, IMAGE));
      fs.mkdirSync(path.join(dir, 'attention'));
      fs.writeFileSync(path.join(dir, ATTENTION), attentionModel());
    },
  }));
  const panel = new ExplainPanelPage(() => session().workbench);
  const file = (name: string) => path.join(session().workspace.dir, name);

  it('Select Model lists the EfficientNet and says why the attention model cannot be used, key words first', { skip }, async () => {
    const s = session();
    await s.workbench.runCommand(selectModel);
    const rows = await waitFor(async () => {
      const r = await s.workbench.quickPickRows();
      const done = r.some((x) => x.startsWith(`${ATTENTION},`) && x.includes('cannot be used')) && r.some((x) => x.startsWith(`${MODEL},`) && x.includes('input 32×32×3'));
      return done ? r : undefined;
    }, 90_000);
    await s.workbench.screenshot('modern-select-model');
    assert.ok(rows, `rows: ${JSON.stringify(await s.workbench.quickPickRows())}`);
    const modelRow = rows.find((x) => x.startsWith(`${MODEL},`))!;
    assert.ok(modelRow.includes('ONNX') && modelRow.includes('input 32×32×3 RGB, NCHW'), `the EfficientNet row: ${modelRow}`);
    const attentionRow = rows.find((x) => x.startsWith(`${ATTENTION},`))!;
    assert.ok(
      attentionRow.includes('cannot be used: unsupported: Einsum ×2; attention (Einsum): vision transformers are not supported yet;'),
      `the attention row leads with the op types and the architecture: ${attentionRow}`,
    );
    assert.ok(!attentionRow.includes('supported ops:'), 'the supported list stays out of the row');
    await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.startsWith(`${MODEL},`));
    const status = await waitFor(async () => ((await s.workbench.statusBarText(STATUS_ITEM)).startsWith(`${MODEL} · `) ? true : undefined), 30_000);
    assert.ok(status, `the status bar names the EfficientNet: ${await s.workbench.statusBarText(STATUS_ITEM)}`);
  });

  it("explains the PNG, then with LRP-ε: the engine's class and numbers, its map, the gated products in the graph list", { skip }, async () => {
    const s = session();
    // First with the method in use, then LRP-ε chosen while the panel listens for the map it receives.
    await s.workbench.runExplorerContextMenu(IMAGE, explainTitle);
    await panel.waitUntil('a first map of the EfficientNet', (r) => settled(r) && r.model !== undefined, 180_000);
    const frame = await panel.frame();
    await frame.evaluate(`(() => {
      window.__lastMap = undefined;
      window.addEventListener('message', (event) => {
        const m = event.data;
        if (m && m.type === 'image-result' && m.result && m.result.heatmap) window.__lastMap = { relevance: Array.from(m.result.heatmap.relevance), target: m.result.heatmap.target };
      });
    })()`);
    await s.workbench.runCommand(selectMethod);
    await s.workbench.chooseQuickPickItem('LRP-ε', (aria) => aria.startsWith('LRP-ε,'));
    const reference = await explainHere(file(MODEL), [file(IMAGE)], 'lrp-epsilon');
    const e = reference.explanations[0];
    const reading = await panel.waitUntil('LRP-ε on the EfficientNet', (r) => settled(r) && /^LRP-ε/.test(r.method ?? '') && r.prediction === reference.card.labels[e.predicted], 180_000);
    await s.workbench.screenshot('modern-explained');
    assert.equal(reading.readout, `Σ R = ${formatValue(e.relevanceSum)} · logit ${formatValue(e.logit)}`);
    const received = (await waitFor(() => frame.evaluate('window.__lastMap') as Promise<{ relevance: number[]; target: number } | undefined>, 30_000))!;
    assert.ok(received, 'the webview received an LRP-ε map');
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < e.relevance.length; i++) {
      scale = Math.max(scale, Math.abs(e.relevance[i]));
      worst = Math.max(worst, Math.abs(e.relevance[i] - received.relevance[i]));
    }
    assert.equal(received.target, e.target);
    assert.ok(worst <= 1e-6 * scale, `the panel's map equals the engine's (max |ΔR| ${worst}, max |R| ${scale})`);
    const info = await modelInfoHere(file(MODEL), 'lrp-epsilon');
    await frame.locator('.model-graph summary').click();
    const listed = await frame.locator('.graph-table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((td) => (td.textContent ?? '').trim())));
    assert.deepEqual(listed, info.nodes.map((n) => [n.name, n.kind, n.shape.join('×'), n.rule ?? '', CONCEPT_KINDS.includes(n.kind) ? 'Concepts here' : '']), "the graph list is the engine's node list with its rules");
    const gated = listed.filter((r) => r[1] === 'product');
    assert.ok(gated.length >= 4 && gated.every((r) => /none to the gate \(SignalOnlyGate\)/.test(r[3])), `the squeeze-excite products: ${JSON.stringify(gated)}`);
    await s.workbench.screenshot('modern-graph');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
