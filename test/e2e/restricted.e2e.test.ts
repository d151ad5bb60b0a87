// Restricted Mode (issue 10): code-server with workspace trust on, the trust prompt declined. The
// extension still activates (capabilities.untrustedWorkspaces = limited), a dataset file opens, and a
// sample clicked is explained with a bundled model; the workspace's own explainImage.model (a model
// folder of the workspace, named in .vscode/settings.json) is ignored while the folder is untrusted.
// The prediction shown is the engine's, computed here with the bundled default model.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { runJob } from '../../src/engine/jobs/runJob';
import type { ExplainResult } from '../../src/protocol/engineJobs';
import { ExplainPanelPage } from './harness/explainPanel';
import { namesLabel, readManifest } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { samplesDir } from './harness/paths';
import { defaultModel } from './harness/reference';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const IMAGES = 'mnist-test-1k-images-idx3-ubyte.gz';
const VISIBLE_CELL = '.grid-row:not([hidden]) .cell:not([hidden])';
const WORKSPACE_MODEL_NAME = 'Workspace model (must be ignored while untrusted)';

describe('Restricted Mode', { timeout: 8 * 60_000 }, () => {
  const model = defaultModel();
  const session = useSession('restricted', () => ({
    workspaceTrust: true,
    prepareWorkspace: (dir) => {
      // A model of the workspace, and the workspace setting that points the extension at it.
      const copy = path.join(dir, 'untrusted-model');
      fs.mkdirSync(copy, { recursive: true });
      for (const f of fs.readdirSync(path.dirname(model.modelJson))) fs.copyFileSync(path.join(path.dirname(model.modelJson), f), path.join(copy, f));
      const card = JSON.parse(fs.readFileSync(path.join(copy, 'card.json'), 'utf8')) as { name: string };
      fs.writeFileSync(path.join(copy, 'card.json'), JSON.stringify({ ...card, name: WORKSPACE_MODEL_NAME }));
      fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'explainImage.model': 'untrusted-model/model.json' }, null, 2));
    },
  }));

  it('declares limited trust and no virtual workspaces in its manifest', () => {
    const manifest = readManifest() as { capabilities?: { untrustedWorkspaces?: { supported: unknown; restrictedConfigurations?: string[] }; virtualWorkspaces?: { supported: unknown; description?: string } } };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.ok(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations?.includes('explainImage.model'));
    assert.equal(manifest.capabilities?.virtualWorkspaces?.supported, false);
    assert.ok((manifest.capabilities?.virtualWorkspaces?.description ?? '').length > 20, 'a reason for no virtual workspaces');
  });

  it('explains a dataset sample with the bundled model after trust is declined', { skip }, async () => {
    const s = session();
    // The trust prompt: decline it.
    const button = s.page.locator('.monaco-dialog-box .monaco-button', { hasText: /No, I don.t trust/ });
    await button.waitFor({ timeout: 60_000 });
    await s.workbench.screenshot('trust-prompt');
    await button.click();
    const restricted = await waitFor(async () => ((await s.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).count()) > 0 ? true : undefined), 15_000);
    assert.ok(restricted, 'the window is not in Restricted Mode');

    await s.workbench.openFile(IMAGES);
    const painted = await s.workbench.findInWebview('.cell[data-sample]:not(.loading)', 90_000);
    assert.ok(painted, `no dataset grid in Restricted Mode; webviews: ${JSON.stringify(await s.workbench.webviewTexts())}`);
    const { frame } = painted;
    const done = await waitFor(async () => ((await frame.locator('#prediction-status').getAttribute('data-state')) === 'done' ? true : undefined), 180_000);
    assert.ok(done, `predictions did not finish: ${await frame.locator('#prediction-status').innerText()}`);
    assert.equal((await frame.locator('#pick-model').innerText()).trim(), model.id, 'the bundled model predicts, not the workspace one');

    const sample = 3;
    const images = zlib.gunzipSync(fs.readFileSync(path.join(samplesDir, IMAGES)));
    const backend = await initBackend(nodeModulesWasmDir());
    const reference = (await runJob(
      {
        type: 'explain',
        model: { path: model.modelJson },
        images: [{ kind: 'pixels', name: `#${sample}`, width: 28, height: 28, channels: 1, data: Uint8Array.from(images.subarray(16 + sample * 784, 16 + (sample + 1) * 784)) }],
        methods: ['lrp-a2b1'],
        preprocess: 'auto',
      },
      backend,
    )) as ExplainResult;
    const label = reference.card.labels[reference.explanations[0].predicted];

    await frame.locator(`${VISIBLE_CELL}[data-sample="${sample}"]`).first().click();
    const panel = new ExplainPanelPage(s.workbench);
    const reading = await panel.waitUntil(`sample #${sample} explained as ${label}`, (r) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && namesLabel(r.prediction ?? '', label), 90_000);
    await s.workbench.screenshot('explained');
    assert.equal(reading.model, model.name, `the header names the bundled model, not "${WORKSPACE_MODEL_NAME}"`);
    const log = s.outputChannel() ?? '';
    assert.match(log, /Explain Image activated \(restricted mode/);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
