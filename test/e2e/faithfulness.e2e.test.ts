// The comparison's Faithfulness section in a real VS Code (issues 13 and 23): after the seven seed methods'
// heatmaps of two images, the section evaluates the figure's own maps (pixel flipping and, at 28×28, ROAD;
// K = 20) and shows a table with a row per method named by its title (AOPC MoRF / LeRF / ABPC, mean ±
// standard error), the verdict (here: too few images, with the offer to add dataset samples), and the mean
// MoRF curves, LeRF at a click; its numbers equal what the engine's `evaluateFaithfulness` computes in this
// process on the same files (its own explain jobs, its own workers), and the table says them in the
// shared score format. The export holds the
// section (the canvas's pixels, section included). The randomisation check runs on request and equals
// the engine's `randomisationCheck`; Cancel stops it. The section follows explainImage.faithfulness.steps
// (K); Cancel stops pixel flipping too (K = 784), and another K gives the engine's numbers for that K.
//
// The section's contract with this test: `canvas#figure` carries `data-faithfulness` (the view: status, K,
// images, per column the summaries, the verdicts), `data-randomisation`, `data-section-top` (the y where the
// section begins) and `data-section-charts` (per chart drawn: kind, MoRF/LeRF, the x axis's words);
// `.evaluation-row` carries `data-faithfulness` / `data-randomisation` (the status), its buttons and the
// MoRF/LeRF choice; `.faithfulness-verdict` the verdict; `table.faithfulness-table` the numbers as written,
// a row per method, its title in the row's heading.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as fs from 'fs';
import type { Frame } from 'playwright-core';
import { evaluateFaithfulness, type FaithfulnessEvaluation } from '../../src/engine/evaluate/faithfulness';
import { randomisationCheck } from '../../src/engine/evaluate/randomisation';
import { methodTitle, parseMethodSpec } from '../../src/engine/methods/methodRegistry';
import { SEED_METHODS } from '../../src/engine/methods/methodTable';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import type { FaithfulnessView, RandomisationView } from '../../src/protocol/faithfulnessView';
import { titleText } from '../../src/protocol/methodTitle';
import { formatRho, formatScore } from '../../webview/scoreFormat';
import { compareFrame, waitFilled, waitSectionSettled } from './harness/comparePanel';
import { contributedCommand } from './harness/manifest';
import { repoRoot } from './harness/paths';
import { readCanvas, waitForPngFile } from './harness/pixels';
import { defaultModel } from './harness/reference';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();
const IMAGES = ['mnist-7-0000.png', 'mnist-2-0001.png'];
/** Same maps, same forward passes: only float32 summation order may differ between the two runs. */
const TOLERANCE = 1e-5;

type Numbers = FaithfulnessView;

async function sectionNumbers(frame: Frame): Promise<Numbers | undefined> {
  const text = await frame.locator('canvas#figure').getAttribute('data-faithfulness');
  return text ? (JSON.parse(text) as Numbers) : undefined;
}

async function waitStatus(frame: Frame, which: 'faithfulness' | 'randomisation', status: string, timeoutMs = 240_000): Promise<void> {
  const row = frame.locator('.evaluation-row');
  let last: string | null = null;
  const ok = await waitFor(async () => {
    last = await row.getAttribute(`data-${which}`);
    return last === status ? true : undefined;
  }, timeoutMs);
  assert.ok(ok, `the ${which} status is "${last}", expected "${status}"; bar says ${await row.innerText().catch(() => '?')}`);
}

/** The largest |panel − engine| seen, for the log. */
let largestDifference = 0;

function assertNear(actual: number, expected: number, what: string): void {
  largestDifference = Math.max(largestDifference, Math.abs(actual - expected));
  assert.ok(Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)), `${what}: panel ${actual}, engine ${expected}`);
}

/** The panel's numbers are the engine's: per method the three means ± standard errors, the image count,
 *  the mean MoRF and LeRF curves, ROAD's, and the verdict. */
