// The explain view's display findings in Chromium under the real CSP: the overlay's opacity following
// |R| (checked on the pixels drawn), the single-heatmap export as a figure (method, class, colour bar,
// scale) or the bare map, "Use everywhere", and a narrow editor (400 px) that keeps the prediction above
// the heatmap and on screen. Skipped when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { colorBar } from '../../../src/engine/heatmap/colorBar';
import { colormap } from '../../../src/engine/heatmap/colormaps';
import { relevanceScale } from '../../../src/engine/heatmap/normalize';
import type { FromWebview } from '../../../src/protocol/webviewMessages';
import { displayedHeatmap, upscale } from '../../../webview/heatmap/rasterize';
import { explainMessages, explainState } from './fixtures';
import { cropRgba, cspViolations, decodePng, exportedMapRect, lastPosted, open, out, posted, send, sendAll, settle, skip, usePanelPages } from './panelPage';
import { validateWebviewMessage } from '../../../src/host/validateWebviewMessage';

usePanelPages('display');

/** The export the view sends in reply to request-export `id`, decoded. */
async function exportedPixels(page: Awaited<ReturnType<typeof open>>['page'], id: number) {
  await send(page, { type: 'request-export', messageId: id });
  await page.waitForFunction((n) => (window as any).__posted.some((m: FromWebview) => m.type === 'export' && m.inReplyTo === n), id);
  const message = (await posted(page)).find((m) => m.type === 'export' && m.inReplyTo === id) as Extract<FromWebview, { type: 'export' }>;
  return decodePng(message.png);
}

