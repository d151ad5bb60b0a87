// The extension's icon and the walkthrough's picture, drawn by the product itself: the bundled MNIST CNN
// explains the bundled sample "7" with LRP-α2β1 (the engine, tfjs WASM, as the panel does) and the heatmap
// is coloured by the engine's renderer (engine/heatmap/render.ts): the icon with the coldnhot map (zero is
// black: the relevant strokes glow on a black rounded tile), the walkthrough's picture as the panel shows
// the input and the bwr map. No network, no hand-drawn pixels.
//   node --import tsx scripts/icon.ts          (writes media/icon.png and media/walkthrough/explain.png)
// test/unit/scripts/icon.test.ts checks the committed files are what this makes.
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, nodeModulesWasmDir } from '../src/engine/backend';
import { encodePng } from '../src/engine/heatmap/png';
import { renderHeatmap } from '../src/engine/heatmap/render';
import { createRgbaImage, type RgbaImage } from '../src/engine/image/rgbaImage';
import { runJob } from '../src/engine/jobs/runJob';
import type { ExplainResult } from '../src/protocol/engineJobs';
import { inputRgba, upscale } from '../webview/heatmap/rasterize';

const ROOT = path.resolve(__dirname, '..');
export const ICON_FILE = path.join(ROOT, 'media', 'icon.png');
export const WALKTHROUGH_IMAGE = path.join(ROOT, 'media', 'walkthrough', 'explain.png');
const MODEL = path.join(ROOT, 'models', 'mnist-cnn', 'model.json');
const SAMPLE = path.join(ROOT, 'models', 'samples', 'mnist-7-0000.png');

export const ICON_SIZE = 128;
/** 28 × 4 = 112: the heatmap's pixels stay crisp squares, 8 px of margin around them. */
const ICON_SCALE = 4;
const CORNER_RADIUS = 22;

/** The sample's explanation by the engine: the model input (28×28 grey) and its relevance. */
export async function explainSample(): Promise<{ pixels: Uint8Array; relevance: Float32Array; shape: [number, number] }> {
  const backend = await initBackend(nodeModulesWasmDir());
  const result = (await runJob({ type: 'explain', model: { path: MODEL }, images: [{ kind: 'file', path: SAMPLE }], methods: ['lrp-a2b1'], preprocess: 'auto' }, backend)) as ExplainResult;
  const e = result.explanations[0];
  return { pixels: result.images[0].pixels, relevance: e.relevance, shape: e.shape };
}

/** Copies `src` into `dst` at (x, y). */
function blit(dst: RgbaImage, src: RgbaImage, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    dst.data.set(src.data.subarray(row * src.width * 4, (row + 1) * src.width * 4), ((y + row) * dst.width + x) * 4);
  }
}

/** Share of pixel (x, y) inside a rounded square of side `size` (4 × 4 samples: a smooth edge). */
function roundedCoverage(x: number, y: number, size: number, radius: number): number {
  let inside = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4;
      const py = y + (sy + 0.5) / 4;
      const dx = Math.max(radius - px, px - (size - radius), 0);
      const dy = Math.max(radius - py, py - (size - radius), 0);
      if (dx * dx + dy * dy <= radius * radius) inside++;
    }
  }
  return inside / 16;
}

/** The icon: the heatmap on a black rounded tile, transparent outside it. */
export function iconImage(relevance: Float32Array, shape: [number, number]): RgbaImage {
  const heatmap = renderHeatmap(relevance, shape, { colormap: 'coldnhot', scale: ICON_SCALE });
  const icon = createRgbaImage(ICON_SIZE, ICON_SIZE, [0, 0, 0, 255]);
  blit(icon, heatmap, (ICON_SIZE - heatmap.width) / 2, (ICON_SIZE - heatmap.height) / 2);
  for (let y = 0; y < ICON_SIZE; y++) {
    for (let x = 0; x < ICON_SIZE; x++) icon.data[(y * ICON_SIZE + x) * 4 + 3] = Math.round(255 * roundedCoverage(x, y, ICON_SIZE, CORNER_RADIUS));
  }
  return icon;
}

/** The walkthrough's picture: the model input and its heatmap side by side, as the panel shows them. */
export function walkthroughImage(pixels: Uint8Array, relevance: Float32Array, shape: [number, number]): RgbaImage {
  const scale = 6;
  const input = upscale(inputRgba({ width: shape[1], height: shape[0], channels: 1, pixels }), scale);
  const heatmap = renderHeatmap(relevance, shape, { colormap: 'bwr', scale });
  const gap = 12;
  const out = createRgbaImage(input.width * 2 + gap, input.height, [255, 255, 255, 255]);
  blit(out, input, 0, 0);
  blit(out, heatmap, input.width + gap, 0);
  return out;
}

export async function renderMedia(): Promise<{ icon: Uint8Array; walkthrough: Uint8Array }> {
  const { pixels, relevance, shape } = await explainSample();
  return { icon: encodePng(iconImage(relevance, shape)), walkthrough: encodePng(walkthroughImage(pixels, relevance, shape)) };
}

if (require.main === module) {
  void renderMedia().then(({ icon, walkthrough }) => {
    fs.mkdirSync(path.dirname(WALKTHROUGH_IMAGE), { recursive: true });
    fs.writeFileSync(ICON_FILE, icon);
    fs.writeFileSync(WALKTHROUGH_IMAGE, walkthrough);
    console.log(`wrote ${path.relative(ROOT, ICON_FILE)} (${icon.length} bytes), ${path.relative(ROOT, WALKTHROUGH_IMAGE)} (${walkthrough.length} bytes)`);
  });
}
