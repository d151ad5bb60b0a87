// Concepts and strategies in a real VS Code, on the planted shortcut (test/unit/spray/shortcutFixture.ts:
// mnist-mlp plus a corner-mark detector that adds +10 to the logit of 7; every other 7 of the file marked).
// 1. A marked 7 explained from the dataset browser; "Concepts here" on dense1 in the model graph: the six
//    most relevant channels with the engine's own shares (the engine run here, in-process, on the same
//    pixels), a conditional heatmap each, and reference samples from the sample's own file.
// 2. "Find strategies" for class 7: the marked 7s are a cluster of their own (purity ≥ 0.9 from the exported
//    JSON), its prototypes are marked, the other cluster's are not; Export PNG writes the figure; a click
//    on a point of the scatter plot and one on a prototype explain those samples.
// Screenshots: artifacts/e2e/concepts-*.png.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { runConcepts } from '../../src/engine/concepts/conceptJob';
import { scatterLayout, SCATTER_SIZE } from '../../webview/dataset/strategyPlots';
import { SHORTCUT_CLASS, shortcutSamples, writeShortcutModel, writeShortcutNpz, type ShortcutSamples } from '../unit/spray/shortcutFixture';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const DATA = 'digits-with-mark.npz';
const COUNT = 1000;
/** Visible grid cells (rows out of view are kept hidden for re-use). */
const VISIBLE_CELL = '.grid-row:not([hidden]) .cell:not([hidden])';

