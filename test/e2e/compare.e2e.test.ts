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
import { ExplainPanelPage } from './harness/explainPanel';
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
    // The model pick: every bundled model with a checkbox, the data set's ticked (nothing chosen here before).
    const first = await openModelPick(s);
    for (const m of bundledModels()) assert.equal(rowOf(first, m.id)?.checked, sameData.some((d) => d.id === m.id), `${m.id} ticked: ${JSON.stringify(first)}`);
    await s.workbench.screenshot('models-pick');
    // Untick one (when there are two or more): the figure has the others as its columns.
    const chosen = sameData.length > 1 ? sameData.slice(0, -1) : sameData;
    if (chosen.length < sameData.length) await toggleModelRow(s, sameData[sameData.length - 1].id);
    await s.workbench.page.keyboard.press('Enter');
    const frame = await compareFrame(s, 'models', `${chosen.length} models · ${IMAGES.length} images`);
    await waitFilled(s, frame, [chosen.length, chosen.length], 'models');
    console.log(`[compare] 2 images × ${chosen.length} models (${chosen.map((m) => m.id).join(', ')}) filled ${Date.now() - started} ms after the command`);
    await s.workbench.screenshot('models');
    const description = (await frame.locator('canvas#figure').getAttribute('aria-label')) ?? '';
    for (const m of chosen) assert.ok(description.includes(m.id), `the figure has no column ${m.id}: ${description}`);
    if (chosen.length < sameData.length) assert.ok(!description.includes(`${sameData[sameData.length - 1].id},`) && !description.includes(`${sameData[sameData.length - 1].id};`), `the unticked model is no column: ${description}`);

    // The choice is remembered: the next Compare Models ticks the same models. Escape compares nothing.
    const again = await openModelPick(s);
    for (const m of bundledModels()) assert.equal(rowOf(again, m.id)?.checked, chosen.some((c) => c.id === m.id), `remembered: ${m.id} ${JSON.stringify(again)}`);
    await s.workbench.page.keyboard.press('Escape');
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

  it('a clicked cell opens a new explain panel with its method and class; the workspace method stays', { skip }, async () => {
    const s = session();
    const statusBefore = await s.workbench.statusBarText(STATUS_ITEM);
    // The Explorer figure of the test above: rows mnist-3, mnist-5, mnist-9; column 1 is Guided Backprop.
    const frame = await compareFrame(s, 'methods', '7 methods · 3 images');
    const figure = frame.locator('canvas#figure');
    const rects = JSON.parse((await figure.getAttribute('data-cell-rects')) ?? '[]') as number[][][];
    const click = async (row: number, column: number) => {
      const [x, y, w, h] = rects[row][column];
      await figure.click({ position: { x: x + w / 2, y: y + h / 2 } });
    };
    await click(0, 1);
    const panel = new ExplainPanelPage(s.workbench);
    const reading = await waitFor(async () => {
      const r = await panel.read().catch(() => undefined);
      return r && !r.busy && r.method === SEED_TITLES[1] && r.heatmapLabel?.startsWith(`Heatmap of ${SEED_TITLES[1]}`) ? r : undefined;
    }, 180_000);
    assert.ok(reading, `the new panel explains with ${SEED_TITLES[1]}: ${JSON.stringify(await panel.read().catch((e) => String(e)))}`);
    assert.ok((await s.workbench.tabLabels()).includes('Explain: mnist-3-0018.png'), `tabs: ${JSON.stringify(await s.workbench.tabLabels())}`);
    assert.equal(await s.workbench.statusBarText(STATUS_ITEM), statusBefore, 'the workspace\'s model and method are as they were');
    await s.workbench.screenshot('cell-opened');
    // Its Concepts section explains with the panel's own method, not the workspace's (LRP-α2β1): Guided
    // Backprop is no LRP method, so the section says which one stands in for it.
    const pinned = await panel.frame();
    await pinned.locator('.model-graph summary').first().click();
    await pinned.locator('.concepts-here').first().click();
    const note = await waitFor(async () => (await pinned.locator('#concepts .concepts-note').innerText().catch(() => '')) || undefined, 60_000);
    assert.match(note ?? '', /^Guided Backprop is not an LRP method; concepts use LRP/, `the pinned panel's Concepts section: ${await pinned.locator('#concepts').innerText().catch(() => '')}`);
    // Another cell: another panel, the first one stays open. The figure, now beside the panel, fits its
    // narrower column: its cells are read again once they stop moving.
    const settled = await waitFor(async () => {
      const before = await figure.getAttribute('data-cell-rects');
      await s.workbench.page.waitForTimeout(500);
      return before && before === (await figure.getAttribute('data-cell-rects')) ? (JSON.parse(before) as number[][][]) : undefined;
    }, 30_000);
    assert.ok(settled, 'the figure settles');
    const [x, y, w, h] = settled[1][0];
    await figure.click({ position: { x: x + w / 2, y: y + h / 2 } });
    const tabs = await waitFor(async () => {
      const labels = await s.workbench.tabLabels();
      return labels.includes('Explain: mnist-5-0008.png') && labels.includes('Explain: mnist-3-0018.png') ? labels : undefined;
    }, 60_000);
    assert.ok(tabs, `two explain panels: ${JSON.stringify(await s.workbench.tabLabels())}`);
    assert.equal(await s.workbench.statusBarText(STATUS_ITEM), statusBefore, 'still the workspace\'s own');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('"Use everywhere" gives one panel\'s display to the other open panels and the workspace settings', { skip }, async () => {
    const s = session();
    // The explain panel shown beside the comparison (the test above opened it): Viridis, then Use everywhere.
    const explain = await new ExplainPanelPage(s.workbench).frame();
    const colourMap = (frame: Awaited<ReturnType<typeof compareFrame>>) => frame.locator('vscode-single-select').first().evaluate((e) => (e as HTMLElement & { value: string }).value);
    const compare = await compareFrame(s, 'methods', '7 methods · 3 images');
    assert.equal(await colourMap(compare), 'bwr', 'the comparison starts with the default');
    await explain.locator('vscode-single-select').first().evaluate((e) => {
      (e as HTMLElement & { value: string }).value = 'viridis';
      e.dispatchEvent(new Event('change', { bubbles: true }));
    });
    assert.equal(await colourMap(compare), 'bwr', 'a choice in one panel stays there');
    // Two explain panels share the group (the test above opened both): the frame found may be the one behind,
    // whose button a click at its coordinates would not reach, so the click is dispatched on the button itself.
    await explain.locator('#use-everywhere').dispatchEvent('click');
    const followed = await waitFor(async () => ((await colourMap(compare)) === 'viridis' ? true : undefined), 15_000);
    assert.ok(followed, `the comparison takes the explain panel's colour map: ${await colourMap(compare)}`);
    const settingsFile = path.join(s.workspace.dir, '.vscode', 'settings.json');
    const saved = await waitFor(async () => (fs.existsSync(settingsFile) && /"explainImage\.overlayByRelevance"/.test(fs.readFileSync(settingsFile, 'utf8')) ? fs.readFileSync(settingsFile, 'utf8') : undefined), 15_000);
    assert.ok(saved, `the workspace settings hold it: ${fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : 'no settings.json'}`);
    // Every display setting is written (the last one written is overlayByRelevance), the colour map chosen among them.
    assert.match(saved, /"explainImage\.colormap":\s*"viridis"/);
    assert.match(saved, /"explainImage\.overlay":\s*false/);
    await s.workbench.screenshot('use-everywhere');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});

const STATUS_ITEM = 'explain-image.explain-image.explainImage.status';
/** The model pick's rows (checkbox rows: the palette's own rows may still be in the DOM, hidden). */
const PICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row[role="checkbox"]';

/**
 * Runs Compare Models and returns its pick's rows. The pick closes when something takes the focus while
 * it opens (an image preview or a webview finishing its load): then its rows stay in the DOM, hidden, and
 * the command is run again.
 */
async function openModelPick(s: ReturnType<ReturnType<typeof useSession>>): Promise<Array<{ label: string; checked: boolean }>> {
  const rows = s.workbench.page.locator(PICK_ROWS);
  for (let attempt = 1; ; attempt++) {
    await s.workbench.runCommand(contributedCommand('explainImage.compareModels').paletteLabel);
    try {
      await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
      return await modelPickRows(s);
    } catch (e) {
      if (attempt === 3) throw e;
      await s.workbench.page.keyboard.press('Escape');
    }
  }
}

/** The open model pick's rows: each one's aria-label and whether its checkbox is ticked. */
async function modelPickRows(s: ReturnType<ReturnType<typeof useSession>>): Promise<Array<{ label: string; checked: boolean }>> {
  const rows = s.workbench.page.locator(PICK_ROWS);
  await rows.first().waitFor({ timeout: 30_000 });
  await s.workbench.page.waitForTimeout(300);
  return rows.evaluateAll((els) =>
    els.map((e) => ({
      label: e.getAttribute('aria-label') ?? '',
      checked: e.getAttribute('aria-checked') === 'true' || !!e.querySelector('input[type="checkbox"]:checked') || e.querySelector('.monaco-custom-toggle')?.getAttribute('aria-checked') === 'true',
    })),
  );
}

function rowOf(rows: Array<{ label: string; checked: boolean }>, id: string) {
  return rows.find((r) => r.label === id || r.label.startsWith(`${id},`));
}

async function toggleModelRow(s: ReturnType<ReturnType<typeof useSession>>, id: string): Promise<void> {
  const rows = await modelPickRows(s);
  const index = rows.findIndex((r) => r.label === id || r.label.startsWith(`${id},`));
  assert.ok(index >= 0, `no row ${id}: ${JSON.stringify(rows)}`);
  await s.workbench.page.locator(PICK_ROWS).nth(index).click();
  await s.workbench.page.waitForTimeout(200);
  assert.equal(rowOf(await modelPickRows(s), id)?.checked, false, `${id} unticked`);
}
