// The smoke test of the product: right-click a bundled sample, "Explain Image", and the panel draws a
// heatmap and names the predicted class. The panel's contract with this test: a `<canvas id="heatmap">`
// holding the drawn heatmap and an element `#prediction` whose text contains the predicted label (one
// of the bundled model card's `labels`). The sample is MNIST's first test image, a 7 that any working
// MNIST model classifies correctly, so the label shown must be "7".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundledModelLabels, contributedCommand, namesLabel, sampleToExplain } from './harness/manifest';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();

/** How many pixels differ from the most common colour (the background), out of how many. */
interface CanvasInk {
  width: number;
  height: number;
  context: boolean;
  colours: number;
  nonBackground: number;
}

describe('heatmap panel', { timeout: 6 * 60_000 }, () => {
  const session = useSession('heatmap');

  it('draws a heatmap of a sample and shows the predicted label', { skip }, async () => {
    const s = session();
    const sample = sampleToExplain(s.workspace.images);
    assert.ok(sample, `the workspace has no PNG (it has ${JSON.stringify(s.workspace.images)})`);
    await s.workbench.runExplorerContextMenu(sample.file, contributedCommand('explainImage.explain').title);

    // First use loads the wasm backend and the model in a worker: allow a minute.
    const canvas = await s.workbench.findInWebview('canvas#heatmap', 60_000);
    if (!canvas) {
      await s.workbench.screenshot('no-heatmap-canvas');
      assert.fail(
        'the Explain Image panel has no <canvas id="heatmap"> after 60 s. This smoke test needs the panel to draw ' +
          'its heatmap into <canvas id="heatmap"> and show the predicted label in an element #prediction. ' +
          `Webview text: ${JSON.stringify(await s.workbench.webviewTexts())}; ` +
          `extension errors: ${JSON.stringify(s.extensionErrors())}`,
      );
    }

    const ink = await waitFor(async () => {
      const measured = await canvas.element.evaluate((c: HTMLCanvasElement): CanvasInk => {
        const ctx = c.getContext('2d');
        if (!ctx || c.width === 0 || c.height === 0) {
          return { width: c.width, height: c.height, context: !!ctx, colours: 0, nonBackground: 0 };
        }
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        const counts = new Map<number, number>();
        for (let i = 0; i < data.length; i += 4) {
          const key = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const background = Math.max(...counts.values());
        return { width: c.width, height: c.height, context: true, colours: counts.size, nonBackground: c.width * c.height - background };
      });
      // A relevance map of a sample lights up at least its strokes: ask for 0.5 % of the pixels.
      return measured.nonBackground >= 0.005 * measured.width * measured.height && measured.colours > 1 ? measured : undefined;
    }, 60_000);
    await s.workbench.screenshot('heatmap');
    assert.ok(ink, 'canvas#heatmap stayed blank (fewer than 0.5 % of its pixels differ from the background) for 60 s');

    const prediction = await s.workbench.findInWebview('#prediction', 10_000);
    assert.ok(prediction, 'the panel has no element #prediction showing the predicted label');
    const labels = bundledModelLabels();
    assert.ok(labels.length > 0, 'no bundled model card (models/**/card.json) with labels was found');
    const expected = sample.trueLabel ? [sample.trueLabel] : labels;
    const text = await waitFor(async () => {
      const t = (await prediction.element.innerText()).trim();
      return expected.some((l) => namesLabel(t, l)) ? t : undefined;
    }, 30_000);
    assert.ok(
      text,
      `#prediction says ${JSON.stringify(await prediction.element.innerText())} for ${sample.file}, ` +
        `which names none of ${JSON.stringify(expected)}`,
    );
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
