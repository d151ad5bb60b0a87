// Builds what the integration suite needs outside the repository's dist/: the suite bundle for
// @vscode/test-electron, and the companion extension (a VSIX) that runs the suite in code-server.
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { cacheDir, repoRoot } from '../e2e/harness/paths';
import { run } from '../e2e/harness/processes';
import { cleanEnv } from '../e2e/harness/codeServer';

export const suiteBuildDir = path.join(cacheDir, 'suite');

const bundleOptions: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['vscode'],
  logLevel: 'warning',
};

/** `<cache>/suite/index.js`, exporting `run()` for test-electron. */
export async function buildSuiteBundle(): Promise<string> {
  const outfile = path.join(suiteBuildDir, 'index.js');
  await esbuild.build({ ...bundleOptions, entryPoints: [path.join(__dirname, 'index.ts')], outfile });
  return outfile;
}

/** Packages the companion extension; returns its VSIX path. */
export async function buildCompanionVsix(): Promise<string> {
  const dir = path.join(suiteBuildDir, 'companion');
  fs.rmSync(dir, { recursive: true, force: true });
  await esbuild.build({
    ...bundleOptions,
    entryPoints: [path.join(__dirname, 'companion.ts')],
    outfile: path.join(dir, 'dist', 'extension.js'),
  });
  const manifest = {
    name: 'explain-image-suite',
    displayName: 'Explain Image integration suite (tests only)',
    publisher: 'explain-image-tests',
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.90.0' },
    main: './dist/extension.js',
    activationEvents: ['onStartupFinished'],
    contributes: {
      configuration: {
        properties: {
          'explainImageSuite.resultsFile': { type: 'string', default: '', description: 'Run the suite, write results here.' },
        },
      },
    },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'README.md'), '# Explain Image integration suite\n\nTest-only companion extension.\n');
  const vsix = path.join(suiteBuildDir, 'explain-image-suite.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
  await run(vsce, ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', vsix], {
    cwd: dir,
    env: cleanEnv(),
    timeoutMs: 2 * 60_000,
  });
  return vsix;
}
