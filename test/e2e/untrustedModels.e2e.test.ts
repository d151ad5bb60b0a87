// Model files are untrusted input (issue 20), in a real VS Code: a workspace holds an ONNX model with a Pad of
// 30,000 (60,008 × 60,008 per channel: the wasm worker used to fault and stay broken), one whose external data
// is "../secret.bin" (outside its folder; the secret holds the right bytes, so reading it would load), and the
// shapes ResNet. Select Model says in each bad model's row why it cannot be used; choosing one shows one line
// naming it and the limit or the location, the model in use stays, and the panel goes on working; choosing
// the good model then explains the image with the engine's class and numbers. The secret is never read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { explainHere } from './harness/reference';
import { repoRoot } from './harness/paths';
import { e2eSkip, useSession, waitFor } from './harness/session';
import { formatValue } from '../../webview/format';
import { convNet, withExternal } from '../unit/import/attackFiles';

const skip = e2eSkip();
const STATUS_ITEM = 'explain-image.explain-image.explainImage.status';
const FIXTURE = path.join(repoRoot, 'test/fixtures/onnx/shapes-resnet');
const GOOD = 'shapes/shapes-resnet.onnx';
const PAD = 'pad/absurd-pad.onnx';
const ESCAPE = 'escape/escape.onnx';
const IMAGE = 'circle-72x96.png';
const CARD = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'card.json'), 'utf8')) as { name: string };
const explainTitle = contributedCommand('explainImage.explain').title;
const selectModel = contributedCommand('explainImage.selectModel').paletteLabel;
const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('untrusted model files: a bad model chosen, then a good one, in the panel', { timeout: 15 * 60_000 }, () => {
  const session = useSession('untrustedModels', () => ({
    watchdogMs: 15 * 60_000,
    prepareWorkspace: (dir) => {
      fs.mkdirSync(path.join(dir, 'shapes'));
      for (const f of ['shapes-resnet.onnx', 'card.json', 'labels.txt']) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, 'shapes', f));
      fs.copyFileSync(path.join(FIXTURE, IMAGE), path.join(dir, IMAGE));
      fs.mkdirSync(path.join(dir, 'pad'));
      fs.writeFileSync(path.join(dir, PAD), convNet((w, x) => w.node('Pad', [x, w.ints('pads', [0, 0, 30000, 30000, 0, 0, 30000, 30000])], {}, ['padded'], 'absurd_pad')).encode());
      fs.mkdirSync(path.join(dir, 'escape'));
      const external = withExternal(convNet().encode(), 'k', '../secret.bin');
      fs.writeFileSync(path.join(dir, ESCAPE), external.model);
      const secret = path.join(dir, 'secret.bin');
      fs.writeFileSync(secret, external.data);
      fs.utimesSync(secret, new Date(1000), new Date()); // a read would move its access time
    },
  }));
  const panel = new ExplainPanelPage(() => session().workbench);
  const file = (name: string) => path.join(session().workspace.dir, name);

  it('Select Model says why each bad model cannot be used; choosing one shows one line and keeps the panel working', { skip }, async () => {
    const s = session();
    await s.workbench.runExplorerContextMenu(IMAGE, explainTitle);
    const first = await panel.waitUntil('the image explained by the default model', settled, 120_000);
    await s.workbench.runCommand(selectModel);
    const rows = await waitFor(async () => {
      const r = await s.workbench.quickPickRows();
      const bad = [PAD, ESCAPE].every((m) => r.some((x) => x.startsWith(`${m},`) && x.includes('cannot be used')));
      return bad ? r : undefined;
    }, 90_000);
    await s.workbench.screenshot('select-model-bad-rows');
    assert.ok(rows, `Select Model should say the bad models cannot be used: ${JSON.stringify(await s.workbench.quickPickRows())}`);
    const padRow = rows.find((x) => x.startsWith(`${PAD},`))!;
    assert.match(padRow, /node "absurd_pad" \(pad\) is 10,802,880,192 values per image, over the limit of 33,554,432/);
    const escapeRow = rows.find((x) => x.startsWith(`${ESCAPE},`))!;
    assert.match(escapeRow, /initializer "k"'s external data file "\.\.\/secret\.bin" leaves the model's folder/);

    for (const [bad, problem] of [
      [PAD, /over the limit of 33,554,432/],
      [ESCAPE, /leaves the model's folder; move the file into it/],
    ] as const) {
      if (bad === ESCAPE) await s.workbench.runCommand(selectModel);
      await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.startsWith(`${bad},`), 60_000);
      const toast = await waitFor(async () => {
        const texts = await s.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
        return texts.find((t) => t.includes(bad));
      }, 60_000);
      await s.workbench.screenshot(`bad-model-${path.basename(bad, '.onnx')}`);
      assert.ok(toast, `a notification names ${bad}`);
      assert.ok(!toast.includes('\n'), `one line: ${JSON.stringify(toast)}`);
      assert.ok(toast.length <= 300 + 'Explain Image: '.length, `at most 300 characters: ${toast}`);
      assert.match(toast, new RegExp(`^Explain Image: ${escapeRegExp(bad)}: `));
      assert.match(toast, problem);
      assert.doesNotMatch(await s.workbench.statusBarText(STATUS_ITEM), new RegExp(escapeRegExp(bad)), 'the model in use stays');
      await s.workbench.runCommand('Notifications: Clear All Notifications');
    }
    // The panel still works on the model it had: another class is explained.
    await s.workbench.activateTab(`Explain: ${IMAGE}`);
    const still = await panel.waitUntil('the default model still shown', (r) => settled(r) && r.model === first.model, 30_000);
    assert.deepEqual(still.alerts, [], 'no error in the panel: the bad models were never used');
    const other = still.classNames.find((c) => c !== still.explained)!;
    const frame = await panel.frame();
    // By its name exactly: "9" is also in the first row's "96.2%".
    await frame.locator('.class-row', { has: frame.locator('.class-name', { hasText: new RegExp(`^${escapeRegExp(other)}$`) }) }).first().click();
    await panel.waitUntil(`class ${other} explained`, (r) => settled(r) && r.explained === other, 60_000);
  });

  it('the good model chosen next explains the image with the engine\'s class and numbers; the secret was never read', { skip }, async () => {
    const s = session();
    const reference = await explainHere(file(GOOD), [file(IMAGE)], 'lrp-a2b1');
    const e = reference.explanations[0];
    const label = reference.card.labels[e.predicted];
    await s.workbench.runCommand(selectModel);
    await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.startsWith(`${GOOD},`), 60_000);
    const status = await waitFor(async () => ((await s.workbench.statusBarText(STATUS_ITEM)).startsWith(`${GOOD} · `) ? true : undefined), 30_000);
    assert.ok(status, `the status bar names the good model: ${await s.workbench.statusBarText(STATUS_ITEM)}`);
    await s.workbench.activateTab(`Explain: ${IMAGE}`);
    const reading = await panel.waitUntil(`"${label}" from ${CARD.name}`, (r) => settled(r) && r.model === CARD.name && r.prediction === label, 120_000);
    await s.workbench.screenshot('good-model-after-bad');
    assert.equal(reading.readout, `Σ R = ${formatValue(e.relevanceSum)} · logit ${formatValue(e.logit)}`);
    assert.deepEqual(reading.alerts, []);
    assert.equal(fs.statSync(file('secret.bin')).atimeMs, 1000, 'the file outside the escaping model\'s folder was never read');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
