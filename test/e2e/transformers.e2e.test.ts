// A vision transformer in a real VS Code (issue 22): a workspace holding the shapes ViT (torchvision's
// VisionTransformer, 2 encoder layers, 2 heads, patch 8 on 32×32 RGB; torch.onnx.export at opset 17 with its
// card and labels, test/fixtures/onnx/shapes-vit) and one of its 32×32 test images.
// - Select Model lists the ViT with the card's facts and picks it.
// - Explain Image on the PNG, then AttnLRP chosen in Select Method: the engine's class, Σ R and logit; the map
//   the webview receives equals the engine's, computed in the test process on the same files.
// - The model graph lists the ViT by block: one closed row per encoder layer with the rules at its attention
//   ops (the softmax's and the matrix products' as the engine's model-info gives them); opened, its nodes' rows
//   are the engine's nodes with their rules.
// - Compare Methods fills all seven seed cells for the ViT.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { compareFrame, waitFilled } from './harness/comparePanel';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { listenForMaps, lastReceivedMap, mapDifference } from './harness/receivedMaps';
import { explainHere, modelInfoHere } from './harness/reference';
import { repoRoot } from './harness/paths';
import { e2eSkip, useSession, waitFor } from './harness/session';
import { formatValue } from '../../webview/format';
import { CONCEPT_KINDS } from '../../src/protocol/concepts';

const skip = e2eSkip();
const STATUS_ITEM = 'explain-image.explain-image.explainImage.status';
const FIXTURE = path.join(repoRoot, 'test/fixtures/onnx/shapes-vit');
const MODEL = 'vit/shapes-vit-opset17.onnx';
const IMAGE = 'triangle-32x32.png';
const CARD = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'card.json'), 'utf8')) as { name: string; dataset: string };
/** The encoder layers torchvision names in the export ("/encoder/layers/encoder_layer_0/..."). */
const LAYERS = ['encoder_layer_0', 'encoder_layer_1'];
const explainTitle = contributedCommand('explainImage.explain').title;
const selectModel = contributedCommand('explainImage.selectModel').paletteLabel;
const selectMethod = contributedCommand('explainImage.selectMethod').paletteLabel;
const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;