describe('concepts and strategies', { timeout: 12 * 60_000 }, () => {
  let scratch: string;
  let samples: ShortcutSamples;
  const session = useSession('concepts', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'concepts-e2e-'));
    await initBackend(nodeModulesWasmDir());
    await writeShortcutModel(path.join(scratch, 'shortcut-model'));
    samples = shortcutSamples(COUNT);
    writeShortcutNpz(path.join(scratch, DATA), samples);
    return {
      watchdogMs: 11 * 60_000,
      prepareWorkspace: (dir) => {
        fs.cpSync(path.join(scratch, 'shortcut-model'), path.join(dir, 'shortcut-model'), { recursive: true });
        fs.copyFileSync(path.join(scratch, DATA), path.join(dir, DATA));
      },
      settings: { 'explainImage.model': 'shortcut-model/model.json', 'explainImage.method': 'lrp-a2b1' },
    };
  });

  it('Concepts here on a Dense node: the top channels with the engine\'s shares, conditional heatmaps and reference samples', { skip }, async () => {
    const s = session();
    const sample = samples.marked[0];
    await s.workbench.openFile(DATA);
    const grid = await s.workbench.findInWebview('#prediction-status', 60_000);
    assert.ok(grid, `no dataset browser: ${JSON.stringify(await s.workbench.webviewTexts())}`);
    const { frame } = grid;
    const done = await waitFor(async () => ((await frame.locator('#prediction-status').getAttribute('data-state')) === 'done' ? true : undefined), 180_000);
    assert.ok(done, `predictions did not finish: ${await frame.locator('#prediction-status').innerText()}`);
    await frame.locator('#jump-to').click();
    await frame.page().keyboard.type(String(sample));
    await frame.page().keyboard.press('Enter');
    await frame.locator(`${VISIBLE_CELL}[data-sample="${sample}"]`).first().click();

    const graph = await s.workbench.findInWebview('.model-graph summary', 90_000);
    assert.ok(graph, 'no model graph in the explain panel');
    const panel = graph.frame;
    await waitFor(async () => ((await panel.locator('#prediction').innerText()).trim() === '7' ? true : undefined), 60_000);
    await graph.element.click();
    await panel.locator('.concepts-here[data-node="dense1"]').click();

    const ready = await waitFor(async () => {
      const state = await panel.locator('#concepts-references').getAttribute('data-state').catch(() => null);
      if (state === 'failed') return `failed: ${await panel.locator('#concepts-references').innerText()}`;
      return state === 'done' && (await panel.locator('#concepts .concept-ref').count()) > 0 ? 'done' : undefined;
    }, 180_000);
    await s.workbench.screenshot('concepts');
    assert.equal(ready, 'done', `the Concepts section did not finish: ${await panel.locator('#concepts').innerText().catch(() => '')}`);

    // The engine in this process, on the same pixels (the file's sample, used as it is: the model's size).
    const pixels = samples.pixels.slice(sample * 784, (sample + 1) * 784);
    const mine = await runConcepts(
      {
        type: 'concepts',
        model: { path: path.join(s.workspace.dir, 'shortcut-model', 'model.json') },
        images: [{ kind: 'pixels', name: `#${sample}`, width: 28, height: 28, channels: 1, data: pixels }],
        method: 'lrp-a2b1',
        layer: 'dense1',
        preprocess: 'none',
        conditional: { top: 6 },
      },
      { name: 'wasm-simd' },
    );
    const item = mine.items[0];
    const absolute = Array.from(item.channelRelevance).reduce((t, v) => t + Math.abs(v), 0);
    const shown = await panel.locator('#concepts .concept').evaluateAll((rows) => rows.map((r) => ({ channel: Number((r as HTMLElement).dataset.channel), share: Number((r as HTMLElement).dataset.share) })));
    assert.deepEqual(shown.map((c) => c.channel), item.conditional.map((m) => m.channel));
    for (const c of shown) assert.ok(Math.abs(c.share - item.channelRelevance[c.channel] / absolute) < 1e-5, `channel ${c.channel}: share ${c.share}`);
    assert.equal(await panel.locator('#concepts canvas.concept-map').count(), 6);
    const references = await panel.locator('#concepts .concept-ref').evaluateAll((tiles) => tiles.map((t) => Number((t as HTMLElement).dataset.sample)));
    assert.ok(references.every((r) => r >= 0 && r < COUNT), `reference samples ${references}`);
    assert.match(await panel.locator('#concepts-references').innerText(), new RegExp(`Reference samples from ${DATA.replace('.', '\\.')}.*1,000 searched`));
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('Find strategies for class 7: the marked 7s are a cluster of their own; exports; clicks explain samples', { skip }, async () => {
    const s = session();
    await s.workbench.activateTab(DATA);
    const found = await s.workbench.findInWebview('#strategies-class', 30_000);
    assert.ok(found, 'no Find strategies bar');
    const { frame } = found;
    await frame.locator('#strategies-class').selectOption(String(SHORTCUT_CLASS));
    await frame.locator('#find-strategies').click();
    const state = await waitFor(async () => {
      const st = await frame.locator('#strategies-status').getAttribute('data-state');
      return st === 'done' || st === 'failed' ? st : undefined;
    }, 240_000);
    // The editor group maximised for the picture (the explain panel took half the window).
    await s.workbench.runCommand('View: Toggle Maximize Editor Group');
    await frame.locator('#strategies-result').scrollIntoViewIfNeeded();
    await s.workbench.screenshot('strategies');
    await s.workbench.runCommand('View: Toggle Maximize Editor Group');
    assert.equal(state, 'done', `Find strategies: ${await frame.locator('#strategies-status').innerText()}`);

    const marked = new Set(samples.marked);
    const clusters = await frame.locator('.strategy-cluster').evaluateAll((cards) =>
      cards.map((c) => ({
        id: Number((c as HTMLElement).dataset.cluster),
        size: Number((c as HTMLElement).dataset.size),
        prototypes: [...c.querySelectorAll('.strategy-prototype')].map((p) => Number((p as HTMLElement).dataset.sample)),
      })),
    );
    assert.ok(clusters.length >= 2, `${clusters.length} cluster(s)`);
    const markCluster = clusters.find((c) => c.prototypes.every((p) => marked.has(p)));
    assert.ok(markCluster, `no cluster whose prototypes all carry the mark: ${JSON.stringify(clusters)}`);
    for (const c of clusters.filter((c) => c !== markCluster)) assert.ok(c.prototypes.every((p) => !marked.has(p)), `cluster ${c.id} has marked prototypes`);

    // Export JSON (the same document as `spray --json`): purity of the mark's cluster.
    const jsonFile = path.join(s.workspace.dir, 'strategies-7.json');
    await frame.locator('#export-strategies-json').click();
    await s.workbench.answerSaveDialog(jsonFile);
    const saved = await waitFor(() => (fs.existsSync(jsonFile) && fs.statSync(jsonFile).size > 0 ? true : undefined), 15_000);
    assert.ok(saved, 'the JSON was not written');
    const doc = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { class: number; clusterCount: number; samples: Array<{ sample: number; cluster: number; x: number; y: number }> };
    assert.equal(doc.class, SHORTCUT_CLASS);
    const members = doc.samples.filter((p) => p.cluster === markCluster.id);
    const purity = members.filter((p) => marked.has(p.sample)).length / members.length;
    const recall = members.filter((p) => marked.has(p.sample)).length / doc.samples.filter((p) => marked.has(p.sample)).length;
    console.log(`[concepts e2e] ${doc.clusterCount} clusters; mark cluster ${markCluster.id}: ${members.length} samples, purity ${purity.toFixed(3)}, recall ${recall.toFixed(3)}`);
    assert.ok(purity >= 0.9 && recall >= 0.9, `purity ${purity}, recall ${recall}`);

    // Export PNG: the figure drawn in the webview.
    const pngFile = path.join(s.workspace.dir, 'strategies-7.png');
    await frame.locator('#export-strategies-png').click();
    await s.workbench.answerSaveDialog(pngFile);
    const png = await waitFor(() => (fs.existsSync(pngFile) && fs.statSync(pngFile).size > 0 ? PNG.sync.read(fs.readFileSync(pngFile)) : undefined), 15_000);
    assert.ok(png && png.width >= SCATTER_SIZE.width && png.height >= SCATTER_SIZE.height, 'the PNG was not written');

    // A click on a marked sample's point in the scatter plot explains that sample.
    const layout = scatterLayout(doc.samples.flatMap((p) => [p.x, p.y]));
    const k = doc.samples.findIndex((p) => marked.has(p.sample) && p.cluster === markCluster.id);
    const canvas = frame.locator('#strategies-scatter');
    const box = await canvas.boundingBox();
    assert.ok(box);
    await canvas.click({ position: { x: (layout[2 * k] / SCATTER_SIZE.width) * box.width, y: (layout[2 * k + 1] / SCATTER_SIZE.height) * box.height } });
    const pointTab = await waitFor(async () => ((await s.workbench.tabLabels()).some((t) => t.includes(`${DATA} #${doc.samples[k].sample}`)) ? true : undefined), 60_000);
    assert.ok(pointTab, `no explain tab for the clicked point #${doc.samples[k].sample}: ${JSON.stringify(await s.workbench.tabLabels())}`);

    // And a click on a prototype of the other strategy explains it.
    await s.workbench.activateTab(DATA);
    const other = clusters.find((c) => c !== markCluster)!;
    await frame.locator(`.strategy-cluster[data-cluster="${other.id}"] .strategy-prototype`).first().click();
    const prototypeTab = await waitFor(async () => ((await s.workbench.tabLabels()).some((t) => t.includes(`${DATA} #${other.prototypes[0]}`)) ? true : undefined), 60_000);
    assert.ok(prototypeTab, `no explain tab for prototype #${other.prototypes[0]}`);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
