// The panel follows the disk and survives trouble: an explained image overwritten on disk with another
// digit is explained again without a click; an unreadable image shows an in-panel error (role="alert")
// naming the file and the problem, and the panel then explains a good image as before; after "Developer:
// Reload Window" the panel comes back on its image (WebviewPanelSerializer) and draws it again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand, namesLabel } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { defaultModel, predictedLabels } from './harness/reference';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const explainTitle = contributedCommand('explainImage.explain').title;
const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;

describe('panel follows the disk: live refresh, unreadable image, window reload', { timeout: 8 * 60_000 }, () => {
  const session = useSession('liveRefresh');
  const panel = new ExplainPanelPage(() => session().workbench);
  const model = defaultModel();
  it('explains an image again when it changes on disk', { skip }, async () => {
    const s = session();
    const ws = s.workspace.dir;
    const [seven, two] = await predictedLabels(model.modelJson, [path.join(ws, 'mnist-7-0000.png'), path.join(ws, 'mnist-2-0001.png')]);
    assert.deepEqual([seven, two], ['7', '2']);
    const live = path.join(ws, 'live-digit.png');
    fs.copyFileSync(path.join(ws, 'mnist-7-0000.png'), live);
    await s.workbench.runExplorerContextMenu('live-digit.png', explainTitle);
    const first = await panel.waitUntil('"7" for live-digit.png', (r) => settled(r) && namesLabel(r.prediction!, seven), 90_000);
    await s.workbench.screenshot('before-overwrite');

    fs.copyFileSync(path.join(ws, 'mnist-2-0001.png'), live);
    const changed = Date.now();
    await panel.waitUntil(
      '"2" after live-digit.png was overwritten with a 2',
      (r) => settled(r) && namesLabel(r.prediction!, two) && r.heatmap!.signature !== first.heatmap!.signature,
      15_000,
    );
    console.log(`[liveRefresh] new prediction shown ${Date.now() - changed} ms after the file was overwritten`);
    await s.workbench.screenshot('after-overwrite');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('shows an unreadable image\'s error in the panel and stays usable', { skip }, async () => {
    const s = session();
    fs.writeFileSync(path.join(s.workspace.dir, 'broken.png'), Buffer.from('these bytes are no image at all\u0000\u0001\u0002\u0003', 'latin1'));
    await s.workbench.runExplorerContextMenu('broken.png', explainTitle);
    const failed = await panel.waitUntil('an error about broken.png', (r) => !r.busy && r.alerts.some((a) => a.includes('broken.png')), 30_000);
    await s.workbench.screenshot('broken');
    const alert = failed.alerts.find((a) => a.includes('broken.png'))!;
    assert.match(alert, /not an image in a known format/, `the alert names the problem: ${alert}`);
    assert.match(alert, /PNG, JPEG, GIF, BMP and WebP/, `the alert says what would be readable: ${alert}`);
    assert.equal(failed.prediction, undefined, 'no prediction is shown for an unreadable image');
    const frame = await panel.frame();
    const exportDisabled = await frame.locator('vscode-button', { hasText: 'Export PNG' }).evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled);
    assert.equal(exportDisabled, true, 'Export is disabled while no heatmap is shown');

    await s.workbench.runExplorerContextMenu('mnist-7-0000.png', explainTitle);
    const good = await panel.waitUntil('"7" after the broken image', (r) => settled(r) && namesLabel(r.prediction!, '7'), 60_000);
    await s.workbench.screenshot('good-after-broken');
    assert.deepEqual(good.alerts, [], 'the error is gone once a good image is explained');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('comes back on its image after the window reloads', { skip }, async () => {
    const s = session();
    const before = await panel.waitUntil('a settled heatmap', settled);
    await s.workbench.runCommand('Developer: Reload Window');
    panel.forget();
    // The old page goes away; wait for the new workbench, then for the restored panel to draw again.
    await waitFor(async () => ((await s.page.locator('.monaco-workbench').count().catch(() => 0)) === 0 ? true : undefined), 10_000);
    await s.workbench.waitReady();
    const restored = await waitFor(async () => ((await s.workbench.tabLabels().catch(() => [] as string[])).includes('Explain: mnist-7-0000.png') ? true : undefined), 60_000);
    assert.ok(restored, `no "Explain: mnist-7-0000.png" tab after the reload: ${JSON.stringify(await s.workbench.tabLabels())}`);
    const after = await panel.waitUntil('the restored panel with "7"', (r) => settled(r) && namesLabel(r.prediction!, '7'), 90_000);
    await s.workbench.screenshot('reloaded');
    assert.equal(after.heatmap!.signature, before.heatmap!.signature, 'the restored panel draws the same heatmap');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
