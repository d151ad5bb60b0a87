// What the explain panel shows is always true (issue 10), in one code-server session:
// - badges list only the preprocessing steps the engine applied, "transparent → white" first for a stroke
//   drawn on a clear canvas (a white-on-black 8×8 PNG and a 16-bit
//   gray PNG are never "inverted"), and an animated GIF shows the frame that was explained, "frame 1 of N";
// - no mixed states: during a long SmoothGrad the old heatmap is marked as the old method's, the header
//   shows samples done of total and the progress moves, Export waits; after Cancel the class list and
//   "Back to predicted" match the heatmap still shown; a model switch never shows the old model's bars
//   under the new model's name;
// - settings follow: explainImage.method / colormap / percentile changed in settings.json update the panel
//   and the status bar; a Select Method/Model choice overrides them, the picks say so, mark the current
//   entry with its name and offer "Use the setting (…)";
// - inputs say their limits: an invalid percentile shows the range and keeps the value in use;
//   "samples=8192 sigma=0.1" (spaces) is accepted;
// - feedback: an unreadable image shows no time; the output channel has one timestamped line per
//   explain, model change and method change, naming file, model, method, target and time.
// Every expected number comes from the engine run here on the same files (harness/reference.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { GifWriter } from 'omggif';
import { PNG } from 'pngjs';
import { writePng } from '../unit/image/encoders';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand, namesLabel } from './harness/manifest';
import { hasInk } from './harness/pixels';
import { bundledModels, defaultModel, explainHere } from './harness/reference';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const explainTitle = contributedCommand('explainImage.explain').title;
const selectMethod = contributedCommand('explainImage.selectMethod').paletteLabel;
const selectModel = contributedCommand('explainImage.selectModel').paletteLabel;
const STATUS_ITEM = 'explain-image.explain-image.explainImage.status';
const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;
/** The most samples SmoothGrad takes: about 4 s of one worker here, long enough to look at the panel while it runs. */
const LONG_SMOOTHGRAD = 4096;
const LONG_TITLE = `SmoothGrad (samples = ${LONG_SMOOTHGRAD}, sigma = 0.1)`;

