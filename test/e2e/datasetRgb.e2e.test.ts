// The dataset browser on colour data in a real VS Code, with the RGB shapes ResNet fixture (32×32) chosen
// by the setting explainImage.model: an RGB .npy of 64×64 shapes (thumbnails drawn in colour, the resize
// said once, "Misclassified only" shows exactly the samples the engine in-process gets wrong, a click
// explains one), a CIFAR-10 batch whose class names come in another order than the model's (matched by
// name, said so), and "Browse Folder as Dataset" on an image folder with a damaged file and an image of
// another size (both said once; the damaged one marked in the grid). "Evaluate Methods" on three selected
// CIFAR samples shows the table whose numbers equal `explain-image evaluate --dataset --indices --json`,
// and Compare Methods on them draws the whole comparison figure.
// The browser's contract with this test, beyond dataset.e2e.test.ts's: `#read-notes` (notes said once),
// `#unreadable-list`, `.cell.unreadable`, and `canvas.row-thumbs` holding the drawn thumbnails.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import { SHAPE_LABELS } from '../../scripts/fixtures/shapesData';
import { countLabel } from '../../webview/dataset/sampleFilter';
import { compareFrame, waitFilled } from './harness/comparePanel';
import { namesLabel } from './harness/manifest';
import { repoRoot } from './harness/paths';
import { e2eSkip, useSession, waitFor, type Session } from './harness/session';
import { CIFAR_NAMES, SHAPES_MODEL, writeShapesCifar, writeShapesFolder, writeShapesNpy, type Written, type WrittenFolder } from './datasetRgbFiles';

const skip = e2eSkip();
const VISIBLE_CELL = '.grid-row:not([hidden]) .cell:not([hidden])';

/** Waits for the predictions of the browser in `frame` to end; fails with the status text otherwise. */
async function predictionsDone(s: Session, frame: Frame, what: string): Promise<void> {
  const done = await waitFor(async () => {
    const state = await frame.locator('#prediction-status').getAttribute('data-state');
    if (state === 'failed') return `failed: ${await frame.locator('#prediction-status').innerText()}`;
    return state === 'done' ? 'done' : undefined;
  }, 240_000);
  await s.workbench.screenshot(`${what}-predicted`);
  assert.equal(done, 'done', `${what}: predictions did not finish; status: ${await frame.locator('#prediction-status').innerText()}`);
}

/** The frame of the dataset browser whose header names `name` (other browsers may still be open). */
async function browserFor(s: Session, name: string): Promise<Frame> {
  const found = await s.workbench.findInWebview(`.dataset-header h1:text-is("${name}")`, 90_000);
  if (!found) {
    await s.workbench.screenshot(`no-browser-${name}`);
    assert.fail(`no dataset browser for ${name}; webviews say ${JSON.stringify(await s.workbench.webviewTexts())}`);
  }
  return found.frame;
}

/** Clicks "Misclassified only" and checks the count and the samples shown against the engine's. */
async function checkMistakes(s: Session, frame: Frame, data: Written, what: string): Promise<void> {
  await frame.locator('#misclassified-only').click();
  const expected = countLabel(data.misclassified.length);
  const shown = await waitFor(async () => ((await frame.locator('#filter-count').innerText()).trim() === expected ? true : undefined), 10_000);
  await s.workbench.screenshot(`${what}-misclassified`);
  assert.ok(shown, `${what}: #filter-count says ${JSON.stringify(await frame.locator('#filter-count').innerText())}; the engine gets ${data.misclassified.join(', ')} wrong`);
  const cells = await frame.locator(`${VISIBLE_CELL}[data-sample]`).evaluateAll((els) => els.map((c) => Number((c as HTMLElement).dataset.sample)));
  assert.deepEqual([...new Set(cells)].sort((a, b) => a - b), data.misclassified.slice(0, new Set(cells).size));
}

