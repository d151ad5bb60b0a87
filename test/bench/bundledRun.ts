// Runs a TypeScript entry point as a user's process runs the engine: bundled by esbuild and started with plain
// node (under tsx the process would carry ~100 MB of loader that no user has, which memory figures would
// count). Used for peak-memory and backend-start figures (memory budget test, bench).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const bundles = new Map<string, string>();

/** `entry` (a .ts file) bundled once per process, run with `args`; its stdout's last line parsed as JSON. */
export function runBundled<T>(entry: string, args: string[]): T {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-bundled-')), `${path.basename(entry, '.ts')}.js`);
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node18',
      outfile: bundle,
      external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      logLevel: 'error',
    });
    bundles.set(entry, bundle);
  }
  const out = execFileSync(process.execPath, [bundle, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}
