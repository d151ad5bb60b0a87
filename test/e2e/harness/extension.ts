// The extension as users get it: the VSIX from `npm run package`, installed with code-server's CLI into
// an extensions folder of its own. The install is reused while the VSIX has not changed.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { unzipSync } from 'fflate';
import { cacheDir, repoRoot, vsixPath } from './paths';
import { cleanEnv, installExtension, which } from './codeServer';
import { run } from './processes';

export const e2eCacheDir = path.join(cacheDir, 'e2e');
/** Extensions folder that holds only Explain Image (and, for the in-host suite, its test companion). */
export const sharedExtensionsDir = path.join(e2eCacheDir, 'extensions');
const installMarker = path.join(e2eCacheDir, 'extensions.sha256');

/** Builds and packages the extension (`npm run package`); returns the VSIX path. */
export async function packageExtension(): Promise<string> {
  fs.rmSync(vsixPath, { force: true });
  const npm = which('npm') ?? 'npm';
  await run(npm, ['run', '--silent', 'package'], { cwd: repoRoot, env: cleanEnv(), timeoutMs: 10 * 60_000 });
  if (!fs.existsSync(vsixPath)) throw new Error(`npm run package did not write ${vsixPath}`);
  return vsixPath;
}

/** File names inside a VSIX (a zip), e.g. `extension/dist/extension.js`. */
export function vsixEntries(vsix: string): Map<string, number> {
  const files = unzipSync(new Uint8Array(fs.readFileSync(vsix)));
  return new Map(Object.entries(files).map(([name, data]) => [name, data.length]));
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Installs the VSIX into `sharedExtensionsDir` unless exactly this VSIX is installed there already. */
export async function installPackagedExtension(vsix: string = vsixPath): Promise<string> {
  const hash = sha256(vsix);
  if (fs.existsSync(installMarker) && fs.readFileSync(installMarker, 'utf8') === hash) return sharedExtensionsDir;
  fs.rmSync(sharedExtensionsDir, { recursive: true, force: true });
  fs.rmSync(installMarker, { force: true });
  await installExtension(vsix, sharedExtensionsDir, path.join(e2eCacheDir, 'install-user-data'));
  fs.writeFileSync(installMarker, hash);
  return sharedExtensionsDir;
}

/** Copies an extensions folder so a session can let code-server write to it without touching the cache. */
export function copyExtensionsDir(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true });
  return to;
}
