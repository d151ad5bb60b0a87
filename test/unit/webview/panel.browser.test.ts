// Loads the bundled webview in Debian's Chromium under the panel's real CSP, with a stand-in for
// acquireVsCodeApi and VS Code's theme variables, and checks what the user gets: no CSP violations, the
// heatmap, the prediction, keyboard use, persisted state, and an export whose PNG pixels equal the pure
// rasterisation. Screenshots (dark, light, high contrast) go to artifacts/webview/ for a human look.
// Skipped when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { validateWebviewMessage } from '../../../src/host/validateWebviewMessage';
import type { FromWebview, ToWebview } from '../../../src/protocol/webviewMessages';
import { displayedHeatmap, heatmapRgba, integerScale, upscale } from '../../../webview/heatmap/rasterize';
import { cropRgba, cspViolations, decodePng, exportedMapRect, lastPosted, open, out, posted, send, sendAll, settle, skip, usePanelPages } from './panelPage';
import { compareCellHeatmap, compareState, explainMessages, explainState, SEED_COLUMNS } from './fixtures';
import type { ThemeName } from './themes';

usePanelPages();

test('explain view: renders the state under the CSP, keyboard works, export equals the pure pixels', { skip }, async () => {
  const { page, errors } = await open('explain', 'dark');
  const state = explainState();
  await sendAll(page, explainMessages(state));
  await page.waitForSelector('#prediction');
  await settle(page);

  assert.equal(await page.textContent('#prediction'), '7');
  assert.equal(await page.getAttribute('#heatmap', 'aria-label'), 'Heatmap of LRP-α2β1 for class 7');
  assert.equal(await page.locator('.method-title sub').count(), 2);
  assert.equal(await page.textContent('.readout'), `Σ R = ${state.images[0].heatmap!.relevanceSum.toFixed(2)} · logit 7.95`);
  assert.equal(await page.locator('.thumb').count(), 3);
  assert.equal(await page.locator('.colorbar-label sub').count(), 2);

  // Pointing at a pixel reads its relevance: (x 15, y 10) is at 10× → CSS (155, 105) inside the canvas.
  await page.hover('#heatmap', { position: { x: 155, y: 105 } });
  const r = state.images[0].heatmap!.relevance[10 * 28 + 15];
  assert.equal(await page.textContent('.pixel-readout'), `Pixel (15, 10): R = ${r >= 0 ? '+' : ''}${r.toPrecision(3)} · input ${state.images[0].input!.pixels[10 * 28 + 15]}`);

  // Persisted for the serializer.
  const saved = await page.evaluate(() => (window as any).__state);
  assert.deepEqual(saved, {
    view: 'explain',
    images: ['seven.png', 'two.png', 'broken.png'],
    selected: 0,
    target: null,
    display: state.display,
    model: 'mnist-cnn',
    method: 'lrp-ab:alpha=2,beta=1',
    exportLegend: true,
    restore: state.restore,
  });

  // Keyboard: Tab reaches a class button; Enter on it asks for that target.
  let reached = '';
  for (let i = 0; i < 40 && !reached.startsWith('class-'); i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.focusKey ?? '');
  }
  assert.match(reached, /^class-\d$/, 'Tab reaches the class list');
  await page.focus('[data-focus-key="class-9"]');
  await page.keyboard.press('Enter');
  assert.deepEqual(await lastPosted(page, 'select-target'), { type: 'select-target', target: 9 });
  await page.focus('[data-focus-key="thumb-0"]');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await lastPosted(page, 'select-image'), { type: 'select-image', index: 1 });
  await sendAll(page, explainMessages(state));
  await settle(page);

  // Export (the button) and request-export: valid messages whose PNG is exactly the rasterised heatmap.
  await page.click('vscode-button[icon="desktop-download"]');
  const exported = await lastPosted(page, 'export');
  assert.equal(exported.inReplyTo, undefined, 'offered, not asked for');
  assert.equal(exported.suggestedName, 'seven-lrp-ab-alpha-2-beta-1-class-7.png');
  assert.ok(validateWebviewMessage(exported), 'the export passes the host validator');
  const heat = state.images[0].heatmap!;
  const expected = upscale(displayedHeatmap(heat.relevance, heat.shape, state.images[0].input, state.display), integerScale(28, 28, 280));
  // ... and the engine renders the same (its scale option instead of upscale): the CLI's pixels.
  assert.ok(Buffer.from(heatmapRgba(heat.relevance, heat.shape, state.display, 10).data).equals(Buffer.from(expected.data)));
  // The export is a figure (legend on by default) whose map is the 280×280 canvas, pixel for pixel.
  const png = decodePng(exported.png);
  const mapRect = await exportedMapRect(page);
  assert.ok(mapRect, 'the export says where its map is');
  assert.deepEqual(mapRect.slice(2), [280, 280]);
  assert.ok(png.width > 280 && png.height > 280, `a figure around the map: ${png.width}×${png.height}`);
  assert.ok(Buffer.from(expected.data).equals(cropRgba(png, mapRect)), 'exported map pixels equal heatmapRgba → upscale');

  // Overlay: a display change redraws at once, is posted, and the next export includes the input.
  await page.evaluate(() => {
    const box = document.querySelector('vscode-checkbox') as HTMLElement & { checked: boolean };
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.deepEqual(await lastPosted(page, 'set-display'), { type: 'set-display', display: { overlay: true } });
  await send(page, { type: 'request-export', messageId: 5 });
  await page.waitForFunction(() => (window as any).__posted.some((m: FromWebview) => m.type === 'export' && m.inReplyTo === 5));
  const overlaid = (await posted(page)).find((m) => m.type === 'export' && m.inReplyTo === 5) as Extract<FromWebview, { type: 'export' }>;
  const overlayExpected = upscale(displayedHeatmap(heat.relevance, heat.shape, state.images[0].input, { ...state.display, overlay: true }), 10);
  assert.ok(Buffer.from(overlayExpected.data).equals(cropRgba(decodePng(overlaid.png), (await exportedMapRect(page))!)), 'overlay export equals the pure blend');

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('explain view: errors show in the panel with Retry, the rest stays usable', { skip }, async () => {
  const { page, errors } = await open('explain', 'light');
  const state = { ...explainState(), selected: 2, error: 'The model file mnist-cnn/model.json is not valid JSON' };
  await sendAll(page, explainMessages(state));
  await page.waitForSelector('[role="alert"]');
  assert.equal(await page.locator('[role="alert"]').count(), 2); // panel error + the failed image
  assert.match((await page.textContent('.alert-slot [role="alert"]')) ?? '', /not valid JSON/);
  assert.match((await page.textContent('.image-error-slot [role="alert"]')) ?? '', /broken\.png: not an image/);
  await page.click('.alert-slot vscode-button');
  assert.deepEqual(await lastPosted(page, 'retry'), { type: 'retry' });
  await page.click('[data-focus-key="thumb-0"]');
  assert.deepEqual(await lastPosted(page, 'select-image'), { type: 'select-image', index: 0 });
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('compare view: the seed figure fills row by row, counts filled cells, exports its canvas', { skip }, async () => {
  const { page, errors } = await open('compare', 'dark', 1280, 620);
  const initial = compareState();
  await send(page, { type: 'compare-state', state: initial });
  await page.waitForSelector('#figure[data-filled-cells]');
  assert.equal(await page.getAttribute('#figure', 'data-filled-cells'), '[0,0]');
  assert.equal(await page.locator('.cell-placeholder.running').count(), 14);
  // A row's cells as its job (or jobs, one per model) filled them: the first `filled` columns.
  let done = 0;
  const sendRow = async (row: number, filled: number) => {
    done = row * SEED_COLUMNS.length + filled;
    const { name, input, label } = initial.rows[row];
    const cells = SEED_COLUMNS.map((_, column) => (column < filled ? { heatmap: compareCellHeatmap(row, column) } : null));
    await send(page, { type: 'compare-row', row, name, input, label, cells, progress: { done, total: 14 } });
  };
  await sendRow(0, 3);
  await settle(page);
  assert.equal(await page.getAttribute('#figure', 'data-filled-cells'), '[3,0]');
  assert.equal(await page.textContent('.progress-text'), '3 / 14');
  await page.screenshot({ path: path.join(out, 'compare-dark-running.png'), fullPage: true });
  await page.click('.progress-row vscode-button');
  assert.deepEqual(await lastPosted(page, 'cancel'), { type: 'cancel' });
  for (let r = 0; r < 2; r++) await sendRow(r, SEED_COLUMNS.length);
  await settle(page);
  assert.equal(await page.getAttribute('#figure', 'data-filled-cells'), '[7,7]');
  assert.equal(await page.locator('.cell-placeholder').count(), 0);

  await send(page, { type: 'request-export', messageId: 3 });
  const exported = await lastPosted(page, 'export');
  assert.equal(exported.inReplyTo, 3);
  assert.ok(validateWebviewMessage(exported));
  const png = decodePng(exported.png);
  const size = await page.evaluate(() => [(document.getElementById('figure') as HTMLCanvasElement).width, (document.getElementById('figure') as HTMLCanvasElement).height]);
  assert.deepEqual([png.width, png.height], size, 'the export is the whole figure canvas');
  let red = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 255 && png.data[i + 1] < 60 && png.data[i + 2] < 60) red++;
  assert.ok(red > 14 * 100, `saturated red pixels in the heatmaps (${red})`);
  // What the screen shows is what was exported.
  const shown = PNG.sync.read(await page.locator('#figure').screenshot());
  assert.deepEqual([shown.width, shown.height], [png.width, png.height]);
  assert.ok(shown.data.equals(png.data), 'the on-screen canvas and the export have the same pixels');

  // A failed cell: no longer counted as filled, its message readable in the canvas tooltip.
  const { name, input, label } = initial.rows[1];
  const cells = SEED_COLUMNS.map((_, column) => (column === 6 ? { error: 'LRP-α2β1 needs a Dense or Conv2D layer' } : { heatmap: compareCellHeatmap(1, column) }));
  await send(page, { type: 'compare-row', row: 1, name, input, label, cells, progress: { done: 14, total: 14 } });
  await settle(page);
  assert.equal(await page.getAttribute('#figure', 'data-filled-cells'), '[7,6]');
  // The failed cell is the last of the last row: half a cell (56 px at 4×) in from the right padding (16 px);
  // scan upwards from the colour bar until the pointer is over it.
  const box = (await page.locator('#figure').boundingBox())!;
  let tooltip = '';
  for (let y = box.height - 60; y > 0 && !tooltip.includes('needs a Dense'); y -= 10) {
    await page.mouse.move(box.x + box.width - 16 - 56, box.y + y);
    tooltip = (await page.getAttribute('#figure', 'title')) ?? '';
  }
  assert.equal(tooltip, 'FashionMNIST · LRP-α2β1: LRP-α2β1 needs a Dense or Conv2D layer');
  await page.screenshot({ path: path.join(out, 'compare-dark-failed-cell.png'), fullPage: true });
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('screenshots for a human look: explain and compare in dark, light and high contrast', { skip }, async () => {
  for (const theme of ['dark', 'light', 'hc'] as ThemeName[]) {
    const explain = await open('explain', theme);
    const state = explainState();
    await sendAll(explain.page, explainMessages(state));
    await explain.page.waitForSelector('#prediction');
    await settle(explain.page);
    await explain.page.screenshot({ path: path.join(out, `explain-${theme}.png`), fullPage: true });
    if (theme === 'dark') {
      await explain.page.setViewportSize({ width: 640, height: 760 });
      await settle(explain.page);
      await explain.page.screenshot({ path: path.join(out, 'explain-dark-narrow.png'), fullPage: true });
      await explain.page.setViewportSize({ width: 1100, height: 760 });
      const first = { ...state, busy: true, images: state.images.map((i) => ({ key: i.key, name: i.name, originalSrc: i.originalSrc })) };
      await sendAll(explain.page, explainMessages(first));
      await settle(explain.page);
      await explain.page.screenshot({ path: path.join(out, 'explain-dark-first-load.png'), fullPage: true });
      await sendAll(explain.page, explainMessages({ ...state, busy: true, target: 3, display: { ...state.display, overlay: true, colormap: 'coldnhot' } }));
      await settle(explain.page);
      await explain.page.screenshot({ path: path.join(out, 'explain-dark-busy-overlay.png'), fullPage: true });
    }
    assert.deepEqual(await cspViolations(explain.page), [], theme);
    assert.deepEqual(explain.errors, [], theme);
    await explain.page.close();

    const compare = await open('compare', theme, 1280, 620);
    const full = compareState();
    full.running = false;
    full.progress = { done: 14, total: 14 };
    full.rows.forEach((row, r) => (row.cells = SEED_COLUMNS.map((_, c) => ({ heatmap: compareCellHeatmap(r, c) }))));
    await send(compare.page, { type: 'compare-state', state: full });
    await compare.page.waitForSelector('#figure[data-filled-cells="[7,7]"]');
    await settle(compare.page);
    await compare.page.screenshot({ path: path.join(out, `compare-${theme}.png`), fullPage: true });
    assert.deepEqual(compare.errors, [], theme);
    await compare.page.close();
  }
});

test('explain view: a sample\'s true label and "Explain the true class", a quiet hint, a long run\'s progress, percentile limits', { skip }, async () => {
  for (const theme of ['dark', 'light'] as ThemeName[]) {
    const { page, errors } = await open('explain', theme);
    const base = explainState();
    // A misclassified dataset sample (label 2, predicted 7) under a model its look does not fit.
    const sample = { ...base.images[0], name: 'mnist-test-1k.npz #321', originalSrc: undefined, trueLabel: 2, hint: 'This input looks unlike MNIST, the data MNIST CNN was trained on (5.2 σ from its typical brightness or ink): the prediction may mean little. Another model may fit better.' };
    const state = { ...base, images: [sample], selected: 0 };
    await sendAll(page, explainMessages(state));
    await page.waitForSelector('#true-label');
    assert.equal((await page.locator('#true-label').innerText()).trim(), 'Label in the file: 2');
    assert.equal(await page.locator('.mismatch-hint').getAttribute('role'), 'note', 'a quiet note, not an alert');
    assert.match(await page.locator('.mismatch-hint').innerText(), /looks unlike MNIST/);
    await page.locator('#explain-true-class').click();
    assert.deepEqual(await lastPosted(page, 'select-target'), { type: 'select-target', target: 2 });
    await settle(page);
    await page.screenshot({ path: path.join(out, `explain-${theme}-sample-true-label.png`), fullPage: true });

    // A long SmoothGrad run over the LRP heatmap: progress, the stale note (after its delay), Export off.
    const smoothgrad = { spec: 'smoothgrad:samples=4096', title: [{ text: 'SmoothGrad (samples = 4096)' }], conservative: false };
    await sendAll(page, explainMessages({ ...state, busy: true, method: smoothgrad, progress: { done: 1024, total: 4096, unit: 'samples' } }));
    await page.waitForSelector('.run-progress');
    assert.equal((await page.locator('.run-progress').innerText()).trim(), 'SmoothGrad: 1024 of 4096 samples');
    assert.equal(await page.locator('.run-progress').getAttribute('aria-valuenow'), '1024');
    await page.waitForFunction(() => {
      const note = document.querySelector('.stale-note');
      return note && getComputedStyle(note).visibility === 'visible';
    });
    assert.match(await page.locator('.stale-note').innerText(), /Computing SmoothGrad \(samples = 4096\)… shown until it is ready: LRP-α2β1 for class 7\./);
    assert.match(await page.locator('.heatmap-figure figcaption').innerText(), /^LRP-α2β1 · class 7/);
    assert.equal(await page.locator('.readout').count(), 0, 'no Σ R under another method\'s header');
    assert.equal(await page.locator('vscode-button', { hasText: 'Export PNG' }).evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true);
    await settle(page);
    await page.screenshot({ path: path.join(out, `explain-${theme}-long-run.png`), fullPage: true });

    // Percentile: 20 is refused with the range, the value in use stays and comes back on leaving the field.
    await sendAll(page, explainMessages(state));
    const field = page.locator('vscode-textfield.percentile-field');
    await field.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('20');
    await page.waitForFunction(() => /from 50 to 100/.test(document.querySelector('#percentile-note')?.textContent ?? ''));
    assert.equal((await page.locator('#percentile-note').innerText()).trim(), 'Enter a number from 50 to 100; still using 99.5');
    await settle(page);
    await page.screenshot({ path: path.join(out, `explain-${theme}-percentile-invalid.png`), fullPage: true });
    await page.keyboard.press('Tab');
    assert.equal(await field.evaluate((e) => (e as HTMLElement & { value: string }).value), '99.5');
    assert.equal((await page.locator('#percentile-note').innerText()).trim(), 'Enter a number from 50 to 100; kept 99.5');
    const displayPosts = (await posted(page)).filter((m) => m.type === 'set-display');
    assert.deepEqual(displayPosts, [], 'an invalid percentile is never sent to the host');
    assert.deepEqual(errors, [], theme);
    await page.close();
  }
});