function assertEngineNumbers(shown: Numbers, engine: FaithfulnessEvaluation): void {
  assert.equal(shown.steps, engine.steps);
  assert.equal(shown.images, engine.images.filter((i) => !i.error).length);
  engine.summary.forEach((s, k) => {
    const column = shown.columns[k];
    assert.ok(column, `column ${k} (${s.method}) has no numbers`);
    for (const [measure, panel, mine] of [['pixel flipping', column, s], ['ROAD', column.road, s.road]] as const) {
      assert.ok(panel && mine, `${s.method}: no ${measure}`);
      for (const key of ['aopcMorf', 'aopcLerf', 'abpc'] as const) {
        assertNear(panel[key], mine[key], `${s.method} ${measure} ${key}`);
        assertNear(panel.standardErrors[key], mine.standardErrors[key], `${s.method} ${measure} ${key} standard error`);
      }
      assert.equal(panel.images, mine.images);
      for (const order of ['morf', 'lerf'] as const) {
        assert.equal(panel.meanCurves[order].length, mine.meanCurves[order].length);
        panel.meanCurves[order].forEach((v, i) => assertNear(v, mine.meanCurves[order][i], `${s.method} ${measure} mean ${order} point ${i}`));
      }
    }
  });
  assert.equal(shown.verdict?.sentence, engine.verdict.sentence);
  assert.equal(shown.roadVerdict?.sentence, engine.roadVerdict?.sentence);
}