describe('what the explain panel shows is true', { timeout: 12 * 60_000 }, () => {
  const session = useSession('truth', () => ({ watchdogMs: 12 * 60_000 }));
  const panel = new ExplainPanelPage(() => session().workbench);
  const model = defaultModel();
  const file = (name: string) => path.join(session().workspace.dir, name);
  it('badges name only the steps applied; an animated GIF shows its explained first frame', { skip }, async () => {
    const s = session();
    // White 4×6 block on black, 8×8, as 8-bit and as 16-bit gray PNGs.
    const block = (x: number, y: number) => x >= 1 && x < 5 && y >= 1 && y < 7;
    const samples8 = Array.from({ length: 64 }, (_, i) => (block(i % 8, Math.floor(i / 8)) ? 255 : 0));
    fs.writeFileSync(file('tiny-8x8.png'), writePng({ width: 8, height: 8, colorType: 0, bitDepth: 8, samples: samples8 }));
    fs.writeFileSync(file('tiny-16bit.png'), writePng({ width: 8, height: 8, colorType: 0, bitDepth: 16, samples: samples8.map((v) => v * 257) }));
    for (const name of ['tiny-8x8.png', 'tiny-16bit.png']) {
      const reference = await explainHere(model.modelJson, [file(name)]);
      const steps = reference.images[0].steps;
      assert.ok(!steps.includes('inverted'), `the engine inverts ${name}: ${steps}`);
      await s.workbench.runExplorerContextMenu(name, explainTitle);
      const label = reference.card.labels[reference.explanations[0].predicted];
      const reading = await panel.waitUntil(`${name} explained`, (r) => settled(r) && namesLabel(r.prediction!, label) && r.steps === steps.join(' · '), 90_000);
      assert.doesNotMatch(reading.steps ?? '', /inverted/);
    }
    await s.workbench.screenshot('badges-tiny');

    // A dark stroke drawn on a clear canvas (gray + alpha): composited onto white, and the badge says so first.
    const stroke = Array.from({ length: 28 * 28 }, (_, i) => Math.abs((i % 28) - Math.floor(i / 28)) < 2 && i % 28 > 4 && i % 28 < 24);
    fs.writeFileSync(file('drawn-clear.png'), writePng({ width: 28, height: 28, colorType: 4, bitDepth: 8, samples: stroke.flatMap((on) => [0, on ? 255 : 0]) }));
    const drawn = await explainHere(model.modelJson, [file('drawn-clear.png')]);
    assert.equal(drawn.images[0].steps[0], 'transparent → white', `the engine's steps: ${drawn.images[0].steps}`);
    await s.workbench.runExplorerContextMenu('drawn-clear.png', explainTitle);
    const alphaReading = await panel.waitUntil('drawn-clear.png explained', (r) => settled(r) && r.steps === drawn.images[0].steps.join(' · '), 90_000);
    assert.match(alphaReading.steps ?? '', /^transparent → white · /);
    await s.workbench.screenshot('badge-transparent');

    // A 3-frame GIF: frame 1 is the MNIST 7, frames 2 and 3 other images. 256 gray levels in the palette.
    const seven = PNG.sync.read(fs.readFileSync(file('mnist-7-0000.png')));
    const gray = (png: PNG) => Array.from({ length: png.width * png.height }, (_, i) => png.data[4 * i]);
    const two = PNG.sync.read(fs.readFileSync(file('mnist-2-0001.png')));
    const buffer = new Uint8Array(64 * 1024);
    const gif = new GifWriter(buffer, 28, 28, { palette: Array.from({ length: 256 }, (_, v) => (v << 16) | (v << 8) | v), loop: 0 });
    for (const frame of [gray(seven), gray(two), gray(seven).map((v) => 255 - v)]) gif.addFrame(0, 0, 28, 28, frame, { delay: 50 });
    fs.writeFileSync(file('animated.gif'), buffer.subarray(0, gif.end()));
    const reference = await explainHere(model.modelJson, [file('animated.gif')]);
    assert.equal(reference.images[0].frames, 3);
    const label = reference.card.labels[reference.explanations[0].predicted];
    await s.workbench.runExplorerContextMenu('animated.gif', explainTitle);
    await panel.waitUntil(`animated.gif explained as "${label}"`, (r) => settled(r) && namesLabel(r.prediction!, label), 90_000);
    const frame = await panel.frame();
    const caption = (await frame.locator('.original-figure figcaption').innerText()).replace(/\s+/g, ' ');
    assert.match(caption, /frame 1 of 3/);
    // The original shown is a still image of frame 1, pixel for pixel the 7, now and a second later (the
    // GIF itself would have moved on to its other frames by then, 50 ms each).
    const src = (await frame.locator('img.original-image').getAttribute('src')) ?? '';
    assert.ok(src.startsWith('blob:'), `the original is not the bytes the host sent: ${src.slice(0, 40)}`);
    const originalPixels = () =>
      frame.locator('img.original-image').evaluate((img: HTMLImageElement) => {
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        return Array.from({ length: canvas.width * canvas.height }, (_, i) => rgba[4 * i]);
      });
    assert.deepEqual(await originalPixels(), Array.from(gray(seven)), 'the original shown is the first frame');
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await originalPixels(), Array.from(gray(seven)), 'and stays the first frame');
    await s.workbench.screenshot('gif-frame');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('never mixes two runs: long SmoothGrad with progress, Cancel, then a model switch', { skip }, async () => {
    const s = session();
    await s.workbench.runExplorerContextMenu('mnist-7-0000.png', explainTitle);
    const first = await panel.waitUntil('the 7 explained', (r) => settled(r) && namesLabel(r.prediction!, '7') && r.method === 'LRP-α2β1', 90_000);
    assert.match(first.backend ?? '', / · \d+(\.\d)? ms$/, `the time of the run shown: ${first.backend}`);

    // Parameters typed with a space instead of a comma are understood.
    await s.workbench.runCommand(selectMethod);
    await s.workbench.chooseQuickPickItem('SmoothGrad with parameters', (aria) => /SmoothGrad with parameters…/.test(aria));
    await s.workbench.quickInputBox().fill(`samples=${LONG_SMOOTHGRAD} sigma=0.1`);
    const accepted = await waitFor(async () => ((await s.workbench.quickInputInvalid()) ? undefined : true), 10_000);
    assert.ok(accepted, `"samples=${LONG_SMOOTHGRAD} sigma=0.1" is refused: ${await s.workbench.quickInputMessage()}`);
    await s.page.keyboard.press('Enter');

    const progressOf = (r: PanelReading) => Number(/SmoothGrad: (\d+) of (\d+) samples/.exec(r.progress ?? '')?.[1] ?? NaN);
    const busy = await panel.waitUntil(
      'SmoothGrad progress over the old heatmap, marked as LRP-α2β1',
      (r) => r.busy && progressOf(r) >= 0 && /LRP-α2β1 for class 7/.test(r.stale ?? '') && /^LRP-α2β1 · class 7/.test(r.caption ?? ''),
      60_000,
    );
    await s.workbench.screenshot('smoothgrad-progress');
    assert.equal(busy.method, LONG_TITLE, 'the header names the method being computed');
    assert.equal(busy.readout, undefined, 'no Σ R of another method under the new header');
    assert.match(busy.progress!, new RegExp(`of ${LONG_SMOOTHGRAD} samples`));
    assert.match(busy.heatmapLabel ?? '', /^Heatmap of LRP-α2β1 for class 7/);
    const frame = await panel.frame();
    const exportButton = frame.locator('vscode-button', { hasText: 'Export PNG' });
    assert.equal(await exportButton.evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true, 'Export waits while the new heatmap is computed');
    assert.match((await exportButton.getAttribute('title')) ?? '', /Waiting/);
    const moved = await panel.waitUntil('the progress moving', (r) => r.busy && progressOf(r) > progressOf(busy), 30_000);
    console.log(`[truth] progress ${busy.progress} → ${moved.progress}`);

    await frame.locator('.panel-header vscode-button', { hasText: 'Cancel' }).click();
    const cancelled = await panel.waitUntil('the cancelled state', (r) => !r.busy && /^Cancelled\./.test(r.stale ?? ''), 15_000);
    await s.workbench.screenshot('cancelled');
    assert.match(cancelled.caption ?? '', /^LRP-α2β1 · class 7/);
    assert.equal(cancelled.explained, '7');
    assert.equal(cancelled.backToPredicted, false);

    // A class clicked, then Cancel: the pressed class and "Back to predicted" follow the heatmap still shown.
    const runnerUp = cancelled.classNames.find((c) => c !== '7')!;
    await frame.locator('.class-row', { hasText: runnerUp }).first().click();
    await panel.waitUntil(`SmoothGrad for class ${runnerUp} busy`, (r) => r.busy && progressOf(r) >= 0, 30_000);
    await frame.locator('.panel-header vscode-button', { hasText: 'Cancel' }).click();
    const back = await panel.waitUntil('cancelled again', (r) => !r.busy && /^Cancelled\./.test(r.stale ?? ''), 15_000);
    assert.equal(back.explained, '7', 'the pressed class is the one the heatmap shows');
    assert.equal(back.backToPredicted, false, '"Back to predicted" only when another class is shown');

    // Another data set's model while the long method is selected: nothing of the digit run stays on screen.
    const fashion = bundledModels().find((m) => m.dataset && m.dataset !== model.dataset);
    if (fashion) {
      await s.workbench.runCommand(selectModel);
      await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.startsWith(`${fashion.id},`));
      const switching = await panel.waitUntil(`${fashion.name} busy`, (r) => r.busy && r.model === fashion.name, 30_000);
      await s.workbench.screenshot('model-switch-busy');
      assert.equal(switching.prediction, undefined, `no prediction of the old model under ${fashion.name}: ${switching.prediction}`);
      assert.deepEqual(switching.classNames, [], 'no class bars of the old model');
      const reference = await explainHere(fashion.modelJson, [file('mnist-7-0000.png')], `smoothgrad:samples=${LONG_SMOOTHGRAD},sigma=0.1`);
      const label = reference.card.labels[reference.explanations[0].predicted];
      const done = await panel.waitUntil(`${fashion.name}'s prediction`, (r) => settled(r) && namesLabel(r.prediction!, label), 120_000);
      assert.ok(done.classNames.every((c) => fashion.labels.includes(c)), `every bar names a ${fashion.dataset} class: ${done.classNames}`);
      assert.ok((done.caption ?? '').startsWith(`${LONG_TITLE} · class ${label}`), `the caption names the new run: ${done.caption}`);
    }
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('follows settings.json; picks say when they override it and offer the setting back', { skip }, async () => {
    const s = session();
    // Back to the settings for both: the picks offer them while a choice overrides them.
    await s.workbench.runCommand(selectModel);
    const modelRows = await waitFor(async () => {
      const rows = await s.workbench.quickPickRows();
      return rows.some((r) => r.includes('Use the setting (')) ? rows : undefined;
    }, 10_000);
    assert.ok(modelRows, `Select Model offers no "Use the setting": ${JSON.stringify(await s.workbench.quickPickRows())}`);
    const current = modelRows.find((r) => r.includes('current'));
    assert.ok(current && /^fashion-|^\S+,/.test(current), `the current model is marked and keeps its name: ${JSON.stringify(modelRows)}`);
    assert.match(await s.page.locator('.quick-input-widget input').getAttribute('placeholder') ?? '', /chosen for this workspace \(the setting explainImage\.model says mnist-cnn\)/);
    await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.includes('Use the setting (mnist-cnn)'));
    await waitFor(async () => (/^mnist-cnn · /.test(await s.workbench.statusBarText(STATUS_ITEM)) ? true : undefined), 10_000);
    await s.workbench.runCommand(selectMethod);
    await s.workbench.chooseQuickPickItem(undefined, (aria) => aria.includes('Use the setting (lrp-a2b1)'));
    let reading = await panel.waitUntil('LRP-α2β1 from the setting', (r) => settled(r) && r.method === 'LRP-α2β1' && r.model === model.name, 90_000);
    assert.match(await s.workbench.statusBarText(STATUS_ITEM), /^mnist-cnn · LRP-α2β1$/);
    // Now the pick marks the setting's method as current, under its own name, and offers no "Use the setting".
    await s.workbench.runCommand(selectMethod);
    const methodRows = await waitFor(async () => {
      const rows = await s.workbench.quickPickRows();
      // The method pick's rows are "<method title>, …"; the palette's are "Explain Image: …".
      return rows.some((r) => r.startsWith('LRP-α2β1,')) ? rows : undefined;
    }, 10_000);
    assert.ok(methodRows!.some((r) => r.startsWith('LRP-α2β1,') && r.includes('current')), `current method marked: ${JSON.stringify(methodRows)}`);
    assert.ok(!methodRows!.some((r) => r.includes('Use the setting')));
    await s.page.keyboard.press('Escape');

    // settings.json: method, colour map, percentile.
    await s.updateSettings({ 'explainImage.method': 'deep-taylor' });
    const before = reading;
    reading = await panel.waitUntil('Deep Taylor from settings.json', (r) => settled(r) && r.method === 'Deep Taylor Decomposition' && r.heatmap!.signature !== before.heatmap!.signature, 60_000);
    assert.match(await s.workbench.statusBarText(STATUS_ITEM), /Deep Taylor Decomposition/);
    await s.updateSettings({ 'explainImage.colormap': 'gray', 'explainImage.percentile': 90 });
    const frame = await panel.frame();
    const colourOf = async () => frame.locator('vscode-single-select[label="Colour map"]').evaluate((e) => (e as HTMLElement & { value: string }).value);
    const percentileOf = async () => frame.locator('vscode-textfield.percentile-field').evaluate((e) => (e as HTMLElement & { value: string }).value);
    const followed = await waitFor(async () => ((await colourOf()) === 'gray' && (await percentileOf()) === '90' ? true : undefined), 15_000);
    assert.ok(followed, `colour map ${await colourOf()}, percentile ${await percentileOf()} after settings.json said gray, 90`);
    const grayMap = await panel.waitUntil('the gray heatmap', (r) => settled(r) && r.heatmap!.signature !== reading.heatmap!.signature, 15_000);
    await s.workbench.screenshot('settings-followed');

    // A choice made with Select Method overrides the setting: a later settings.json change does not apply.
    await s.workbench.runCommand(selectMethod);
    await s.workbench.chooseQuickPickItem('Guided Backprop', (aria) => aria.startsWith('Guided Backprop,'));
    await panel.waitUntil('Guided Backprop', (r) => settled(r) && r.method === 'Guided Backprop', 60_000);
    await s.updateSettings({ 'explainImage.method': 'lrp-z' });
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(await s.workbench.statusBarText(STATUS_ITEM), /Guided Backprop/);
    await s.workbench.runCommand(selectMethod);
    const overridden = await waitFor(async () => {
      const rows = await s.workbench.quickPickRows();
      return rows.some((r) => r.includes('Use the setting (lrp-z)')) ? rows : undefined;
    }, 10_000);
    assert.ok(overridden, `no "Use the setting (lrp-z)": ${JSON.stringify(await s.workbench.quickPickRows())}`);
    await s.page.keyboard.press('Escape');
    assert.ok(grayMap);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('an invalid percentile says the range and keeps the value in use', { skip }, async () => {
    const s = session();
    const before = await panel.waitUntil('a settled heatmap', settled);
    const frame = await panel.frame();
    const field = frame.locator('vscode-textfield.percentile-field');
    const note = frame.locator('#percentile-note');
    for (const typed of ['20', 'abc']) {
      await field.click();
      await frame.page().keyboard.press('Control+A');
      await frame.page().keyboard.type(typed);
      const said = await waitFor(async () => {
        const t = (await note.innerText()).trim();
        return /from 50 to 100/.test(t) ? t : undefined;
      }, 5000);
      assert.ok(said, `typing ${typed}: the note says ${JSON.stringify(await note.innerText())}`);
      assert.match(said, /still using 90/);
      await s.workbench.screenshot(`percentile-invalid-${typed}`);
      await frame.page().keyboard.press('Tab');
      const kept = await waitFor(async () => ((await field.evaluate((e) => (e as HTMLElement & { value: string }).value)) === '90' ? true : undefined), 5000);
      assert.ok(kept, `the field shows the value in use again after leaving it (typed ${typed})`);
      assert.match((await note.innerText()).trim(), /kept 90/);
    }
    const after = await panel.read();
    assert.equal(after.heatmap!.signature, before.heatmap!.signature, 'the heatmap is drawn as before');
  });

  it('an unreadable image shows no time; the log has a timestamped line per run and change', { skip }, async () => {
    const s = session();
    fs.writeFileSync(file('broken.png'), Buffer.from('no image here at all', 'latin1'));
    await s.workbench.runExplorerContextMenu('broken.png', explainTitle);
    const failed = await panel.waitUntil('an error about broken.png', (r) => !r.busy && r.alerts.some((a) => a.includes('broken.png')), 30_000);
    assert.doesNotMatch(failed.backend ?? '', /ms/, `no time for an image that was never explained: ${failed.backend}`);
    await s.workbench.screenshot('broken-no-time');

    const log = s.outputChannel() ?? '';
    const stamp = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    assert.match(log, new RegExp(`^${stamp} \\[explain\\] mnist-7-0000\\.png · mnist-cnn · lrp-a2b1 · class 7 \\(predicted\\) · [\\d.]+ ms compute · [\\d.]+ m?s wall$`, 'm'), log.slice(-3000));
    assert.match(log, new RegExp(`^${stamp} \\[explain\\] .*cancelled$`, 'm'));
    assert.match(log, new RegExp(`^${stamp} \\[method\\] LRP-α2β1 → SmoothGrad \\(samples = ${LONG_SMOOTHGRAD}, sigma = 0\\.1\\) · chosen for this workspace · smoothgrad:samples=${LONG_SMOOTHGRAD},sigma=0\\.1$`, 'm'));
    assert.match(log, new RegExp(`^${stamp} \\[model\\] \\S+ → mnist-cnn · from the setting explainImage\\.model · `, 'm'));
    assert.match(log, new RegExp(`^${stamp} \\[method\\] setting explainImage\\.method = deep-taylor · now Deep Taylor Decomposition$`, 'm'));
    assert.match(log, new RegExp(`^${stamp} \\[explain\\] broken\\.png: .*not an image`, 'm'));
  });
});
