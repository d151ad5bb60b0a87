// The comparison view as the scenarios find it: its content frame (by title and counts) and a wait for
// its figure to report every heatmap drawn.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { waitFor, type Session } from './session';

/**
 * The content frame of the comparison view titled "Compare methods" / "Compare models" whose header
 * counts (e.g. "7 methods · 2 images") are `counts`.
 */
export async function compareFrame(s: Session, kind: 'methods' | 'models', counts: string, timeoutMs = 60_000): Promise<Frame> {
  const textOf = async (f: Frame, selector: string) => {
    const element = f.locator(selector).first();
    return Promise.race([
      element.count().then((n) => (n > 0 ? element.innerText({ timeout: 1000 }) : '')),
      new Promise<string>((r) => setTimeout(() => r(''), 1000)),
    ]).catch(() => '');
  };
  const frame = await waitFor(async () => {
    for (const f of s.page.frames()) {
      if (f === s.page.mainFrame() || f.isDetached()) continue;
      if ((await textOf(f, 'h1.figure-title')).trim() !== `Compare ${kind}`) continue;
      if ((await textOf(f, '.panel-header .muted')).trim() === counts) return f;
    }
    return undefined;
  }, timeoutMs);
  if (!frame) throw new Error(`no "Compare ${kind}" view of ${counts} after ${timeoutMs} ms; webviews say ${JSON.stringify(await s.workbench.webviewTexts())}`);
  return frame;
}

/** Waits until the figure reports `expected` heatmaps per row; returns how long that took. */
export async function waitFilled(s: Session, frame: Frame, expected: number[], what: string): Promise<number> {
  const started = Date.now();
  const figure = frame.locator('canvas#figure');
  let last: string | null = null;
  const done = await waitFor(async () => {
    last = await figure.getAttribute('data-filled-cells');
    return last === JSON.stringify(expected) ? true : undefined;
  }, 180_000);
  if (!done) {
    await s.workbench.screenshot(`${what}-not-filled`);
    assert.fail(`the ${what} figure reports data-filled-cells=${last}, expected ${JSON.stringify(expected)} (webview: ${JSON.stringify(await s.workbench.webviewTexts())})`);
  }
  return Date.now() - started;
}


/**
 * Waits until a methods comparison's Faithfulness section has finished (done, cancelled or failed) after
 * its heatmaps: only then is the canvas final (the section is drawn under the figure). Returns its status.
 */
export async function waitSectionSettled(s: Session, frame: Frame, timeoutMs = 240_000): Promise<string> {
  const row = frame.locator('.evaluation-row');
  let last: string | null = null;
  const status = await waitFor(async () => {
    last = await row.getAttribute('data-faithfulness');
    return last === 'done' || last === 'cancelled' || last === 'failed' ? last : undefined;
  }, timeoutMs);
  if (!status) {
    await s.workbench.screenshot('faithfulness-not-settled');
    assert.fail(`the Faithfulness section is "${last}" after ${timeoutMs} ms`);
  }
  return status;
}
