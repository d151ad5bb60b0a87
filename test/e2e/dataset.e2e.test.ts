// The dataset browser in a real VS Code: open the shipped 1,000-image MNIST test extract, wait for the
// background predictions, and the "Misclassified only" filter must show exactly as many samples as the
// engine, run here in-process on the same file with the same model, gets wrong. Clicking one of them
// opens the explain panel on that sample. A truncated IDX file opens to a message naming the problem.
// The browser's contract with this test: `#prediction-status[data-state]` ("done" when all are
// predicted), the checkbox `#misclassified-only`, `#filter-count` reading "N samples", and grid cells
// `.cell[data-sample]` in `.grid-row`s (hidden ones are out of view).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { predict } from '../../src/engine/methods/explain';
import { loadModel } from '../../src/engine/model/loadModel';
import { pixelToInput } from '../../src/engine/model/modelCard';
import { DEFAULT_PREDICT_CHUNK } from '../../src/host/dataset/predictDataset';
import { countLabel } from '../../webview/dataset/sampleFilter';
import { namesLabel } from './harness/manifest';
import { repoRoot, samplesDir } from './harness/paths';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const IMAGES = 'mnist-test-1k-images-idx3-ubyte.gz';
const LABELS = 'mnist-test-1k-labels-idx1-ubyte.gz';
/** The CNN when it is bundled, else the MLP: the setting makes the extension use the same model as we do here. */
/** Grid cells on screen: rows and cells out of view are kept for re-use, hidden, with their old sample. */
const VISIBLE_CELL = '.grid-row:not([hidden]) .cell:not([hidden])';
const MODEL_ID = fs.existsSync(path.join(repoRoot, 'models', 'mnist-cnn', 'model.json')) ? 'mnist-cnn' : 'mnist-mlp';

interface Reference {
  predicted: number[];
  labels: Uint8Array;
  classNames: string[];
  misclassified: number[];
}

/** The engine's own answer, in this process: the IDX files decoded here, loadModel + predict. */
async function referencePredictions(): Promise<Reference> {
  const images = zlib.gunzipSync(fs.readFileSync(path.join(samplesDir, IMAGES)));
  const labelFile = zlib.gunzipSync(fs.readFileSync(path.join(samplesDir, LABELS)));
  assert.equal(images.readUInt32BE(0), 0x803);
  const [count, rows, cols] = [images.readUInt32BE(4), images.readUInt32BE(8), images.readUInt32BE(12)];
  const pixels = images.subarray(16, 16 + count * rows * cols);
  const labels = labelFile.subarray(8, 8 + count);
  await initBackend(nodeModulesWasmDir());
  const model = await loadModel(path.join(repoRoot, 'models', MODEL_ID, 'model.json'));
  const toInput = pixelToInput(model.card);
  const size = rows * cols;
  const predicted: number[] = [];
  // The same chunks as the extension sends its workers, so batch-dependent rounding cannot differ.
  for (let start = 0; start < count; start += DEFAULT_PREDICT_CHUNK) {
    const n = Math.min(DEFAULT_PREDICT_CHUNK, count - start);
    const input = new Float32Array(n * size);
    for (let i = 0; i < input.length; i++) input[i] = toInput(pixels[start * size + i], 0);
    const { probabilities, classes } = predict(model.network, input, n);
    for (let s = 0; s < n; s++) {
      let best = 0;
      for (let k = 1; k < classes; k++) if (probabilities[s * classes + k] > probabilities[s * classes + best]) best = k;
      predicted.push(best);
    }
  }
  const misclassified = predicted.flatMap((p, i) => (p !== labels[i] ? [i] : []));
  return { predicted, labels: Uint8Array.from(labels), classNames: model.card.labels, misclassified };
}

