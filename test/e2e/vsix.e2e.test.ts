// The VSIX that users install: it must carry every file the extension loads at run time (bundles,
// the worker, tfjs' wasm binaries, the figure font, the bundled models and samples) and nothing else
// (no sources, source maps, tests or node_modules).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { packageExtension, vsixEntries } from './harness/extension';
import { repoRoot, vsixPath } from './harness/paths';

async function theVsix(): Promise<string> {
  if (process.env.EXPLAIN_IMAGE_E2E_BROKEN) throw new Error(process.env.EXPLAIN_IMAGE_E2E_BROKEN);
  if (process.env.EXPLAIN_IMAGE_E2E_PREPARED === '1' && fs.existsSync(vsixPath)) return vsixPath;
  return packageExtension();
}

describe('VSIX package', () => {
  it('holds the bundles, the worker, the wasm binaries, the font and the bundled models', async () => {
    const entries = vsixEntries(await theVsix());
    const required = [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/worker.js',
      'extension/dist/tfjs-backend-wasm.wasm',
      'extension/dist/tfjs-backend-wasm-simd.wasm',
      'extension/dist/DejaVuSans.ttf',
    ];
    const missing = required.filter((f) => !entries.has(f));
    assert.deepEqual(missing, [], `the VSIX lacks ${missing.join(', ')}`);
    for (const wasm of required.filter((f) => f.endsWith('.wasm'))) {
      assert.ok(entries.get(wasm)! > 100_000, `${wasm} is only ${entries.get(wasm)} bytes`);
    }
    const modelsDir = path.join(repoRoot, 'models');
    const modelFiles = fs.existsSync(modelsDir)
      ? (fs.readdirSync(modelsDir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
          .filter((d) => d.isFile())
          .map((d) => path.relative(repoRoot, path.join(d.parentPath ?? d.path, d.name)).split(path.sep).join('/'))
      : [];
    const missingModels = modelFiles.filter((f) => !entries.has(`extension/${f}`));
    assert.deepEqual(missingModels, [], 'every file under models/ ships in the VSIX');
  });

  it('leaves out sources, source maps, tests and node_modules', async () => {
    const entries = [...vsixEntries(await theVsix()).keys()];
    const unwanted = entries.filter((f) =>
      /^extension\/(src|test|webview|scripts|node_modules|\.cache|artifacts|\.ci|\.notes)\//.test(f) ||
      /\.(map|ts|vsix)$/.test(f) ||
      /^extension\/(tsconfig\.json|esbuild\.js|package-lock\.json)$/.test(f),
    );
    assert.deepEqual(unwanted, [], 'files that do not belong in the VSIX (see .vscodeignore)');
  });
});
