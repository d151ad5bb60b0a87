// Export of the heatmap in a real VS Code: "Explain Image: Export Heatmap as PNG" from the palette and
// the panel's own "Export PNG" button each open the save dialog (code-server's simple file dialog: a
// path typed into a quick input). With "With legend" (the default) the file is a figure: method and class
// above, the map holding exactly the pixels of `canvas#heatmap` (a 28×28 map drawn at 10×: 280×280, at
// the place the panel notes in data-export-map), the colour bar and its scale below; unchecked, the file
// is the canvas alone, every pixel, read back from disk with pngjs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { ExplainPanelPage, type PanelReading } from './harness/explainPanel';
import { contributedCommand, namesLabel } from './harness/manifest';
import { hasInk, readCanvas, waitForPngFile } from './harness/pixels';
import { e2eSkip, useSession, waitFor, type Session } from './harness/session';

const skip = e2eSkip();
const SAMPLE = 'mnist-7-0000.png';
/** The heatmap canvas of a 28×28 model: the largest integer multiple up to 280 CSS px (explainView's HEATMAP_SIZE). */
const HEATMAP_PX = 280;

const settled = (r: PanelReading) => !r.busy && !!r.heatmap && hasInk(r.heatmap) && !!r.prediction;

describe('heatmap export', { timeout: 6 * 60_000 }, () => {
  const session = useSession('export');

  it('writes the shown heatmap, pixel for pixel, from the palette and from the panel\'s button', { skip }, async () => {
    const s = session();
    const panel = new ExplainPanelPage(s.workbench);
    await s.workbench.runExplorerContextMenu(SAMPLE, contributedCommand('explainImage.explain').title);
    const reading = await panel.waitUntil('the heatmap of the 7', (r) => settled(r) && namesLabel(r.prediction!, '7'), 90_000);
    const shown = reading.heatmap!;
    assert.deepEqual([shown.width, shown.height], [HEATMAP_PX, HEATMAP_PX], 'a 28×28 heatmap is drawn at 10× on the canvas');

    // The palette offers the export while the panel is the active editor: click its tab first.
    await s.workbench.activateTab(`Explain: ${SAMPLE}`);
    const fromPalette = path.join(s.workspace.dir, 'heatmap-from-palette.png');
    await s.workbench.runCommand(contributedCommand('explainImage.exportHeatmap').paletteLabel);
    const proposed = await s.workbench.answerSaveDialog(fromPalette);
    assert.equal(path.basename(proposed), 'mnist-7-0000-lrp-a2b1-class-7.png', 'the dialog proposes a name saying image, method and class');
    await checkFigureExport(s, fromPalette, shown, await panel.frame());
    const toast = await waitFor(async () => {
      const texts = await s.page.locator('.notification-toast').allInnerTexts();
      return texts.find((t) => t.includes('heatmap-from-palette.png'));
    }, 10_000);
    await s.workbench.screenshot('saved-from-palette');
    assert.ok(toast, 'no notification names the written file');

    // The panel's Export button, the legend unticked: the bare map.
    const frame = await panel.frame();
    await frame.locator('#export-legend').click();
    assert.equal(await frame.locator('#export-legend').evaluate((b) => (b as HTMLElement & { checked: boolean }).checked), false, 'With legend unticked');
    const fromButton = path.join(s.workspace.dir, 'heatmap-from-button.png');
    await frame.locator('vscode-button', { hasText: 'Export PNG' }).click();
    await s.workbench.answerSaveDialog(fromButton);
    await checkExport(s, fromButton, await readCanvas(frame.locator('canvas#heatmap')));
    await s.workbench.screenshot('saved-from-button');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});

/** The file appears, and holds the canvas's size and pixels (and is not blank). */
async function checkExport(s: Session, file: string, shown: { width: number; height: number; signature: string }): Promise<void> {
  const png = await waitForPngFile(file);
  if (!png) {
    await s.workbench.screenshot(`no-${path.basename(file, '.png')}`);
    assert.fail(`no ${file} after answering the save dialog; the workspace has ${JSON.stringify(fs.readdirSync(s.workspace.dir).filter((f) => f.endsWith('.png') && !/^(mnist|fashion)-/.test(f)))}`);
  }
  assert.deepEqual([png.width, png.height], [shown.width, shown.height], `${path.basename(file)} has the canvas's size`);
  assert.equal(png.signature, shown.signature, `${path.basename(file)} holds exactly the pixels shown`);
  assert.ok(png.nonWhite >= 0.005 * png.width * png.height, `${path.basename(file)} is blank (${png.nonWhite} pixels not white)`);
  console.log(`[export] ${path.basename(file)}: ${png.width}×${png.height}, ${png.nonWhite} pixels not white, ${png.colours} colours`);
}

/** The file is a figure around the map: larger than the canvas, its map rectangle holding the canvas's pixels. */
async function checkFigureExport(s: Session, file: string, shown: { width: number; height: number; signature: string }, frame: Awaited<ReturnType<ExplainPanelPage['frame']>>): Promise<void> {
  const png = await waitForPngFile(file);
  if (!png) {
    await s.workbench.screenshot(`no-${path.basename(file, '.png')}`);
    assert.fail(`no ${file} after answering the save dialog`);
  }
  assert.ok(png.width > shown.width && png.height > shown.height, `${path.basename(file)} is a figure around the map: ${png.width}×${png.height}`);
  const rect = ((await frame.locator('canvas#heatmap').getAttribute('data-export-map')) ?? '').split(',').map(Number);
  assert.equal(rect.length, 4, 'the panel notes where the map is in the figure');
  assert.deepEqual(rect.slice(2), [shown.width, shown.height]);
  // The same FNV-1a signature readCanvas computes, over the map's rectangle of the file.
  const decoded = PNG.sync.read(fs.readFileSync(file));
  let hash = 0x811c9dc5;
  for (let y = rect[1]; y < rect[1] + rect[3]; y++) {
    for (let x = rect[0]; x < rect[0] + rect[2]; x++) {
      const i = (y * decoded.width + x) * 4;
      const key = ((decoded.data[i] << 24) | (decoded.data[i + 1] << 16) | (decoded.data[i + 2] << 8) | decoded.data[i + 3]) >>> 0;
      hash = Math.imul(hash ^ key, 0x01000193) >>> 0;
    }
  }
  assert.equal(`${rect[2]}x${rect[3]}:${hash.toString(16)}`, shown.signature, 'the figure\'s map holds exactly the pixels shown');
  console.log(`[export] ${path.basename(file)}: a ${png.width}×${png.height} figure, the map at ${rect.join(',')}`);
}