describe('dataset browser', { timeout: 8 * 60_000 }, () => {
  let reference: Reference;
  const session = useSession('dataset', async () => {
    reference = await referencePredictions();
    return { settings: { 'explainImage.model': MODEL_ID } };
  });

  it('filters exactly the misclassified samples and explains one on click', { skip }, async () => {
    const s = session();
    assert.ok(fs.existsSync(path.join(s.workspace.dir, IMAGES)), `the workspace has no ${IMAGES} (models/samples/ was copied into it)`);
    const opened = Date.now();
    await s.workbench.openFile(IMAGES);

    const painted = await s.workbench.findInWebview('.cell[data-sample]:not(.loading)', 60_000);
    if (!painted) {
      await s.workbench.screenshot('no-grid');
      assert.fail(`no thumbnail drawn 60 s after opening ${IMAGES}; webview text: ${JSON.stringify(await s.workbench.webviewTexts())}`);
    }
    console.log(`[dataset] first thumbnails painted ${Date.now() - opened} ms after Quick Open`);
    const { frame } = painted;

    // Loading the WASM backend and the model in the workers comes first: allow a few minutes on 2 cores.
    const done = await waitFor(async () => {
      const state = await frame.locator('#prediction-status').getAttribute('data-state');
      if (state === 'failed') return `failed: ${await frame.locator('#prediction-status').innerText()}`;
      return state === 'done' ? 'done' : undefined;
    }, 180_000);
    await s.workbench.screenshot('predicted');
    assert.equal(done, 'done', `predictions did not finish; status: ${await frame.locator('#prediction-status').innerText()}`);
    console.log(`[dataset] ${await frame.locator('#prediction-status').innerText()} · ${await frame.locator('#summary').innerText()}`);
    assert.equal((await frame.locator('#filter-count').innerText()).trim(), countLabel(reference.labels.length));

    await frame.locator('#misclassified-only').click();
    const expected = countLabel(reference.misclassified.length);
    const shown = await waitFor(async () => {
      const text = (await frame.locator('#filter-count').innerText()).trim();
      return text === expected ? text : undefined;
    }, 10_000);
    await s.workbench.screenshot('misclassified');
    assert.equal(
      shown,
      expected,
      `#filter-count says ${JSON.stringify(await frame.locator('#filter-count').innerText())}; the engine in-process gets ` +
        `${reference.misclassified.length} of ${reference.labels.length} wrong with ${MODEL_ID} (samples ${reference.misclassified.slice(0, 20).join(', ')}…)`,
    );
    assert.match(await frame.locator('#summary').innerText(), new RegExp(`\\b${reference.misclassified.length} misclassified`));

    // The grid shows the same samples the engine gets wrong, in file order.
    const firstCells = await frame
      .locator(`${VISIBLE_CELL}[data-sample]`)
      .evaluateAll((cells) => cells.map((c) => Number((c as HTMLElement).dataset.sample)));
    const shownSamples = [...new Set(firstCells)].sort((a, b) => a - b);
    assert.deepEqual(shownSamples, reference.misclassified.slice(0, shownSamples.length));

    // Click a wrong one (or, for a flawless model, any sample): the explain panel opens on it.
    await frame.locator('#misclassified-only').click();
    const sample = reference.misclassified[0] ?? 0;
    await frame.locator('#jump-to').click();
    await frame.page().keyboard.type(String(sample));
    await frame.page().keyboard.press('Enter');
    const cell = frame.locator(`${VISIBLE_CELL}[data-sample="${sample}"]`).first();
    await cell.click();
    const predictedName = reference.classNames[reference.predicted[sample]] ?? String(reference.predicted[sample]);
    const prediction = await s.workbench.findInWebview('#prediction', 90_000);
    assert.ok(prediction, `no explain panel with #prediction after clicking sample ${sample}`);
    const text = await waitFor(async () => {
      const t = (await prediction.element.innerText()).trim();
      return namesLabel(t, predictedName) ? t : undefined;
    }, 60_000);
    await s.workbench.screenshot('explained');
    assert.ok(text, `#prediction says ${JSON.stringify(await prediction.element.innerText())}; ${MODEL_ID} predicts ${predictedName} for sample ${sample}`);
    const tabs = await s.workbench.tabLabels();
    assert.ok(
      tabs.some((t) => t.includes(`${IMAGES} #${sample}`)),
      `no tab names the explained sample "${IMAGES} #${sample}": ${JSON.stringify(tabs)}`,
    );
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('shows what is wrong with a truncated IDX file', { skip }, async () => {
    const s = session();
    const name = 'truncated-images-idx3-ubyte';
    const whole = zlib.gunzipSync(fs.readFileSync(path.join(samplesDir, IMAGES)));
    fs.writeFileSync(path.join(s.workspace.dir, name), whole.subarray(0, 16 + 100 * 784 + 5));
    await s.workbench.openFile(name);
    const error = await s.workbench.findInWebview('#error', 30_000);
    assert.ok(error, `no #error shown for ${name}; webviews say ${JSON.stringify(await s.workbench.webviewTexts())}`);
    const message = await error.element.innerText();
    await s.workbench.screenshot('truncated');
    assert.match(message, /truncated IDX file: header says 1000 images/);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
