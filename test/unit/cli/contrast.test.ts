// `explain --contrast` as a user runs it (node dist/cli.js, real workers): the JSON names the contrast, the
// LRP map is the map of the target minus the map of the contrast (linear in the start relevance), the
// summary line asks the question, and a class contrasted with itself is a usage error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { saveDigitCnn } from '../model/savedModels';
import { CLI, bundleReady } from '../bundles';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--workers', '1'], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('explain-image explain --contrast', () => {
  let modelPath: string;
  let image: string;

  before(async () => {
    await bundleReady(CLI);
    modelPath = await saveDigitCnn('contrast-cnn', 8);
    const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    png.data = Buffer.from(Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14) < 3 && i > 112 ? 255 : (i * 7) % 40)));
    image = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-contrast-')), 'digit.png');
    fs.writeFileSync(image, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
  });

  it('maps f_target − f_contrast: the LRP-ε map of 3 against 5 is the map of 3 minus the map of 5', () => {
    const of = (extra: string[]) => {
      const r = run(['explain', image, '--model', modelPath, '--method', 'lrp-epsilon', '--json', ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).results[0];
    };
    const contrast = of(['--target', '3', '--contrast', '5']);
    const [three, five] = [of(['--target', '3']), of(['--target', '5'])];
    assert.equal(contrast.target, 3);
    assert.equal(contrast.contrast, 5);
    assert.equal(three.contrast, undefined);
    const scale = Math.max(...three.relevance.map(Math.abs), ...five.relevance.map(Math.abs));
    contrast.relevance.forEach((v: number, i: number) => assert.ok(Math.abs(v - (three.relevance[i] - five.relevance[i])) <= 1e-4 * scale, `pixel ${i}`));
    const text = run(['explain', image, '--model', modelPath, '--method', 'lrp-epsilon', '--target', '3', '--contrast', '5']);
    assert.match(text.stdout, /why 3 and not 5/);
    const same = run(['explain', image, '--model', modelPath, '--method', 'gradient', '--target', '4', '--contrast', '4']);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /--contrast must differ from --target/);
    const out = run(['explain', image, '--model', modelPath, '--method', 'gradient', '--contrast', '12']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--contrast must be a class index 0\.\.9/);
  });
});
