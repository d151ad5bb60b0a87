// The folder code-server opens: a temporary copy of the bundled samples (models/samples/), so a
// scenario can add files without touching the repository. Until the samples exist, a digit-like PNG
// written here stands in for them.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { samplesDir } from './paths';

export interface Workspace {
  dir: string;
  /** Image files in the workspace, relative to it, sorted. */
  images: string[];
  remove(): void;
}

const imagePattern = /\.(png|jpe?g|gif)$/i;

export function prepareWorkspace(prefix = 'explain-image-e2e-'): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (fs.existsSync(samplesDir)) fs.cpSync(samplesDir, dir, { recursive: true });
  let images = listImages(dir);
  if (images.length === 0) {
    writeDigitPng(path.join(dir, 'digit-7.png'));
    images = listImages(dir);
  }
  return { dir, images, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function listImages(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => imagePattern.test(f))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** A 28×28 grayscale "7": a bright bar at the top and a diagonal stroke, on black like MNIST. */
export function writeDigitPng(file: string): void {
  const size = 28;
  const png = new PNG({ width: size, height: size, colorType: 0 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const onBar = y >= 5 && y <= 7 && x >= 6 && x <= 21;
      const strokeX = 21 - Math.round((y - 7) * 0.55);
      const onStroke = y > 7 && y <= 23 && Math.abs(x - strokeX) <= 1;
      const v = onBar || onStroke ? 255 : 0;
      const i = (y * size + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0 }));
}
