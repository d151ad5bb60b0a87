// ImageNet-size models in the editor (issue 26) in a real VS Code: the explain panel the user looks at gets
// its heatmap first, whatever else is open.
// - The explain panel alone: the model switched from the bundled MNIST CNN to a ResNet-18-shaped ONNX
//   (224×224×3, 45 MB, written at test time by test/bench/resnet18Onnx.ts): the time to its heatmap.
// - The same with four more panels open (two comparisons and two data set browsers, the last one visible
//   beside the explain panel), switching to a second copy of the model (cold in the workers, as the first
//   was): the heatmap within 3× its time alone; the graph list never lists the old model's nodes under the
//   new model's name; hidden panels wait until they are shown (their titles name the new model at once).
// - Cancel while the next model's heatmap computes: the panel says it was cancelled, not "Waiting for the
//   model…", and the engine goes on with the next request.
// - A hidden comparison shown: it computes then, and its figure of the 224 model fits the panel's width;
//   its export is at full resolution.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import { writeNpyUint8 } from '../../scripts/train/npy';
import { resnet18OnnxFile } from '../bench/resnet18Onnx';
import { compareFrame, waitFilled, waitSectionSettled } from './harness/comparePanel';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand } from './harness/manifest';
import { hasInk, readCanvas, waitForPngFile } from './harness/pixels';
import { defaultModel, modelInfoHere } from './harness/reference';
import { repoRoot } from './harness/paths';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const IMAGE = 'circle-72x96.png';
const COMPARED = [['mnist-7-0000.png', 'mnist-2-0001.png'], ['mnist-4-0004.png', 'mnist-1-0002.png', 'mnist-9-0007.png']];
/** A grey data set (hidden once the next opens) and 540 RGB samples (visible: predicted again by the
 *  ResNet in the background, each sample resized to 224×224, as in the issue). */
const GREY_DATASET = 'mnist-test-1k-images-idx3-ubyte.gz';
const RGB_DATASET = 'rgb-540.npy';
/** Copies of the ResNet-18-shaped model, each with its own card name, so each is cold in the workers once
 *  (and its own file name: the Explorer rows are found by name). */
const COPIES = ['a', 'b', 'c'].map((k) => ({ file: `resnet-${k}/resnet18-${k}.onnx`, name: `ResNet-18 ${k.toUpperCase()}` }));
/** The bundled MNIST model copied into the workspace, to come back to with "Use This Model". */
const MNIST_COPY = { file: 'mnist/model.json', name: defaultModel().name };
const explainCommand = contributedCommand('explainImage.explain').paletteLabel;
const useModelTitle = contributedCommand('explainImage.useModel').title;
const selectMethod = contributedCommand('explainImage.selectMethod').paletteLabel;
const compareTitle = contributedCommand('explainImage.compareMethods').title;
const exportComparison = contributedCommand('explainImage.exportComparison').paletteLabel;

/** One look at the explain panel's header and graph list, taken in one go (no mix of two states). */
interface GraphSample {
  model: string;
  graph: string | null;
}

function readHeaderAndGraph(frame: Frame): Promise<GraphSample> {
  return frame.evaluate(() => {
    const model = document.querySelector('.panel-header .header-link:not(.method-title)')?.textContent?.trim() ?? '';
    const section = document.querySelector<HTMLElement>('details.model-graph');
    const graph = section && !section.hidden ? (section.querySelector('.graph-summary-text')?.getAttribute('aria-label') ?? '') : null;
    return { model, graph };
  });
}