test('overlay opacity follows |R|: the option is posted, and the pixels drawn are opacity·|R|/scale blends', { skip }, async () => {
  const { page, errors } = await open('explain', 'dark');
  const state = explainState();
  const overlay = { ...state.display, overlay: true, opacity: 0.8, normalization: { kind: 'max' as const } };
  await sendAll(page, explainMessages({ ...state, display: overlay }));
  await page.waitForSelector('#prediction');
  await settle(page);
  const box = page.locator('#opacity-by-relevance');
  assert.equal(await box.evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), false, 'offered while the overlay is on');
  await box.evaluate((b) => {
    (b as HTMLElement & { checked: boolean }).checked = true;
    b.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.deepEqual(await lastPosted(page, 'set-display'), { type: 'set-display', display: { opacityByRelevance: true } });
  await settle(page);
  // The bare map (With legend unchecked): the export is the heatmap canvas itself.
  await page.locator('#export-legend').evaluate((b) => {
    (b as HTMLElement & { checked: boolean }).checked = false;
    b.dispatchEvent(new Event('change', { bubbles: true }));
  });
  const png = await exportedPixels(page, 11);
  assert.deepEqual([png.width, png.height], [280, 280], 'unchecked: the map alone');
  assert.equal(await page.getAttribute('#heatmap', 'data-export-map'), null);
  // The choice is kept in the webview's state (VS Code gives it back after a reload)...
  const kept = await page.evaluate(() => (window as any).__state);
  assert.equal(kept?.exportLegend, false, `the saved state: ${JSON.stringify(kept)?.slice(0, 200)}`);
  // ...and a reloaded panel starts unchecked and exports the bare map.
  const reloaded = await open('explain', 'dark', 1100, 760, kept);
  await sendAll(reloaded.page, explainMessages({ ...state, display: overlay }));
  await reloaded.page.waitForSelector('#prediction');
  await settle(reloaded.page);
  assert.equal(await reloaded.page.locator('#export-legend').evaluate((b) => (b as HTMLElement & { checked: boolean }).checked), false, 'unchecked after the reload');
  const again = await exportedPixels(reloaded.page, 12);
  assert.deepEqual([again.width, again.height], [280, 280], 'after the reload: the map alone');
  assert.deepEqual(reloaded.errors, []);
  await reloaded.page.close();
  const image = state.images[0];
  const heat = image.heatmap!;
  const expected = upscale(displayedHeatmap(heat.relevance, heat.shape, image.input, { ...overlay, opacityByRelevance: true }), 10);
  assert.ok(Buffer.from(expected.data).equals(png.data), 'the canvas is the engine\'s blend');

  // Independently of the renderer: a pixel without relevance shows the input; the largest |R| gets the
  // slider's opacity; one in between its share.
  const scale = relevanceScale(heat.relevance, { kind: 'max' });
  const at = (i: number) => {
    const [x, y] = [(i % 28) * 10 + 5, Math.floor(i / 28) * 10 + 5];
    return Array.from(png.data.subarray((y * 280 + x) * 4, (y * 280 + x) * 4 + 3));
  };
  const input = image.input!.pixels;
  const zero = heat.relevance.findIndex((r) => r === 0);
  assert.ok(zero >= 0, 'the map has pixels without relevance');
  assert.deepEqual(at(zero), [input[zero], input[zero], input[zero]], 'no relevance: the input shows through unchanged');
  let strongest = 0;
  heat.relevance.forEach((r, i) => (Math.abs(r) > Math.abs(heat.relevance[strongest]) ? (strongest = i) : 0));
  const plain = upscale(displayedHeatmap(heat.relevance, heat.shape, image.input, overlay), 10);
  const plainAt = (i: number) => {
    const [x, y] = [(i % 28) * 10 + 5, Math.floor(i / 28) * 10 + 5];
    return Array.from(plain.data.subarray((y * 280 + x) * 4, (y * 280 + x) * 4 + 3));
  };
  assert.deepEqual(at(strongest), plainAt(strongest), 'the largest |R|: the slider\'s opacity, as without the option');
  // Half of the maximum: half the slider's opacity over the input.
  const half = heat.relevance.findIndex((r) => Math.abs(Math.abs(r) / scale - 0.5) < 0.1);
  assert.ok(half >= 0);
  const a = 0.8 * (Math.abs(heat.relevance[half]) / scale);
  const heatOnly = upscale(displayedHeatmap(heat.relevance, heat.shape, image.input, { ...overlay, overlay: false }), 10);
  const [x, y] = [(half % 28) * 10 + 5, Math.floor(half / 28) * 10 + 5];
  const colour = Array.from(heatOnly.data.subarray((y * 280 + x) * 4, (y * 280 + x) * 4 + 3));
  at(half).forEach((v, c) => assert.ok(Math.abs(v - (a * colour[c] + (1 - a) * input[half])) <= 0.5 + 1e-9, `channel ${c}: ${v}`));
  await page.screenshot({ path: path.join(out, 'display', 'explain-opacity-by-relevance.png'), fullPage: true });
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a narrow editor (400 px) shows the prediction above the heatmap, on the first screen', { skip }, async () => {
  for (const [width, height] of [[400, 760], [600, 700]]) {
    const { page, errors } = await open('explain', 'light', width, height);
    await sendAll(page, explainMessages(explainState()));
    await page.waitForSelector('#prediction');
    await settle(page);
    const prediction = (await page.locator('#prediction').boundingBox())!;
    const heatmap = (await page.locator('#heatmap').boundingBox())!;
    assert.ok(prediction.y + prediction.height <= height, `${width} px: the prediction is on the first screen (bottom ${prediction.y + prediction.height})`);
    assert.ok(prediction.y + prediction.height <= heatmap.y, `${width} px: the prediction (${prediction.y}) is above the heatmap (${heatmap.y})`);
    assert.ok(prediction.x + prediction.width <= width, `${width} px: not cut at the right`);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width + 1, `${width} px: no sideways scrolling (${scrollWidth})`);
    await page.screenshot({ path: path.join(out, 'display', `explain-narrow-${width}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  }
  // Wide: the prediction beside the heatmap, as before.
  const { page } = await open('explain', 'light', 1100, 760);
  await sendAll(page, explainMessages(explainState()));
  await page.waitForSelector('#prediction');
  await settle(page);
  const prediction = (await page.locator('#prediction').boundingBox())!;
  const heatmap = (await page.locator('#heatmap').boundingBox())!;
  assert.ok(prediction.x >= heatmap.x + heatmap.width, 'wide: beside the heatmap, to its right');
  await page.close();
});

test('the heatmap export is a figure: method and class above, the map as shown, the colour bar and its scale', { skip }, async () => {
  const { page, errors } = await open('explain', 'light');
  const state = explainState();
  await sendAll(page, explainMessages(state));
  await page.waitForSelector('#prediction');
  await settle(page);
  assert.equal(await page.locator('#export-legend').evaluate((b) => (b as HTMLElement & { checked: boolean }).checked), true, 'with the legend by default');
  // The Export button: the host is offered the figure (it then asks where to save: showSaveDialog).
  await page.click('vscode-button[icon="desktop-download"]');
  const exported = await lastPosted(page, 'export');
  assert.equal(exported.suggestedName, 'seven-lrp-ab-alpha-2-beta-1-class-7.png');
  const png = decodePng(exported.png);
  const map = (await exportedMapRect(page))!;
  const heat = state.images[0].heatmap!;
  const expected = upscale(displayedHeatmap(heat.relevance, heat.shape, state.images[0].input, state.display), 10);
  assert.ok(Buffer.from(expected.data).equals(cropRgba(png, map)), 'the map is the panel\'s, pixel for pixel');
  require('node:fs').writeFileSync(path.join(out, 'display', 'explain-export-figure.png'), exported.png);
  // Under the map, the colour bar: every row of it the engine's bwr strip, blue to white to red.
  const bar = (await page.getAttribute('#heatmap', 'data-export-bar'))!.split(',').map(Number);
  assert.ok(bar[1] > map[1] + map[3], 'the bar is under the map');
  const strip = Buffer.from(colorBar('bwr', bar[2], 1).data);
  for (let row = 0; row < bar[3]; row++) assert.ok(cropRgba(png, [bar[0], bar[1] + row, bar[2], 1]).equals(strip), `bar row ${row} is the colour map`);
  assert.deepEqual(Array.from(strip.subarray(0, 3)), Array.from(colormap('bwr').rgbAt(0)), 'its left end is the map\'s low end');
  const pixel = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));
  const barY = bar[1] + bar[3];
  // The texts: the method title above the map, the scale below the bar (the theme's foreground on its background).
  const inkRows = (from: number, to: number) => {
    let rows = 0;
    for (let y = from; y < to; y++) {
      for (let x = 0; x < png.width; x++) {
        const [r, g, b] = pixel(x, y);
        if (r < 120 && g < 120 && b < 120) {
          rows++;
          break;
        }
      }
    }
    return rows;
  };
  assert.ok(inkRows(0, map[1]) >= 8, 'a title above the map');
  assert.ok(inkRows(barY + 12, png.height) >= 8, 'labels and the scale under the bar');
  await page.screenshot({ path: path.join(out, 'display', 'explain-export-page.png') });
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('"Use everywhere" asks the host to apply this panel\'s display everywhere', { skip }, async () => {
  const { page, errors } = await open('explain', 'dark');
  await sendAll(page, explainMessages(explainState()));
  await page.waitForSelector('#prediction');
  await page.click('#use-everywhere');
  const message = await lastPosted(page, 'use-display-everywhere');
  assert.deepEqual(message, { type: 'use-display-everywhere' });
  assert.ok(validateWebviewMessage(message));
  assert.deepEqual(errors, []);
  await page.close();
});