describe('a vision transformer: the shapes ViT (ONNX) explained with AttnLRP, end to end', { timeout: 15 * 60_000 }, () => {
  const session = useSession('transformers', () => ({
    watchdogMs: 15 * 60_000,
    prepareWorkspace: (dir) => {
      fs.mkdirSync(path.join(dir, 'vit'));
      for (const f of [path.basename(MODEL), 'card.json', 'labels.txt']) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, 'vit', f));
      // One of the fixture's own test images: 32×32 RGB, the model's input size (no resize).
      fs.copyFileSync(path.join(FIXTURE, IMAGE), path.join(dir, IMAGE));
    },
  }));
  const panel = new ExplainPanelPage(() => session().workbench);
  const file = (name: string) => path.join(session().workspace.dir, name);

  it('Select Model lists the ViT with its card facts and picks it', { skip }, async () => {
    const s = session();
    await s.workbench.runCommand(selectModel);
    const rows = await waitFor(async () => {
      const r = await s.workbench.quickPickRows();
      return r.some((x) => x.startsWith(`${MODEL},`) && x.includes('input 32×32×3')) ? r : undefined;
    }, 90_000);
    await s.workbench.screenshot('vit-select-model');
    assert.ok(rows, `Select Model should list ${MODEL}: ${JSON.stringify(await s.workbench.quickPickRows())}`);
    const row = rows.find((x) => x.startsWith(`${MODEL},`))!;
    assert.ok(row.startsWith(`${MODEL}, ${CARD.name} · ONNX, `), `the row names the card's model and the format: ${row}`);
    assert.ok(row.includes(`${CARD.dataset} · `) && row.includes('input 32×32×3 RGB, NCHW · 4 labels (labels.txt)'), `card facts: ${row}`);
    assert.ok(!row.includes('cannot be used'), `the ViT can be used: ${row}`);
    await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.startsWith(`${MODEL},`));
    const status = await waitFor(async () => ((await s.workbench.statusBarText(STATUS_ITEM)).startsWith(`${MODEL} · `) ? true : undefined), 30_000);
    assert.ok(status, `the status bar names the ViT by its path: ${await s.workbench.statusBarText(STATUS_ITEM)}`);
  });

  it("explains the PNG with AttnLRP: the engine's class, numbers and map, the graph by block with the attention rules", { skip }, async () => {
    const s = session();
    // First with the method in use, then AttnLRP chosen while the panel listens for the map it receives.
    await s.workbench.runExplorerContextMenu(IMAGE, explainTitle);
    await panel.waitUntil('a first map of the ViT', (r) => settled(r) && r.model === CARD.name, 180_000);
    const frame = await panel.frame();
    await listenForMaps(frame);
    await s.workbench.runCommand(selectMethod);
    await s.workbench.chooseQuickPickItem('attnlrp', (aria) => aria.startsWith('AttnLRP,'));
    const reference = await explainHere(file(MODEL), [file(IMAGE)], 'attnlrp');
    const e = reference.explanations[0];
    const reading = await panel.waitUntil('AttnLRP on the ViT', (r) => settled(r) && r.method === 'AttnLRP' && r.prediction === reference.card.labels[e.predicted], 180_000);
    await s.workbench.screenshot('vit-attnlrp');
    assert.equal(reading.readout, `Σ R = ${formatValue(e.relevanceSum)} · logit ${formatValue(e.logit)}`);
    assert.match(await s.workbench.statusBarText(STATUS_ITEM), /AttnLRP/, 'the status bar names the method');
    const received = (await lastReceivedMap(frame, 30_000))!;
    assert.ok(received, 'the webview received an AttnLRP map');
    assert.equal(received.relevance.length, e.relevance.length, 'a map at the input\'s 32×32');
    const { worst, scale } = mapDifference(e.relevance, received.relevance);
    assert.equal(received.target, e.target);
    assert.ok(scale > 0, 'the engine\'s AttnLRP map is not all zero');
    assert.ok(worst <= 1e-6 * scale, `the panel's map equals the engine's (max |ΔR| ${worst}, max |R| ${scale})`);

    // The model graph: closed rows per encoder layer, each with the engine's rules at its attention ops.
    const info = await modelInfoHere(file(MODEL), 'attnlrp');
    await frame.locator('.model-graph summary').click();
    const blockRows = frame.locator('.graph-table tbody tr.graph-block');
    const blocks = await blockRows.evaluateAll((trs) => trs.map((tr) => ({ block: (tr as HTMLElement).dataset.block ?? '', toggle: (tr.querySelector('.graph-block-toggle')?.textContent ?? '').trim(), expanded: tr.querySelector('.graph-block-toggle')?.getAttribute('aria-expanded'), rules: (tr.querySelector('.block-rules')?.textContent ?? '').trim() })));
    assert.deepEqual(blocks.map((b) => b.block), LAYERS, `one row per encoder layer: ${JSON.stringify(blocks)}`);
    for (const b of blocks) {
      const inBlock = info.nodes.filter((n) => n.name.includes(`/${b.block}/`));
      const softmax = inBlock.filter((n) => n.kind === 'softmax');
      const matmul = inBlock.filter((n) => n.kind === 'matmul');
      assert.equal(softmax.length, 1, `${b.block}: one softmax in the engine's nodes`);
      assert.equal(matmul.length, 2, `${b.block}: Q·Kᵀ and A·V in the engine's nodes`);
      // AttnLRP's rules, as model-info writes them (layers/softmax.ts, layers/matmul.ts).
      assert.match(softmax[0].rule ?? '', /^AttnLRP: R_z = z ⊙ \(R_s − s·ΣR_s\)/);
      assert.ok(matmul.every((n) => n.rule === matmul[0].rule && /^AttnLRP: .*split evenly/.test(n.rule ?? '')), `${b.block}: the matmuls' rule ${JSON.stringify(matmul.map((n) => n.rule))}`);
      // The block row names each attention kind's rule once, kinds in the order they first occur (Q·Kᵀ first).
      const firstKind = inBlock.find((n) => n.kind === 'softmax' || n.kind === 'matmul')!.kind;
      const byKind = { softmax: `softmax: ${softmax[0].rule}`, matmul: `matmul: ${matmul[0].rule}` };
      assert.equal(b.rules, firstKind === 'matmul' ? `${byKind.matmul}; ${byKind.softmax}` : `${byKind.softmax}; ${byKind.matmul}`, `${b.block}'s rules`);
      assert.equal(b.toggle, `▸ ${b.block} · ${inBlock.length} nodes`);
      assert.equal(b.expanded, 'false', `${b.block} starts closed`);
    }
    // Every node of the engine is listed, in the engine's order, with its rule; the layers' nodes hidden.
    const nodeRows = frame.locator('.graph-table tbody tr.graph-node');
    const listed = await nodeRows.evaluateAll((trs) => trs.map((tr) => ({ cells: Array.from(tr.children).map((td) => (td.textContent ?? '').trim()), hidden: (tr as HTMLElement).hidden })));
    assert.deepEqual(
      listed.map((r) => r.cells),
      info.nodes.map((n) => [n.name, n.kind, n.shape.join('×'), n.rule ?? '', CONCEPT_KINDS.includes(n.kind) ? 'Concepts here' : '']),
      "the graph list is the engine's node list with its rules",
    );
    const inLayer = (name: string, layer: string) => name.includes(`/${layer}/`);
    listed.forEach((r, i) => assert.equal(r.hidden, LAYERS.some((l) => inLayer(info.nodes[i].name, l)), `${info.nodes[i].name}: hidden inside a closed layer only`));
    await s.workbench.screenshot('vit-graph-blocks');

    // Open the first layer: its nodes' rows are shown (the attention ops with their AttnLRP rules), the second's stay hidden.
    await frame.locator(`.graph-table tr.graph-block[data-block="${LAYERS[0]}"] .graph-block-toggle`).click();
    const opened = await waitFor(async () => {
      const toggle = frame.locator(`.graph-table tr.graph-block[data-block="${LAYERS[0]}"] .graph-block-toggle`);
      return (await toggle.getAttribute('aria-expanded')) === 'true' ? (await toggle.textContent())?.trim() : undefined;
    }, 10_000);
    const firstLayer = info.nodes.filter((n) => inLayer(n.name, LAYERS[0]));
    assert.equal(opened, `▾ ${LAYERS[0]} · ${firstLayer.length} nodes`);
    const visible = await nodeRows.evaluateAll((trs) => trs.filter((tr) => !(tr as HTMLElement).hidden && (tr as HTMLElement).offsetParent !== null).map((tr) => Array.from(tr.children).map((td) => (td.textContent ?? '').trim())));
    const outside = info.nodes.filter((n) => !LAYERS.some((l) => inLayer(n.name, l)));
    assert.deepEqual(
      visible.map((r) => r[0]),
      info.nodes.filter((n) => !LAYERS.slice(1).some((l) => inLayer(n.name, l))).map((n) => n.name),
      `the first layer's ${firstLayer.length} nodes shown with the ${outside.length} outside the layers`,
    );
    const attention = visible.filter((r) => r[1] === 'softmax' || r[1] === 'matmul');
    assert.equal(attention.length, 3, `the first layer's softmax and two matmuls are shown: ${JSON.stringify(attention)}`);
    for (const r of attention) assert.equal(r[3], firstLayer.find((n) => n.name === r[0])!.rule, `${r[0]}: the engine's rule`);
    await s.workbench.screenshot('vit-graph-layer-open');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('Compare Methods fills all seven seed cells for the ViT', { skip }, async () => {
    const s = session();
    const started = Date.now();
    await s.workbench.runExplorerContextMenu(IMAGE, contributedCommand('explainImage.compareMethods').title);
    const frame = await compareFrame(s, 'methods', '7 methods · 1 image', 120_000);
    const ms = await waitFilled(s, frame, [7], 'vit-methods');
    console.log(`[transformers] 1 image × 7 methods (${MODEL}) filled ${ms} ms after the view appeared, ${Date.now() - started} ms after the menu click`);
    await s.workbench.screenshot('vit-compare');
    const reference = await explainHere(file(MODEL), [file(IMAGE)], 'gradient');
    const predicted = reference.card.labels[reference.explanations[0].predicted];
    const description = (await frame.locator('canvas#figure').getAttribute('aria-label')) ?? '';
    for (const title of ['Sensitivity Analysis', 'Guided Backprop', 'Simple Taylor Decomposition', 'Deep Taylor Decomposition', 'LRP-α1.2β0.2', 'LRP-α1.5β0.5', 'LRP-α2β1']) {
      assert.ok(description.includes(title), `the figure has no column "${title}": ${description}`);
    }
    assert.ok(description.includes(`${IMAGE} → ${predicted} (`), `the row says the engine's prediction ${predicted}: ${description}`);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