describe('ImageNet-size model with other panels open', { timeout: 20 * 60_000 }, () => {
  const session = useSession('scheduling', () => {
    const source = resnet18OnnxFile();
    const card = JSON.parse(fs.readFileSync(`${source}.card.json`, 'utf8')) as Record<string, unknown>;
    return {
      watchdogMs: 20 * 60_000,
      // A click in the Explorer selects (the right-click menu follows) without opening the file: a preview
      // of the .onnx would open over the explain panel and hide it (and a hidden panel waits).
      settings: { 'explainImage.workers': 2, 'workbench.list.openMode': 'doubleClick' },
      prepareWorkspace: (dir) => {
        for (const copy of COPIES) {
          const file = path.join(dir, copy.file);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.copyFileSync(source, file);
          fs.writeFileSync(`${file}.card.json`, JSON.stringify({ ...card, name: copy.name }));
        }
        fs.copyFileSync(path.join(repoRoot, 'test/fixtures/onnx/shapes-resnet', IMAGE), path.join(dir, IMAGE));
        fs.cpSync(path.dirname(defaultModel().modelJson), path.join(dir, path.dirname(MNIST_COPY.file)), { recursive: true });
        const samples = new Uint8Array(540 * 32 * 32 * 3);
        for (let i = 0; i < samples.length; i++) samples[i] = (i * 2654435761) >>> 24;
        fs.writeFileSync(path.join(dir, RGB_DATASET), writeNpyUint8([540, 32, 32, 3], samples));
      },
    };
  });
  const panel = new ExplainPanelPage(() => session().workbench);
  const mnist = defaultModel();
  const heatmapOf = (name: string) => (r: PanelReading) => !r.busy && r.model === name && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;
  let alone = 0;

  /** "Use This Model" on a workspace model; the time until the panel shows its heatmap. */
  async function switchTo(model: { file: string; name: string }, timeoutMs = 240_000): Promise<number> {
    const s = session();
    const started = Date.now();
    await s.workbench.runExplorerContextMenu(model.file, useModelTitle);
    await panel.waitUntil(`the heatmap of ${model.name}`, heatmapOf(model.name), timeoutMs);
    return Date.now() - started;
  }

  it('alone: the explain panel shows the heatmap of the 224×224 model after a model switch', { skip }, async () => {
    const s = session();
    // A wide window: two editor groups of about 1,250 px each, the panel of the issue.
    await s.page.setViewportSize({ width: 2800, height: 1000 });
    await s.page.waitForTimeout(2000); // the workbench lays itself out again
    // The image in the first editor group, the panel beside it in the second.
    await s.workbench.openFile(IMAGE);
    await s.workbench.runCommand(explainCommand);
    await panel.waitUntil(`the heatmap of ${mnist.name}`, heatmapOf(mnist.name), 120_000);
    alone = await switchTo(COPIES[0]);
    console.log(`[scheduling] alone: ${COPIES[0].name} heatmap ${alone} ms after "Use This Model"`);
    await s.workbench.screenshot('alone');
  });

  it('with two comparisons and two data set browsers open: within 3× of alone, never the old model\'s graph', { skip }, async () => {
    const s = session();
    assert.ok(alone > 0, 'the first test measured the panel alone');
    // Back to an MNIST model (a workspace copy: Select Model would read every workspace model, the ResNet
    // copies too, and so load them before they are chosen).
    await switchTo(MNIST_COPY);
    // The explain panel is opened again after the others below: the engine must not serve them first for
    // having asked first (they hear of a new model before it does).
    await s.workbench.activateTab(`Explain: ${IMAGE}`);
    await s.workbench.runCommand('View: Close Editor');
    panel.forget();
    // Four more panels in the first editor group: two comparisons, two data set browsers (the last visible).
    for (const images of COMPARED) {
      await s.workbench.runExplorerContextMenu(images, compareTitle);
      await waitFilled(s, await compareFrame(s, 'methods', `7 methods · ${images.length} images`), images.map(() => 7), 'mnist');
    }
    const settledStatus = async (state: string) =>
      waitFor(async () => ((await s.workbench.findInWebview(`#prediction-status[data-state="${state}"]`, 5_000)) ? true : undefined), 120_000);
    await s.workbench.openFile(GREY_DATASET);
    assert.ok(await settledStatus('done'), 'the grey data set is predicted with the MNIST model');
    await s.workbench.openFile(RGB_DATASET);
    // An MNIST model cannot predict RGB samples; the ResNet will.
    assert.ok(await settledStatus('failed'), 'the RGB data set says the MNIST model does not fit it');
    // The explain panel again, beside them: the panel the user looks at.
    await s.workbench.runExplorerContextMenu(IMAGE, contributedCommand('explainImage.explain').title);
    await panel.waitUntil(`the heatmap of ${MNIST_COPY.name} in a new panel`, heatmapOf(MNIST_COPY.name), 120_000);
    await s.workbench.activateTab(`Explain: ${IMAGE}`);
    const frame = await panel.frame();
    const mnistNodes = (await modelInfoHere(path.join(s.workspace.dir, MNIST_COPY.file))).nodes.length;
    const resnetNodes = (await modelInfoHere(path.join(s.workspace.dir, COPIES[1].file))).nodes.length;
    const shown = await waitFor(async () => ((await readHeaderAndGraph(frame)).graph ? true : undefined), 30_000);
    assert.ok(shown, 'the graph list shows the MNIST model before the switch');

    // The switch, with the graph list sampled all along.
    const samples: GraphSample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await readHeaderAndGraph(frame).catch(() => ({ model: '?', graph: null })));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    let together: number;
    let pausedSeen = false;
    const pauseWatch = (async () => {
      while (sampling) {
        for (const f of s.page.frames()) {
          if (f.isDetached()) continue;
          const text = await f.locator('#prediction-status').first().textContent({ timeout: 200 }).catch(() => '');
          if (/paused while the explain panel computes/.test(text ?? '')) pausedSeen = true;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      together = await switchTo(COPIES[1], 3 * alone + 60_000);
    } finally {
      sampling = false;
      await Promise.all([sampler, pauseWatch]);
    }
    console.log(`[scheduling] with 4 more panels: ${COPIES[1].name} heatmap ${together} ms after "Use This Model" (alone ${alone} ms, ratio ${(together / alone).toFixed(2)}); the data set's predictions said "paused while the explain panel computes": ${pausedSeen}`);
    fs.mkdirSync(path.join(repoRoot, 'artifacts/e2e'), { recursive: true });
    fs.writeFileSync(path.join(repoRoot, 'artifacts/e2e/scheduling-timing.json'), JSON.stringify({ aloneMs: alone, withFourPanelsMs: together, ratio: together / alone }, null, 2));
    await s.workbench.screenshot('with-panels');
    assert.ok(together <= 3 * alone, `the heatmap took ${together} ms with four more panels open, ${alone} ms alone: more than 3×`);

    // Every look at the panel: the graph listed is the header's model's, or none.
    const wrong = samples.filter((x) => x.graph !== null && !(x.model === mnist.name ? x.graph.includes(`· ${mnistNodes} nodes ·`) : x.model === COPIES[1].name && x.graph.includes(`· ${resnetNodes} nodes ·`)));
    assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${samples.length} looks listed another model's graph`);
    assert.ok(samples.some((x) => x.model === COPIES[1].name), 'the header named the new model while sampled');
    const final = await waitFor(async () => ((await readHeaderAndGraph(frame)).graph?.includes(`· ${resnetNodes} nodes ·`) ? true : undefined), 60_000);
    assert.ok(final, 'the graph list shows the new model once its run is done');

    // Hidden comparisons waited: named after the new model at once, computed only when shown.
    const tabs = await s.workbench.tabLabels();
    assert.equal(tabs.filter((t) => t.startsWith(`Compare methods · ${COPIES[1].file}`)).length, 2, `tabs: ${JSON.stringify(tabs)}`);
    const hidden = await compareFrame(s, 'methods', `7 methods · ${COMPARED[0].length} images`);
    assert.equal(await hidden.locator('canvas#figure').getAttribute('data-filled-cells'), JSON.stringify(COMPARED[0].map(() => 0)), 'a hidden comparison has not recomputed');
  });

  it('Cancel while the next model computes: no "Waiting for the model…", and the engine takes the next request', { skip }, async () => {
    const s = session();
    // A method that takes seconds on this model (32 gradients), so that its computing state lasts long enough
    // to be seen and cancelled: LRP-α2β1 takes ~1.5 s here now, about as long as two looks at the panel.
    await s.workbench.runCommand(selectMethod);
    await s.workbench.chooseQuickPickItem('Integrated Gradients', (aria) => aria.startsWith('Integrated Gradients,'));
    await s.workbench.runExplorerContextMenu(COPIES[2].file, useModelTitle);
    await panel.waitUntil(`${COPIES[2].name} computing`, (r) => r.busy && r.model === COPIES[2].name, 120_000);
    const frame = await panel.frame();
    await frame.locator('.panel-header vscode-button[data-focus-key="cancel"]').click();
    const after = await panel.waitUntil('cancelled', (r) => !r.busy && r.model === COPIES[2].name, 30_000);
    const text = (await frame.locator('#no-prediction').innerText()).trim();
    assert.equal(text, 'Cancelled. Retry computes it.', `the predictions say: ${text}`);
    assert.ok(!after.prediction, 'no prediction of another model is shown');
    await s.workbench.screenshot('cancelled');
    // Retry computes it: the cancelled job stopped in its worker, which takes this one.
    await frame.locator('#retry-cancelled').click();
    await panel.waitUntil(`the heatmap of ${COPIES[2].name}`, heatmapOf(COPIES[2].name), 240_000);
  });

  it('a hidden comparison shown computes then; the 224 model\'s figure fits the panel\'s width, its PNG at full resolution', { skip }, async () => {
    const s = session();
    await s.workbench.activateTab(new RegExp(`^Compare methods · ${COPIES[2].file.replace(/[./]/g, '\\$&')} · ${COMPARED[0].join(', ').replace(/[./]/g, '\\$&')}`));
    const frame = await compareFrame(s, 'methods', `7 methods · ${COMPARED[0].length} images`);
    const started = Date.now();
    await waitFilled(s, frame, COMPARED[0].map(() => 7), 'resnet');
    console.log(`[scheduling] the comparison of ${COPIES[2].name}, shown: ${COMPARED[0].length} images × 7 methods in ${Date.now() - started} ms`);
    await s.workbench.screenshot('comparison-224');
    const figure = frame.locator('canvas#figure');
    const size = await figure.evaluate((c: HTMLCanvasElement) => {
      const scroller = c.closest('.figure-scroller') as HTMLElement;
      return { width: c.getBoundingClientRect().width, available: scroller.clientWidth, scrollWidth: scroller.scrollWidth, cell: Number(c.dataset.cellSize), map: Number(c.dataset.mapSize) };
    });
    console.log(`[scheduling] figure ${Math.round(size.width)} px in a ${size.available} px panel, cells ${size.cell} px for ${size.map} px maps`);
    assert.equal(size.map, 224);
    assert.ok(size.width <= size.available && size.scrollWidth <= size.available, `the figure is ${size.width} px wide in ${size.available} px`);
    assert.ok(size.cell < 224 && size.cell >= 100, `cells of ${size.cell} px`);
    // The export waits for the Faithfulness section (background work, minutes at this size here): stop it.
    const evaluation = frame.locator('.evaluation-row');
    await evaluation.locator('vscode-button', { hasText: 'Cancel' }).first().click({ timeout: 30_000 }).catch(() => undefined);
    await waitSectionSettled(s, frame, 120_000);
    const shown = await readCanvas(figure);
    assert.ok(hasInk(shown));
    const target = path.join(s.workspace.dir, 'comparison-224.png');
    await s.workbench.runCommand(exportComparison);
    await s.workbench.answerSaveDialog(target);
    const png = await waitForPngFile(target, 30_000);
    assert.ok(png, `no PNG at ${target}`);
    console.log(`[scheduling] exported ${png.width}×${png.height} px (shown ${shown.width}×${shown.height})`);
    assert.ok(png.width > 1.5 * shown.width && png.height > shown.height, 'the PNG has the cells at full resolution, larger than shown');
    assert.ok(png.nonWhite > 0.05 * png.width * png.height);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
