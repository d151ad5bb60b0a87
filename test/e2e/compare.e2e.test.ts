// The comparison figure in a real VS Code: with two image tabs open, "Compare Methods" from the palette
// fills a figure of 2 rows × 7 method columns (the seed figure's methods), which exports as a PNG of
// exactly its canvas through the save dialog; "Compare Models" fills one column per bundled model of the
// selected model's data set. The figure's contract with this test: `canvas#figure` with
// `data-filled-cells` (heatmaps drawn per row, as JSON) and an aria-label naming columns and rows, in a
// view whose `h1.figure-title` says "Compare methods" or "Compare models".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { compareFrame, waitFilled, waitSectionSettled } from './harness/comparePanel';
import { contributedCommand } from './harness/manifest';
import { readCanvas, waitForPngFile } from './harness/pixels';
import { bundledModels, defaultModel, predictedLabels } from './harness/reference';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const IMAGES = ['mnist-7-0000.png', 'mnist-2-0001.png'];
/** The `explainImage.compare.methods` default: the seed figure's seven methods, as their column titles. */
const SEED_TITLES = ['Sensitivity Analysis', 'Guided Backprop', 'Simple Taylor Decomposition', 'Deep Taylor Decomposition', 'LRP-α1.2β0.2', 'LRP-α1.5β0.5', 'LRP-α2β1'];

describe('comparison figure', { timeout: 10 * 60_000 }, () => {
  const session = useSession('compare');
  const model = defaultModel();

  it('compares the seed methods on the two open image tabs and exports the figure', { skip }, async () => {
    const s = session();
    for (const image of IMAGES) await s.workbench.openFile(image);
    const labels = await predictedLabels(model.modelJson, IMAGES.map((f) => path.join(s.workspace.dir, f)));
    const started = Date.now();
    await s.workbench.runCommand(contributedCommand('explainImage.compareMethods').paletteLabel);
    const frame = await compareFrame(s, 'methods', `7 methods · ${IMAGES.length} images`);
    await waitFilled(s, frame, [7, 7], 'methods');
    console.log(`[compare] 2 images × 7 methods (${model.id}) filled ${Date.now() - started} ms after the command`);
    // The canvas is final once the Faithfulness section under the figure is in (faithfulness.e2e checks it).
    await waitSectionSettled(s, frame);
    await s.workbench.screenshot('methods');

    const figure = frame.locator('canvas#figure');
    const description = (await figure.getAttribute('aria-label')) ?? '';
    for (const title of SEED_TITLES) assert.ok(description.includes(title), `the figure has no column "${title}": ${description}`);
    IMAGES.forEach((image, i) => assert.ok(description.includes(`${image} → ${labels[i]} (`), `row ${image} should say predicted ${labels[i]}: ${description}`));
    // The tab names what it holds: two comparisons of different images get different titles.
    assert.ok((await s.workbench.tabLabels()).includes(`Compare methods · ${model.id} · ${IMAGES.map((f) => path.basename(f)).join(', ')}`), `tabs: ${JSON.stringify(await s.workbench.tabLabels())}`);
    const shown = await readCanvas(figure);

    // Export from the palette (the comparison is the active editor): the save dialog, then the file.
    const target = path.join(s.workspace.dir, 'comparison-methods.png');
    await s.workbench.runCommand(contributedCommand('explainImage.exportComparison').paletteLabel);
    await s.workbench.answerSaveDialog(target);
    const png = await waitForPngFile(target);
    assert.ok(png, `no whole PNG at ${target} after answering the save dialog`);
    assert.deepEqual([png.width, png.height], [shown.width, shown.height], 'the PNG has the canvas\'s size');
    assert.equal(png.signature, shown.signature, 'the PNG holds exactly the pixels shown');
    assert.ok(png.nonWhite > 0.05 * png.width * png.height, `the exported figure is nearly blank (${png.nonWhite} of ${png.width * png.height} pixels not white)`);
    console.log(`[compare] exported ${png.width}×${png.height} px, ${png.colours} colours`);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('compares the bundled models of the data set, one column each', { skip }, async () => {
    const s = session();
    const sameData = bundledModels().filter((m) => m.dataset === model.dataset);
    const started = Date.now();
    // The two image tabs are still open (the figure of the first test opened beside them).
    await s.workbench.runCommand(contributedCommand('explainImage.compareModels').paletteLabel);
    const frame = await compareFrame(s, 'models', `${sameData.length} models · ${IMAGES.length} images`);
    await waitFilled(s, frame, [sameData.length, sameData.length], 'models');
    console.log(`[compare] 2 images × ${sameData.length} models (${sameData.map((m) => m.id).join(', ')}) filled ${Date.now() - started} ms after the command`);
    await s.workbench.screenshot('models');
    const description = (await frame.locator('canvas#figure').getAttribute('aria-label')) ?? '';
    for (const m of sameData) assert.ok(description.includes(m.id), `the figure has no column ${m.id}: ${description}`);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('compares the methods on the images selected in the Explorer', { skip }, async () => {
    const s = session();
    const selected = ['mnist-3-0018.png', 'mnist-5-0008.png', 'mnist-9-0007.png'];
    const started = Date.now();
    await s.workbench.runExplorerContextMenu(selected, contributedCommand('explainImage.compareMethods').title);
    const frame = await compareFrame(s, 'methods', `7 methods · ${selected.length} images`);
    await waitFilled(s, frame, selected.map(() => 7), 'selection');
    // The workers are warm here (the figures above started them): the time is the figure's own.
    console.log(`[compare] ${selected.length} images × 7 methods (${model.id}, warm) filled ${Date.now() - started} ms after the menu click`);
    await s.workbench.screenshot('explorer-selection');
    const description = (await frame.locator('canvas#figure').getAttribute('aria-label')) ?? '';
    const rows = selected.map((name) => description.indexOf(`${name} → `));
    assert.ok(rows.every((at) => at >= 0), `the figure's rows are not the selected images: ${description}`);
    assert.deepEqual([...rows].sort((a, b) => a - b), rows, 'rows in the order of the selection');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
