// What a worker's wasm backend costs to start, on one thread (the SIMD build) or several (the threaded build:
// emscripten starts 8 pthreads, XNNPACK keeps threads − 1, wasmThreads.ts stops the others): the time to
// ready, and the process's RSS once it idles and at its peak. Run in a fresh plain-node process
// (bundledRun.ts) so that the RSS is the worker's:
//   node <bundle> <dist folder> <threads>
import * as path from 'path';
import { WorkerPool } from '../../src/engine/pool/workerPool';

async function main(): Promise<void> {
  const [dist, threads] = process.argv.slice(2);
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const pool = new WorkerPool({ size: 1, threads: Number(threads), workerScript: path.join(dist, 'worker.js'), wasmDir: dist });
  const backend = await pool.backend();
  const readyMs = performance.now() - start;
  // The stopped pthreads exit a little after the backend is up.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rssIdle = process.memoryUsage().rss;
  await pool.dispose();
  console.log(JSON.stringify({ threads: backend.threads, backend, readyMs, rssBefore, rssIdle, peakRss: process.resourceUsage().maxRSS * 1024 }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
