// Everything an e2e session needs that can be done once: the extension packaged, code-server installed
// in the cache, and the VSIX installed into the shared extensions folder.
import { installCodeServer } from './codeServer';
import { installPackagedExtension, packageExtension } from './extension';
import { missingPrerequisites } from './prerequisites';

/** This machine lacks something the e2e tests need; they are skipped (and fail the run under CI). */
export class E2EUnavailable extends Error {}

/**
 * Packages the extension, then installs code-server and the VSIX. Throws `E2EUnavailable` when the
 * machine cannot run code-server or Chromium, and any other error when the product itself is broken.
 */
export async function prepareE2E(log: (line: string) => void = () => {}): Promise<void> {
  log('packaging the extension (npm run package)');
  await packageExtension();
  const missing = missingPrerequisites();
  if (missing) throw new E2EUnavailable(missing);
  try {
    await installCodeServer(log);
  } catch (e) {
    throw new E2EUnavailable(`code-server could not be installed: ${(e as Error).message}`);
  }
  log('installing dist/explain-image.vsix into code-server');
  await installPackagedExtension();
}
