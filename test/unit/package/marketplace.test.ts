// What the marketplace and the VSIX get: `vsce ls` (the files `npm run package` puts in the VSIX, as vsce
// computes them from .vscodeignore) holds the bundles, tfjs' wasm binaries, the bundled models, the icon
// and the walkthrough's pages, and no tests, notes, scripts, sources, caches or fixtures; the manifest's
// icon, walkthrough media and completion events point at things that exist.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';

const ROOT = path.resolve(__dirname, '../../..');
const VSCE = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Every file path of the repository under `dir` (relative, '/'-separated). */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(ROOT, path.join(d.parentPath ?? d.path, d.name)).split(path.sep).join('/'));
}

describe('the packaged file list (vsce ls)', () => {
  let files: string[];
  before(() => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'extension.js')), 'dist/ is missing: run "npm run build" first');
    const out = execFileSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    files = out.split('\n').map((l) => l.trim()).filter(Boolean);
  });

  it('has the bundles, the wasm binaries, the font, every bundled model and sample, the icon and the walkthrough', () => {
    const required = [
      'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md',
      'dist/extension.js', 'dist/worker.js', 'dist/cli.js', 'dist/webview.js', 'dist/dataset.js',
      'dist/tfjs-backend-wasm.wasm', 'dist/tfjs-backend-wasm-simd.wasm', 'dist/webp.wasm', 'dist/DejaVuSans.ttf',
      manifest.icon,
      ...manifest.contributes.walkthroughs.flatMap((w: { steps: Array<{ media: Record<string, string> }> }) => w.steps.map((s) => s.media.markdown ?? s.media.image)),
      'media/walkthrough/explain.png',
      ...filesUnder('models'),
    ];
    const missing = required.filter((f) => !files.includes(f));
    assert.deepEqual(missing, [], `vsce ls lacks ${missing.join(', ')}`);
    for (const wasm of required.filter((f) => f.startsWith('dist/tfjs-backend-wasm'))) assert.ok(fs.statSync(path.join(ROOT, wasm)).size > 100_000, `${wasm} is a real binary`);
  });

  it('has no tests, notes, scripts, sources, source maps, caches, fixtures or dependencies', () => {
    const unwanted = files.filter(
      (f) =>
        /^(src|test|webview|scripts|node_modules|\.cache|\.notes|\.ci|artifacts|out|\.vscode-test)\//.test(f) ||
        /(^|\/)(fixtures|__tests__)\//.test(f) ||
        /\.(map|ts|tsx|py|vsix|log)$/.test(f) ||
        /\.test\.|\.e2e\./.test(f) ||
        ['tsconfig.json', 'esbuild.js', 'package-lock.json', '.gitignore', '.vscodeignore'].includes(f),
    );
    assert.deepEqual(unwanted, [], 'files that do not belong in the VSIX (see .vscodeignore)');
  });
});

describe('the marketplace manifest', () => {
  it('an icon of 128×128 or 256×256 PNG, a gallery banner, keywords, no invented repository', () => {
    const png = PNG.sync.read(fs.readFileSync(path.join(ROOT, manifest.icon)));
    assert.ok([128, 256].includes(png.width) && png.height === png.width, `${png.width}×${png.height}`);
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
    assert.ok(manifest.keywords.length >= 5 && manifest.keywords.length <= 30, 'the marketplace takes up to 30 keywords');
    if (manifest.repository) assert.doesNotMatch(JSON.stringify(manifest.repository), /example|invalid|localhost/);
  });

  it('the walkthrough: open a sample, explain, compare, your model; each step done by a command it offers', () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    const commands = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
    assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['openSample', 'explain', 'compare', 'ownModel']);
    for (const step of walkthrough.steps as Array<{ id: string; description: string; media: Record<string, string>; completionEvents: string[] }>) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(fs.existsSync(path.join(ROOT, media)), `${step.id}: ${media}`);
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.equal(linked.length, 1, `${step.id} offers one command button`);
      assert.ok(commands.has(linked[0]), `${step.id}: ${linked[0]} is contributed`);
      assert.ok(step.completionEvents.includes(`onCommand:${linked[0]}`), `${step.id} is done when its button's command runs`);
      for (const event of step.completionEvents) assert.ok(commands.has(event.replace(/^onCommand:/, '')), `${step.id}: ${event}`);
    }
    // Images a page shows are shipped beside it.
    for (const page of walkthrough.steps.map((s: { media: { markdown?: string } }) => s.media.markdown).filter(Boolean)) {
      for (const [, image] of fs.readFileSync(path.join(ROOT, page), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
        assert.ok(fs.existsSync(path.join(ROOT, path.dirname(page), image)), `${page} shows ${image}`);
      }
    }
  });

  it('CHANGELOG.md names the issues the history answered', () => {
    const text = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    assert.match(text, /^# Changelog/);
    for (const issue of [2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 26]) assert.ok(text.includes(`(issue ${issue}`), `issue ${issue}`);
  });
});
