// npm run test:vscode: the integration suite in desktop VS Code through @vscode/test-electron.
// Uses VSCODE_EXECUTABLE_PATH when set, else downloads VS Code (VSCODE_VERSION, default 1.100.3, the
// version code-server 4.100.3 serves) into .vscode-test/. On Linux without a display run it under
// `xvfb-run -a`. Not part of `npm test`: the same cases run in code-server in test/e2e/suite.e2e.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { repoRoot } from '../e2e/harness/paths';
import { prepareWorkspace } from '../e2e/harness/workspace';
import { buildSuiteBundle } from './build';

async function vscodeExecutable(): Promise<string> {
  if (process.env.VSCODE_EXECUTABLE_PATH) return process.env.VSCODE_EXECUTABLE_PATH;
  const version = process.env.VSCODE_VERSION ?? '1.100.3';
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: path.join(repoRoot, '.vscode-test'), timeout: 30_000 });
  } catch (e) {
    throw new Error(
      `cannot run the integration suite in desktop VS Code: downloading VS Code ${version} failed ` +
        `(${(e as Error).message}). This machine cannot reach VS Code's download server; set ` +
        'VSCODE_EXECUTABLE_PATH to an installed VS Code binary. (The same cases run in code-server ' +
        'as part of npm test: test/e2e/suite.e2e.test.ts.)',
    );
  }
}

async function main(): Promise<void> {
  const extensionTestsPath = await buildSuiteBundle();
  const vscodeExecutablePath = await vscodeExecutable();
  const workspace = prepareWorkspace('explain-image-vscode-');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-vscode-data-'));
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [
        workspace.dir,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(scratch, 'user-data')}`,
        `--extensions-dir=${path.join(scratch, 'extensions')}`,
      ],
    });
  } finally {
    workspace.remove();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
