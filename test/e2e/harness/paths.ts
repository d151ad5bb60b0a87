// Where the e2e harness keeps things: everything it downloads or builds lives under one cache folder
// outside node_modules (git-ignored), screenshots go to artifacts/e2e/.
import * as path from 'path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** `EXPLAIN_IMAGE_CACHE_DIR` moves the cache (code-server install, packaged test extension, extensions). */
export const cacheDir = path.resolve(process.env.EXPLAIN_IMAGE_CACHE_DIR ?? path.join(repoRoot, '.cache'));

/** Screenshots and copied logs of every e2e run, for a person to look at after a failure. */
export const artifactsDir = path.join(repoRoot, 'artifacts', 'e2e');

/** The VSIX that `npm run package` writes. */
export const vsixPath = path.join(repoRoot, 'dist', 'explain-image.vsix');

/** The bundled sample images the workspace is made from (created by the models engineer). */
export const samplesDir = path.join(repoRoot, 'models', 'samples');

/** `publisher.name` from package.json: how VS Code names the installed extension. */
export function extensionId(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const manifest = require(path.join(repoRoot, 'package.json')) as { publisher: string; name: string };
  return `${manifest.publisher}.${manifest.name}`;
}
