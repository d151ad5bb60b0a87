// "Why c and not c′?" in the explain panel, in a real VS Code: beside each class that is not explained, a
// "vs" toggle; pressed for the runner-up, the heatmap is the map of f_c − f_c′: its caption asks the
// question, the readout gives Σ R and f_c − f_c′, and both numbers are the engine's for the same contrast
// (run here, in the test process, on the same file). "Clear contrast" goes back to the class alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { formatValue } from '../../webview/format';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand, namesLabel } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { defaultModel } from './harness/reference';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { runJob } from '../../src/engine/jobs/runJob';
import type { ExplainResult } from '../../src/protocol/engineJobs';
import { e2eSkip, useSession } from './harness/session';

const skip = e2eSkip();
const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;

describe('contrastive maps in the explain panel', { timeout: 10 * 60_000 }, () => {
  const session = useSession('contrast');
  const panel = new ExplainPanelPage(() => session().workbench);
  const model = defaultModel();

  it('"vs" beside the runner-up explains why the predicted class and not it, as the engine does', { skip }, async () => {
    const s = session();
    const sample = 'mnist-7-0000.png';
    await s.workbench.runExplorerContextMenu(sample, contributedCommand('explainImage.explain').title);
    const first = await panel.waitUntil('"7" and a heatmap', (r) => settled(r) && namesLabel(r.prediction!, '7'), 90_000);
    assert.equal(first.method, 'LRP-α2β1', 'the default method');
    const frame = await panel.frame();
    const entry = frame.locator('.class-entry').nth(1);
    const other = (await entry.locator('.class-name').innerText()).trim();
    const button = entry.locator('.contrast-button');
    assert.equal(await button.getAttribute('aria-label'), `Why 7 and not ${other}?`);
    await button.click();
    const shown = await panel.waitUntil(`why 7 and not ${other}`, (r) => settled(r) && (r.caption ?? '').includes(`why 7 and not ${other}?`) && r.heatmap!.signature !== first.heatmap!.signature);
    await s.workbench.screenshot('contrast');
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    assert.match(shown.heatmapLabel ?? '', new RegExp(`of why 7 and not ${other} \\(f_7 − f_${other}\\)`));

    // The engine, here: the same method, the predicted class against the runner-up.
    const backend = await initBackend(nodeModulesWasmDir());
    const result = (await runJob(
      {
        type: 'explain',
        model: { path: model.modelJson },
        images: [{ kind: 'file', path: path.join(s.workspace.dir, sample) }],
        methods: ['lrp-a2b1'],
        contrasts: [Number(other)],
        preprocess: 'auto',
      },
      backend,
    )) as ExplainResult;
    const e = result.explanations[0];
    assert.equal(e.contrast, Number(other));
    assert.equal(shown.readout, `Σ R = ${formatValue(e.relevanceSum)} · f_c − f_c′ ${formatValue(e.logit - e.contrastLogit!)}`);

    await frame.locator('#clear-contrast').click();
    const back = await panel.waitUntil('class 7 alone again', (r) => settled(r) && (r.caption ?? '').includes('class 7') && !(r.caption ?? '').includes('why'));
    assert.equal(back.heatmap!.signature, first.heatmap!.signature, 'the map of class 7 alone, as before');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
