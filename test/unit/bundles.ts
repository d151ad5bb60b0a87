// The bundles the tests run as a user does (dist/worker.js in worker threads, dist/cli.js as a command),
// built by `npm run build`, and a synthetic 28×28 sample for jobs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import type { ImageSource } from '../../src/protocol/engineJobs';

export const DIST = path.resolve(__dirname, '../../dist');
export const WORKER = path.join(DIST, 'worker.js');
export const CLI = path.join(DIST, 'cli.js');

/** Before a suite that runs `bundle`: it is built, and this process's own backend is up (for references). */
export async function bundleReady(bundle: string): Promise<void> {
  assert.ok(fs.existsSync(bundle), `${bundle} is missing: run "npm run build" first`);
  await initBackend(nodeModulesWasmDir());
}

/** A 28×28 grey sample of black and white stripes that differ by `seed`, as a job's pixels. */
export function stripedDigit(seed: number): ImageSource {
  const data = new Uint8Array(28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101) % 256 > 180 ? 255 : 0;
  return { kind: 'pixels', name: `sample-${seed}`, width: 28, height: 28, channels: 1, data };
}