describe('faithfulness section of the comparison', { timeout: 20 * 60_000 }, () => {
  const session = useSession('faithfulness');
  const model = defaultModel();
  let pool: WorkerPool | undefined;

  before(() => {
    if (skip) return;
    const dist = path.join(repoRoot, 'dist');
    pool = new WorkerPool({ size: 1, workerScript: path.join(dist, 'worker.js'), wasmDir: dist });
  });
  after(() => pool?.dispose());

  it('evaluates the seed methods on two images as the engine does, and exports the section', { skip }, async () => {
    const s = session();
    for (const image of IMAGES) await s.workbench.openFile(image);
    await s.workbench.runCommand(contributedCommand('explainImage.compareMethods').paletteLabel);
    const frame = await compareFrame(s, 'methods', `7 methods · ${IMAGES.length} images`);
    await waitFilled(s, frame, [7, 7], 'methods');
    const filled = Date.now();
    assert.equal(await waitSectionSettled(s, frame), 'done');
    const shown = (await sectionNumbers(frame))!;
    console.log(`[faithfulness] 7 methods × 2 images, K = ${shown.steps}: pixel flipping ${shown.ms} ms (host wall time); done ${Date.now() - filled} ms after the figure reported its heatmaps`);
    await scrollToSection(frame);
    await s.workbench.screenshot('faithfulness');

    const engine = await evaluateFaithfulness(pool!, {
      model: { path: model.modelJson },
      images: IMAGES.map((f) => ({ kind: 'file', path: path.join(s.workspace.dir, f) })),
      methods: [...SEED_METHODS],
      preprocess: 'auto',
      road: true,
    });
    assert.equal(shown.status, 'done');
    assert.equal(shown.steps, 20, 'K = 20 by default');
    assert.equal(shown.road, true, 'ROAD runs by itself at 28×28');
    assert.equal(shown.baseline, 'black');
    assertEngineNumbers(shown, engine);
    console.log(`[faithfulness] largest |panel − engine| over the scores, standard errors and mean curves: ${largestDifference}`);
    // The table: a row per method, its title in the row's heading, best ABPC first, the numbers as mean ± s.e.
    const rows = frame.locator('table.faithfulness-table tr');
    const byAbpc = [...engine.summary].sort((a, b) => b.abpc - a.abpc);
    for (const [k, m] of byAbpc.entries()) {
      const row = rows.nth(k + 1);
      assert.equal(await row.locator('th').innerText(), titleText(methodTitle(parseMethodSpec(m.method))), `row ${k} names its method`);
      const cells = await row.locator('td').allTextContents();
      const written = (key: 'aopcMorf' | 'aopcLerf' | 'abpc') => `${formatScore(m[key])} ± ${formatScore(m.standardErrors[key])}`;
      assert.deepEqual(cells.slice(0, 3), [written('aopcMorf'), written('aopcLerf'), written('abpc')], `table row ${k}: ${cells}`);
    }
    // The verdict: two images are too few; it says so and offers dataset samples.
    const verdict = await frame.locator('.faithfulness-verdict').textContent();
    assert.equal(verdict, engine.verdict.sentence);
    assert.match(verdict!, /^A verdict needs at least 5 images \(there are 2\)/);
    assert.ok(await frame.locator('.evaluation-row vscode-button', { hasText: 'Add dataset samples' }).isVisible(), 'it offers to add dataset samples');
    assert.match(await frame.locator('.evaluation-row').innerText(), /28 maps evaluated/);
    // Sorting by a heading reorders the rows: ABPC ascending puts the last method first.
    // (The table is there for screen readers, visually hidden: its heading button is pressed as they press it.)
    await rows.nth(0).locator('button[data-sort="abpc"]').evaluate((button) => (button as HTMLElement).click());
    await waitFor(async () => ((await rows.nth(1).locator('th').innerText()) === titleText(methodTitle(parseMethodSpec(byAbpc[byAbpc.length - 1].method))) ? true : undefined), 10_000);
    // MoRF by default; "LeRF" draws the mean LeRF curves with their bands.
    const charts = async () => JSON.parse((await frame.locator('canvas#figure').getAttribute('data-section-charts')) ?? '[]') as Array<{ kind: string; order?: string; series: number; bands: number; xTicks: string[] }>;
    assert.deepEqual((await charts()).map((c) => [c.kind, c.order, c.series, c.bands]), [['curves', 'morf', 7, 7]]);
    await frame.locator('.evaluation-row button.segment', { hasText: 'LeRF' }).click();
    assert.ok(await waitFor(async () => ((await charts())[0]?.order === 'lerf' ? true : undefined), 10_000), 'the LeRF toggle draws the LeRF curves');
    assert.equal(await frame.locator('.evaluation-row button.segment', { hasText: 'LeRF' }).getAttribute('aria-pressed'), 'true');
    await scrollToSection(frame);
    await s.workbench.screenshot('faithfulness-lerf');
    await frame.locator('.evaluation-row button.segment', { hasText: 'MoRF' }).click();

    // Export: the saved PNG is the canvas, section included, and the section has ink (the chart's lines).
    const figure = frame.locator('canvas#figure');
    const canvasPixels = await readCanvas(figure);
    const sectionTop = Number(await figure.getAttribute('data-section-top'));
    assert.ok(sectionTop > 0 && sectionTop < canvasPixels.height - 200, `section at y = ${sectionTop} of ${canvasPixels.height}`);
    const target = path.join(s.workspace.dir, 'comparison-faithfulness.png');
    await s.workbench.runCommand(contributedCommand('explainImage.exportComparison').paletteLabel);
    await s.workbench.answerSaveDialog(target);
    const png = await waitForPngFile(target);
    assert.ok(png, `no PNG at ${target}`);
    assert.equal(png.signature, canvasPixels.signature, 'the PNG holds exactly the pixels shown, section included');
    const decoded = PNG.sync.read(fs.readFileSync(target));
    const ratio = decoded.height / canvasPixels.height;
    const below = seriesPixels(decoded, Math.round(sectionTop * ratio));
    // The chart's first series colour (Tableau blue, Sensitivity) is drawn under the figure.
    assert.ok(below.get('#4e79a7')! > 50, `too few pixels of the first series in the exported section: ${JSON.stringify([...below])}`);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('runs the randomisation check on request as the engine does; Cancel stops it', { skip }, async () => {
    const s = session();
    const frame = await compareFrame(s, 'methods', `7 methods · ${IMAGES.length} images`);
    const button = frame.locator('.evaluation-row vscode-button', { hasText: 'Randomisation check' });
    await button.click();
    await waitStatus(frame, 'randomisation', 'running', 30_000);
    const started = Date.now();
    await waitStatus(frame, 'randomisation', 'done');
    console.log(`[faithfulness] randomisation check, 7 methods × 2 images: ${Date.now() - started} ms`);
    await scrollToSection(frame);
    await s.workbench.screenshot('randomisation');
    const shown = JSON.parse((await frame.locator('canvas#figure').getAttribute('data-randomisation'))!) as RandomisationView;
    const engine = await randomisationCheck(pool!, {
      model: { path: model.modelJson },
      images: IMAGES.map((f) => ({ kind: 'file', path: path.join(s.workspace.dir, f) })),
      methods: [...SEED_METHODS],
      preprocess: 'auto',
    });
    assert.deepEqual(shown.stepNames, engine.steps.map((st) => (st.layer === null ? 'trained' : `+${st.layer}`)));
    engine.summary.forEach((m, k) => {
      const column = shown.columns[k];
      assert.ok(column, `column ${k} has no ρ`);
      m.spearmanAbs.forEach((rho, i) => assert.ok(Math.abs(column[i] - rho) <= 1e-6, `${m.method} step ${i}: panel ${column[i]}, engine ${rho}`));
      assert.ok(Math.abs(column[0] - 1) < 1e-9, 'step 0 re-draws nothing: ρ = 1');
    });
    // The row of the first method (rows follow the table's sort): its ρ per step, after the verdict column.
    const first = titleText(methodTitle(parseMethodSpec(engine.summary[0].method)));
    const firstRow = await frame.locator('table.faithfulness-table tr', { has: frame.locator('th', { hasText: new RegExp(`^${first}$`) }) }).locator('td').allTextContents();
    assert.deepEqual(firstRow.slice(4), engine.summary[0].spearmanAbs.map(formatRho), 'the table says the first method\'s ρ per step');
    // The chart's x axis names the layers, "trained" and every re-drawn layer.
    const randomisationChart = (JSON.parse((await frame.locator('canvas#figure').getAttribute('data-section-charts'))!) as Array<{ kind: string; xTicks: string[] }>).find((c) => c.kind === 'randomisation');
    assert.ok(randomisationChart, 'the randomisation chart is drawn');
    for (const name of shown.stepNames) assert.ok(randomisationChart.xTicks.includes(name), `the axis names "${name}": ${randomisationChart.xTicks.join(', ')}`);

    // Again, cancelled as soon as it runs: it says so, and the finished check's numbers are gone.
    await armCancel(frame, 'randomisation');
    await button.click();
    await waitStatus(frame, 'randomisation', 'cancelled', 60_000);
    assert.match(await frame.locator('.evaluation-row').innerText(), /Cancelled: not checked/);
    assert.ok(await button.isVisible(), 'the check can be asked for again');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });

  it('follows explainImage.faithfulness.steps; Cancel stops pixel flipping', { skip }, async () => {
    const s = session();
    const frame = await compareFrame(s, 'methods', `7 methods · ${IMAGES.length} images`);
    // K = 784 (a step per pixel): some 40 times the work of K = 20, so Cancel lands while it runs.
    await armCancel(frame, 'faithfulness');
    await s.updateSettings({ 'explainImage.faithfulness.steps': 784 });
    await waitStatus(frame, 'faithfulness', 'cancelled', 120_000);
    const cancelled = (await sectionNumbers(frame))!;
    assert.equal(cancelled.steps, 784);
    assert.ok(cancelled.progress.done < cancelled.progress.total, `cancelled after ${cancelled.progress.done} of ${cancelled.progress.total} maps`);
    assert.match(await frame.locator('.evaluation-row').innerText(), /Cancelled: not evaluated/);
    assert.equal(await frame.locator('table.faithfulness-table tr').count(), 0, 'no numbers after Cancel');
    assert.ok(await frame.locator('.evaluation-row vscode-button', { hasText: 'Evaluate again' }).isVisible(), 'it offers to evaluate again');
    await s.workbench.screenshot('faithfulness-cancelled');

    // Another K: the same maps evaluated again, equal to the engine's with that K.
    await s.updateSettings({ 'explainImage.faithfulness.steps': 10 });
    const shown = await waitFor(async () => {
      const n = await sectionNumbers(frame);
      return n?.status === 'done' && n.steps === 10 ? n : undefined;
    }, 120_000);
    assert.ok(shown, `no evaluation with K = 10: ${JSON.stringify(await sectionNumbers(frame))}`);
    const engine = await evaluateFaithfulness(pool!, {
      model: { path: model.modelJson },
      images: IMAGES.map((f) => ({ kind: 'file', path: path.join(s.workspace.dir, f) })),
      methods: [...SEED_METHODS],
      preprocess: 'auto',
      steps: 10,
      road: true,
    });
    assertEngineNumbers(shown, engine);
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});

/** Scrolls the view down to the section, for the screenshot. */
async function scrollToSection(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    document.querySelector('.figure-scroller')?.scrollTo(0, 1e6);
    window.scrollTo(0, 1e6);
  });
  await new Promise((r) => setTimeout(r, 300));
}

/** Clicks the bar's Cancel the moment the evaluation's status turns "running" (a MutationObserver in the webview). */
async function armCancel(frame: Frame, which: 'faithfulness' | 'randomisation'): Promise<void> {
  await frame.evaluate((attribute) => {
    const row = document.querySelector('.evaluation-row') as HTMLElement;
    const observer = new MutationObserver(() => {
      if (row.dataset[attribute] !== 'running') return;
      observer.disconnect();
      const cancel = [...row.querySelectorAll('vscode-button')].find((b) => b.textContent?.trim() === 'Cancel') as HTMLElement;
      cancel.click();
    });
    observer.observe(row, { attributes: true, attributeFilter: [`data-${attribute}`] });
  }, which);
}

/** How many pixels at or below row `top` have each series colour (exact). */
function seriesPixels(png: PNG, top: number): Map<string, number> {
  const counts = new Map<string, number>([['#4e79a7', 0], ['#f28e2b', 0], ['#e15759', 0]]);
  for (let y = top; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = 4 * (y * png.width + x);
      const hex = `#${[0, 1, 2].map((c) => png.data[i + c].toString(16).padStart(2, '0')).join('')}`;
      if (counts.has(hex)) counts.set(hex, counts.get(hex)! + 1);
    }
  }
  return counts;
}