/** Share of the drawn thumbnail pixels (on screen) that are coloured (not R = G = B). */
async function colouredShare(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    let coloured = 0;
    let drawn = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('.grid-row:not([hidden]) canvas.row-thumbs')) {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let o = 0; o < data.length; o += 4) {
        if (data[o + 3] === 0) continue;
        drawn++;
        if (data[o] !== data[o + 1] || data[o + 1] !== data[o + 2]) coloured++;
      }
    }
    return drawn ? coloured / drawn : 0;
  });
}

describe('dataset browser on colour data', { timeout: 12 * 60_000 }, () => {
  let npy: Written;
  let cifar: Written;
  let folder: WrittenFolder;
  const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-rgb-data-'));
  const session = useSession('datasetRgb', async () => {
    npy = await writeShapesNpy(staged);
    cifar = await writeShapesCifar(staged);
    folder = writeShapesFolder(staged);
    fs.mkdirSync(path.join(staged, 'empty-folder', 'nothing-here'), { recursive: true });
    fs.writeFileSync(path.join(staged, 'empty-folder', 'nothing-here', 'notes.txt'), 'no images');
    return {
      settings: { 'explainImage.model': SHAPES_MODEL },
      watchdogMs: 14 * 60_000,
      prepareWorkspace: (dir) => fs.cpSync(staged, dir, { recursive: true }),
    };
  });

  it('an RGB .npy of 64×64 shapes: colour thumbnails, resize said once, the mistakes the engine makes, explain one', { skip }, async () => {
    const s = session();
    const opened = Date.now();
    await s.workbench.openFile(npy.name);
    const painted = await s.workbench.findInWebview('.cell[data-sample]:not(.loading)', 60_000);
    assert.ok(painted, `no thumbnail drawn 60 s after opening ${npy.name}; webviews: ${JSON.stringify(await s.workbench.webviewTexts())}`);
    console.log(`[datasetRgb] ${npy.name}: first thumbnails ${Date.now() - opened} ms after Quick Open`);
    const frame = painted.frame;
    const header = await frame.locator('.dataset-header').innerText();
    assert.match(header, /64 images 64×64 RGB/);
    assert.match(header, /labels from shapes-64-labels\.npy/);
    const share = await waitFor(async () => {
      const v = await colouredShare(frame);
      return v > 0.5 ? v : undefined;
    }, 20_000);
    assert.ok(share, `the thumbnails are not drawn in colour (coloured share ${await colouredShare(frame)})`);

    await predictionsDone(s, frame, 'npy');
    const notes = await frame.locator('#read-notes').innerText();
    assert.equal(notes.match(/each is resized/g)?.length, 1, `the resize is said once: ${JSON.stringify(notes)}`);
    assert.match(notes, /samples are 64×64, .* takes 32×32/);
    assert.match(notes, /by index \(the file has no class names\)/);
    assert.match(await frame.locator('#summary').innerText(), new RegExp(`\\b${npy.misclassified.length} misclassified`));
    assert.ok(npy.misclassified.length >= 3, `the three mislabelled samples are mistakes: ${npy.misclassified}`);
    await checkMistakes(s, frame, npy, 'npy');

    const sample = npy.misclassified[0];
    await frame.locator(`${VISIBLE_CELL}[data-sample="${sample}"]`).first().click();
    const predictedName = SHAPE_LABELS[npy.predicted[sample]];
    const prediction = await s.workbench.findInWebview('#prediction', 90_000);
    assert.ok(prediction, `no explain panel after clicking sample ${sample}`);
    const text = await waitFor(async () => {
      const t = (await prediction.element.innerText()).trim();
      return namesLabel(t, predictedName) ? t : undefined;
    }, 90_000);
    await s.workbench.screenshot('npy-explained');
    assert.ok(text, `#prediction says ${JSON.stringify(await prediction.element.innerText())}; the engine predicts ${predictedName} for #${sample}`);
    assert.ok((await s.workbench.tabLabels()).some((t) => t.includes(`${path.basename(npy.name)} #${sample}`)));
    await s.workbench.runCommand('View: Close All Editors');
  });

  it('a CIFAR-10 batch: opens in the browser, class names matched to the model by name', { skip }, async () => {
    const s = session();
    await s.workbench.openFile(cifar.name);
    const frame = await browserFor(s, 'data_batch_1.bin');
    assert.match(await frame.locator('.dataset-header').innerText(), /CIFAR-10 binary · 200 images 32×32 RGB/);
    await predictionsDone(s, frame, 'cifar');
    const notes = await frame.locator('#read-notes').innerText();
    assert.match(notes, /matched to the model's classes by name \(6 of the file's 10 classes are no class of the model: star, heart, moon, ring, arrow, \+1\)/);
    assert.doesNotMatch(notes, /resized/);
    // The captions name the classes (the file's name for the truth, the model's for the prediction), cut
    // with "…" to the cell; the accessible name has them whole.
    const cells = await frame.locator(`${VISIBLE_CELL}[data-sample]`).evaluateAll((els) =>
      els.map((c) => ({ sample: Number((c as HTMLElement).dataset.sample), aria: c.getAttribute('aria-label') ?? '', verdict: c.querySelector('.cell-verdict')?.textContent ?? '', index: c.querySelector('.cell-index')?.textContent ?? '' })),
    );
    assert.ok(cells.length >= 10, `cells on screen: ${cells.length}`);
    for (const c of cells) {
      const truth = cifar.shapes[c.sample];
      const predicted = SHAPE_LABELS[cifar.predicted[c.sample]];
      assert.match(c.aria, new RegExp(`^Sample ${c.sample}, label ${truth}, predicted ${predicted} with \\d+% confidence`), `cell #${c.sample}`);
      // The confidence ends the verdict, or the index line when the names need the room ("#12 · 91%"); a
      // truth left out ("→star…") is in the accessible name.
      const shown = c.verdict.match(/^(?:✓(.+?)|(.*)→(.+?))( \d+%)?$/);
      assert.ok(shown && (shown[4] !== undefined || /· \d+%$/.test(c.index)), `cell #${c.sample} says ${JSON.stringify(c.index)} ${JSON.stringify(c.verdict)}`);
      const names = shown[1] !== undefined ? [[shown[1], predicted]] : [...(shown[2] ? [[shown[2], truth]] : []), [shown[3], predicted]];
      // A cut name begins its class's name and no other's ("sq…", never "s…" for square and star).
      for (const [text, name] of names) assert.ok(text === name || (text.endsWith('…') && SHAPE_LABELS.filter((l) => l.startsWith(text.slice(0, -1))).join() === name), `cell #${c.sample}: ${JSON.stringify(c.verdict)} names ${name}`);
    }
    await checkMistakes(s, frame, cifar, 'cifar');
    assert.ok(cifar.misclassified.length <= 4, `the model recognises the shapes: ${cifar.misclassified.length} of 200 wrong`);

    // Evaluate Methods on three selected samples: the table's numbers are the CLI's, to the last digit.
    await frame.locator('#misclassified-only').click();
    await waitFor(async () => ((await frame.locator('#filter-count').innerText()).trim() === countLabel(200) ? true : undefined), 10_000);
    const chosen = [0, 1, 2];
    // Focusing the grid puts the cursor (and the selection) on its first sample: Ctrl-click only what is not selected yet.
    // (the first click's focus does that before its toggle), and cells repaint on the next frame: check each after a pause.
    await frame.locator('#grid').focus();
    for (const i of chosen) {
      const cell = frame.locator(`${VISIBLE_CELL}[data-sample="${i}"]`).first();
      for (let attempt = 0; attempt < 3; attempt++) {
        await frame.page().waitForTimeout(300);
        if ((await cell.getAttribute('aria-selected')) === 'true') break;
        await cell.click({ modifiers: ['Control'] });
      }
    }
    await frame.page().waitForTimeout(300);
    const selected = await frame.locator(`${VISIBLE_CELL}[aria-selected="true"]`).evaluateAll((cells) => cells.map((c) => Number((c as HTMLElement).dataset.sample)));
    assert.deepEqual([...new Set(selected)].sort((a, b) => a - b), chosen);
    await frame.locator('#evaluate-methods').click();
    const evaluated = await waitFor(async () => {
      const state = await frame.locator('#evaluate-status').getAttribute('data-state');
      return state === 'done' || state === 'failed' ? state : undefined;
    }, 240_000);
    await s.workbench.screenshot('cifar-evaluated');
    const statusText = await frame.locator('#evaluate-status').innerText();
    assert.equal(evaluated, 'done', `Evaluate Methods: ${statusText}`);
    assert.match(statusText, /^7 methods on 3 samples selected, shapes-resnet\.onnx, K = 20 steps/);
    const table = await frame.locator('#evaluate-table tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        method: (r as HTMLElement).dataset.method,
        values: [...r.querySelectorAll<HTMLElement>('td[data-key]')].map((td) => [td.dataset.key, Number(td.dataset.value)]),
        samples: Number(r.lastElementChild!.textContent),
      })),
    );
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'evaluate', '--dataset', path.join(s.workspace.dir, cifar.name), '--indices', chosen.join(','), '--model', SHAPES_MODEL, '--json', '--workers', '2'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(cli.status, 0, cli.stderr);
    const summary = (JSON.parse(cli.stdout) as { summary: Array<{ method: string; aopcMorf: number; aopcLerf: number; abpc: number; images: number }> }).summary;
    assert.deepEqual(
      table,
      summary.map((m) => ({ method: m.method, values: [['aopcMorf', m.aopcMorf], ['aopcLerf', m.aopcLerf], ['abpc', m.abpc]], samples: m.images })),
    );

    // Compare Methods on the same selection: the comparison of 3 colour samples, every cell drawn.
    await frame.locator('#compare').click();
    const comparison = await compareFrame(s, 'methods', '7 methods · 3 images', 120_000);
    await waitFilled(s, comparison, [7, 7, 7], 'cifar-compare');
    await s.workbench.screenshot('cifar-compare');

    // The explain panel names a sample's label by the model's class of the same name (the file's value
    // is another index): "Label in the file: triangle" for a triangle.
    await s.workbench.activateTab('data_batch_1.bin');
    await frame.locator(`${VISIBLE_CELL}[data-sample="0"]`).first().click();
    const trueLabel = await s.workbench.findInWebview('#true-label', 90_000);
    assert.ok(trueLabel, 'no #true-label in the explain panel of CIFAR sample #0');
    const said = await waitFor(async () => {
      const t = (await trueLabel.element.innerText()).trim();
      return t === `Label in the file: ${cifar.shapes[0]}` ? t : undefined;
    }, 30_000);
    assert.ok(said, `#true-label says ${JSON.stringify(await trueLabel.element.innerText())}; sample #0 is a ${cifar.shapes[0]}`);
    await s.workbench.screenshot('cifar-explained');

    // After a window reload the panel comes back from its saved state (restoreSubjects.ts): the sample's
    // label is mapped by name again, not the file's value (1, the model's "square" for this triangle).
    assert.notEqual(SHAPE_LABELS.indexOf(cifar.shapes[0]), CIFAR_NAMES.indexOf(cifar.shapes[0]), 'sample #0 has another index in the file than in the model');
    await s.workbench.runCommand('Developer: Reload Window');
    await waitFor(async () => ((await s.page.locator('.monaco-workbench').count().catch(() => 0)) === 0 ? true : undefined), 10_000);
    await s.workbench.waitReady();
    const restored = await waitFor(async () => {
      const found = await s.workbench.findInWebview('#true-label', 5_000).catch(() => undefined);
      const t = found && (await found.element.innerText().catch(() => '')).trim();
      return t === `Label in the file: ${cifar.shapes[0]}` ? t : undefined;
    }, 120_000);
    await s.workbench.screenshot('cifar-explained-reloaded');
    assert.ok(restored, `after the reload the explain panel of CIFAR #0 says ${JSON.stringify(await s.workbench.webviewTexts())}; sample #0 is a ${cifar.shapes[0]}`);
    await s.workbench.runCommand('View: Close All Editors');
  });

  it('Browse Folder as Dataset: class folders, the damaged file marked and listed once, other sizes said once', { skip }, async () => {
    const s = session();
    await s.workbench.runExplorerContextMenu(folder.name, 'Browse Folder as Dataset');
    const frame = await browserFor(s, folder.name);
    assert.match(await frame.locator('.dataset-header').innerText(), new RegExp(`image folder · ${folder.count} images 48×48 RGB · labels from class folders`));
    await predictionsDone(s, frame, 'folder');
    const damagedIndex = folder.files.indexOf(folder.damaged);
    const list = await waitFor(async () => ((await frame.locator('#unreadable-list').count()) ? frame.locator('#unreadable-list') : undefined), 20_000);
    assert.ok(list, `no list of unreadable files: ${await frame.locator('#read-notes').innerText()}`);
    assert.match(await list.locator('summary').innerText(), /^1 file could not be read/);
    const notes = await frame.locator('#read-notes').innerText();
    assert.match(notes, /by name/);
    assert.equal(notes.match(/zz-other-size\.png/g)?.length ?? 0, 1, `the other size is said once: ${JSON.stringify(notes)}`);
    await frame.locator('#jump-to').click();
    await frame.page().keyboard.type(String(damagedIndex));
    await frame.page().keyboard.press('Enter');
    const cell = frame.locator(`${VISIBLE_CELL}[data-sample="${damagedIndex}"]`).first();
    await cell.waitFor({ timeout: 10_000 });
    assert.match((await cell.getAttribute('class')) ?? '', /\bunreadable\b/);
    await s.workbench.screenshot('folder');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('bad input: a truncated CIFAR batch and a folder without class folders open to one line naming the problem', { skip }, async () => {
    const s = session();
    await s.workbench.runCommand('View: Close All Editors');
    const whole = fs.readFileSync(path.join(s.workspace.dir, cifar.name));
    fs.mkdirSync(path.join(s.workspace.dir, 'broken'), { recursive: true });
    fs.writeFileSync(path.join(s.workspace.dir, 'broken', 'test_batch.bin'), whole.subarray(0, 10 * 3073 + 100));
    await s.workbench.openFile('broken/test_batch.bin');
    const error = await s.workbench.findInWebview('#error', 30_000);
    assert.ok(error, `no #error for the truncated batch; webviews: ${JSON.stringify(await s.workbench.webviewTexts())}`);
    const message = await error.element.innerText();
    assert.match(message, /test_batch\.bin/);
    assert.match(message, /3073/);
    assert.equal((await error.frame.locator('#reopen-as-text').count()), 1);
    await s.workbench.screenshot('truncated-cifar');
    await s.workbench.runCommand('View: Close All Editors');

    // empty-folder/ is in the workspace from the start: one written now reaches the Explorer through the
    // file watcher, which after the window reload above once took more than 30 s.
    await s.workbench.runExplorerContextMenu('empty-folder', 'Browse Folder as Dataset');
    const folderError = await s.workbench.findInWebview('#error', 30_000);
    assert.ok(folderError, `no #error for a folder without images; webviews: ${JSON.stringify(await s.workbench.webviewTexts())}`);
    assert.match(await folderError.element.innerText(), /empty-folder/);
    assert.equal(await folderError.frame.locator('#reopen-as-text').count(), 0, 'no "Reopen with Text Editor" for a folder');
    await s.workbench.screenshot('empty-folder');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
