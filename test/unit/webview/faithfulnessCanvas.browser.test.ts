// The Faithfulness section as the panel draws it (webview/faithfulnessCanvas.ts over faithfulnessSection.ts
// and the engine's curveChart.ts), in Chromium, in the three theme fixtures (dark, light, high contrast):
// the canvas grows by the section; the section's background is the editor's; axes and tick marks are
// exactly the theme's foreground; every segment of every curve is its series colour where the layout put
// it; the legend's swatches likewise; the figure above is drawn exactly as without the section. Skipped
// when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import type { CurveChartLayout } from '../../../src/engine/figure/curveChart';
import type { FigureLayout } from '../../../src/engine/figure/layout';
import type { FaithfulnessView } from '../../../src/protocol/faithfulnessView';
import type { CompareViewState } from '../../../src/protocol/webviewMessages';
import type { SectionLayout } from '../../../webview/faithfulnessSection';
import type { CanvasTheme } from '../../../webview/theme';
import { bundle, launchChromium, noChromium, PAGE_TYPED_HELPERS, serve, tagTyped } from './browser';
import { compareCellHeatmap, compareState, SEED_COLUMNS } from './fixtures';
import { THEMES, type ThemeName } from './themes';

const repo = path.resolve(__dirname, '../../..');
const out = path.join(repo, 'artifacts/faithfulness-canvas');
const CELL = 112;

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serve>> | undefined;

