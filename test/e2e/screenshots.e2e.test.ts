// The README's pictures, taken from a real VS Code: the explain panel on a digit, and Compare Methods on
// five digits (the seed figure with its Faithfulness section). Each screenshot is checked to show what it is
// for: the heatmap canvas (or the figure) is on screen and its red/blue relevance colours are in the
// screenshot's pixels there. In the e2e suite they go to artifacts/e2e/readme-*.png; `npm run screenshots`
// (scripts/screenshots.mjs) runs this file with EXPLAIN_IMAGE_SCREENSHOTS_DIR=docs/images to refresh the
// committed ones (test/unit/docs/docs.test.ts checks those exist and are referenced by the README).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import type { Locator } from 'playwright-core';
import { compareFrame, waitFilled, waitSectionSettled } from './harness/comparePanel';
import { ExplainPanelPage } from './harness/explainPanel';
import { contributedCommand } from './harness/manifest';
import { artifactsDir } from './harness/paths';
import { e2eSkip, useSession, type Session } from './harness/session';

const skip = e2eSkip();
const OUT = path.resolve(process.env.EXPLAIN_IMAGE_SCREENSHOTS_DIR ?? artifactsDir);
// Five digits: the fewest for which the Faithfulness section gives a verdict.
const COMPARED = ['mnist-7-0000.png', 'mnist-2-0001.png', 'mnist-1-0002.png', 'mnist-0-0003.png', 'mnist-4-0004.png'];

/** Pixels of a bwr heatmap that are clearly red or blue (not white, grey or the theme's colours). */
function relevancePixels(png: PNG, box: { x: number; y: number; width: number; height: number }): { coloured: number; total: number } {
  let coloured = 0;
  let total = 0;
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(png.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(png.height, Math.ceil(box.y + box.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (Math.abs(r - b) > 60 && g < Math.max(r, b) - 30) coloured++;
      total++;
    }
  }
  return { coloured, total };
}

/**
 * Saves the window down to the bottom of `content` (the rest is empty editor) as `<name>.png` in OUT and
 * checks that `shown` is on it with relevance colours.
 */
async function shoot(s: Session, name: string, shown: Locator, content: Locator, minShare: number): Promise<void> {
  const box = await shown.boundingBox();
  assert.ok(box && box.width > 50 && box.height > 50, `${name}: the element is not on screen (${JSON.stringify(box)})`);
  fs.mkdirSync(OUT, { recursive: true });
  // In artifacts/e2e/ beside the other scenarios' screenshots, named for what they are for.
  const file = path.join(OUT, OUT === artifactsDir ? `readme-${name}.png` : `${name}.png`);
  const viewport = s.page.viewportSize()!;
  const bottom = ((await content.boundingBox()) ?? { y: 0, height: viewport.height }) as { y: number; height: number };
  const height = Math.min(viewport.height, Math.max(box.y + box.height, bottom.y + bottom.height) + 24);
  await s.page.screenshot({ path: file, clip: { x: 0, y: 0, width: viewport.width, height: Math.round(height) } });
  const png = PNG.sync.read(fs.readFileSync(file));
  const { coloured, total } = relevancePixels(png, box);
  assert.ok(coloured >= minShare * total, `${file}: only ${coloured} of ${total} pixels where it is shown are red or blue`);
  console.log(`[screenshots] ${file}: ${png.width}×${png.height}, ${coloured} of ${total} pixels of relevance colour`);
}

/** The tab `label` alone in the window: its editor group maximised, the side bars hidden. */
async function showAlone(s: Session, label: RegExp): Promise<void> {
  await s.workbench.activateTab(label);
  await s.workbench.runCommand('View: Maximize Editor Group and Hide Side Bars');
  await s.page.waitForTimeout(1500); // the panel lays itself out for its new width
}

/** A session of its own per picture: the window layout one picture sets (maximised, side bars hidden) does not
 *  carry over to the next. */
function pictureSession(scenario: string, height: number): () => Session {
  const session = useSession(scenario);
  before(async () => {
    if (!skip) await session().page.setViewportSize({ width: 1400, height });
  });
  return session;
}

describe('README screenshot: the explain panel', { timeout: 10 * 60_000 }, () => {
  const session = pictureSession('screenshots-panel', 1000);

  it('the explain panel on a digit', { skip }, async () => {
    const s = session();
    await s.workbench.runExplorerContextMenu('mnist-7-0000.png', contributedCommand('explainImage.explain').title);
    const panel = new ExplainPanelPage(s.workbench);
    await panel.waitUntil('the heatmap of the 7', (r) => !r.busy && !!r.prediction?.includes('7') && (r.heatmap?.nonBackground ?? 0) > 100, 120_000);
    const frame = await panel.frame();
    await showAlone(s, /^Explain: mnist-7-0000/);
    await shoot(s, 'panel', frame.locator('canvas#heatmap'), frame.locator('#app'), 0.02);
  });
});

describe('README screenshot: Compare Methods', { timeout: 10 * 60_000 }, () => {
  // Tall enough for the figure and, under it on the same canvas, the Faithfulness section's verdict and table.
  const session = pictureSession('screenshots-compare', 2300);

  it('Compare Methods on five digits', { skip }, async () => {
    const s = session();
    for (const image of COMPARED) await s.workbench.openFile(image);
    await s.workbench.runCommand(contributedCommand('explainImage.compareMethods').paletteLabel);
    const frame = await compareFrame(s, 'methods', `7 methods · ${COMPARED.length} images`);
    await waitFilled(s, frame, COMPARED.map(() => 7), 'methods');
    await waitSectionSettled(s, frame);
    await showAlone(s, /^Compare methods/);
    await shoot(s, 'compare', frame.locator('canvas#figure'), frame.locator('canvas#figure'), 0.01);
  });
});