before(async () => {
  if (noChromium) return;
  await bundle({ faithfulnessProbe: path.join(__dirname, 'faithfulnessProbe.ts') }, out);
  fs.writeFileSync(path.join(out, 'probe.html'), `<!DOCTYPE html><html><head><meta charset="UTF-8"><script>${PAGE_TYPED_HELPERS}</script></head><body><script src="faithfulnessProbe.js"></script></body></html>`);
  server = await serve(out);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Made-up mean curves that fan out (each method's logit falls at its own pace), so none hides another; a
 *  band of ± 0.3 around each. */
function faithfulness(): FaithfulnessView {
  return {
    status: 'done',
    steps: 20,
    images: 6,
    progress: { done: 14, total: 14 },
    ms: 135,
    columns: SEED_COLUMNS.map((_, k) => {
      const morf = Array.from({ length: 21 }, (_, i) => 14 - i * (k + 1) * 0.5);
      const band = morf.map(() => 0.3);
      return {
        aopcMorf: 10 + k / 3,
        aopcLerf: 1 - k / 5,
        abpc: 9 + k / 2,
        images: 6,
        standardErrors: { aopcMorf: 0.4, aopcLerf: 0.2, abpc: 0.5 },
        meanCurves: { morf, lerf: morf.map((v) => 28 - v) },
        curveErrors: { morf: band, lerf: band },
      };
    }),
    baseline: 'black',
    baselineText: 'pixels set to black (0 in the image), i.e. 0 in the model input',
    patch: 1,
    road: false,
    contrastRows: 0,
    verdict: { sentence: 'Most faithful on these 6 images: LRP-α2β1 (ABPC 12 ± 0.5); the other 6 methods are worse (p < 0.05).', images: 6, enough: true, leader: 6, tied: [], worse: [0, 1, 2, 3, 4, 5] },
  };
}

function state(withSection: boolean): CompareViewState {
  const s = compareState();
  s.rows.forEach((row, r) => (row.cells = SEED_COLUMNS.map((_, c) => ({ heatmap: compareCellHeatmap(r, c) }))));
  return { ...s, running: false, ...(withSection ? { faithfulness: faithfulness() } : {}) };
}

interface Drawn {
  theme: CanvasTheme;
  figure: FigureLayout;
  section?: SectionLayout;
  width: number;
  height: number;
  rgba: Uint8Array;
}

async function draw(s: CompareViewState, theme: ThemeName): Promise<Drawn> {
  const page = await browser!.newPage();
  try {
    await page.goto(`${server!.origin}/probe.html`);
    const drawn = (await page.evaluate(([st, cell, vars]) => (window as any).faithfulnessProbe.draw((window as any).__untag(st), cell, vars), [tagTyped(s), CELL, THEMES[theme].vars] as const)) as Omit<Drawn, 'rgba'> & { png: string };
    const png = PNG.sync.read(Buffer.from(drawn.png.replace(/^data:image\/png;base64,/, ''), 'base64'));
    return { ...drawn, rgba: Uint8Array.from(png.data) };
  } finally {
    await page.close();
  }
}

const hex = (c: string) => {
  const m = /^#([0-9a-f]{6})$/i.exec(c.trim());
  assert.ok(m, `not a #rrggbb colour: ${c}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

for (const theme of ['dark', 'light', 'hc'] as const) {
  test(`the section in the ${theme} theme: its colours, the curves where the layout puts them`, { skip: noChromium }, async () => {
    const [plain, drawn] = [await draw(state(false), theme), await draw(state(true), theme)];
    const section = drawn.section!;
    assert.ok(section, 'a methods comparison with its evaluation begun has a section');
    assert.equal(drawn.height, Math.round(section.top + section.height));
    assert.equal(section.top, plain.height, 'the section starts where the figure ends');
    const px = (x: number, y: number) => [0, 1, 2].map((c) => drawn.rgba[4 * (Math.round(y) * drawn.width + Math.round(x)) + c]);
    const close = (a: number[], b: number[], slack: number) => a.every((v, c) => Math.abs(v - b[c]) <= slack);

    // The figure above the section: the same pixels as the figure drawn alone.
    for (let i = 0; i < 4 * plain.width * plain.height; i++) {
      const [x, y] = [(i >> 2) % plain.width, Math.floor((i >> 2) / plain.width)];
      if (drawn.rgba[4 * (y * drawn.width + x) + (i & 3)] !== plain.rgba[i]) assert.fail(`figure pixel (${x}, ${y}) changed by the section`);
    }
    const background = hex(drawn.theme.background);
    assert.deepEqual(px(2, section.top + section.height - 2), background, 'section background = editor background');

    for (const chart of section.charts) {
      const at = (x: number, y: number) => px(chart.x + x, chart.y + y);
      const layout: CurveChartLayout = chart.layout;
      const foreground = hex(drawn.theme.foreground);
      // Axes: crisp 1-px lines of the foreground colour (sampled between the ticks).
      const [xAxis, yAxis] = layout.axes;
      assert.deepEqual(at((xAxis.x1 + xAxis.x2) / 2 + 3, xAxis.y1), foreground, 'x axis');
      assert.deepEqual(at(yAxis.x1, (yAxis.y1 + yAxis.y2) / 2 + 3), foreground, 'y axis');
      // Every segment's middle has its series colour (anti-aliased edges aside: within 40 per channel).
      layout.lines.forEach((line, i) => {
        const colour = hex(line.color);
        let hits = 0;
        for (let k = 1; k < line.points.length; k++) {
          const [a, b] = [line.points[k - 1], line.points[k]];
          // Segments crossed by a later series are checked by that one.
          if (close(at((a.x + b.x) / 2, (a.y + b.y) / 2), colour, 40)) hits++;
        }
        assert.ok(hits >= (line.points.length - 1) * 0.8, `series ${i} (${line.color}) shows at ${hits} of ${line.points.length - 1} segment middles`);
      });
      layout.legendSwatches.forEach(({ color, segment }) => assert.ok(close(at((segment.x1 + segment.x2) / 2, segment.y1), hex(color), 2), `legend swatch ${color}`));
    }
    const image = new PNG({ width: drawn.width, height: drawn.height });
    image.data.set(drawn.rgba);
    fs.writeFileSync(path.join(out, `section-${theme}.png`), PNG.sync.write(image));
  });
}
