// The fuzz targets run in this worker thread so the test's main thread can stop them: a reader stuck
// in a synchronous loop cannot be interrupted from inside its own thread.
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzTarget } from './fuzzRunner';
import { FUZZ_TARGETS } from './fuzzTargets';

export type FromFuzzWorker =
  | { type: 'case'; target: string; index: number; what: string }
  | { type: 'report'; report: Awaited<ReturnType<typeof fuzzTarget>> }
  | { type: 'crashed'; target: string; message: string };

const { cases, caseLimitMs, targets } = workerData as { cases: number; caseLimitMs: number; targets: string[] };
const post = (message: FromFuzzWorker) => parentPort!.postMessage(message);

(async () => {
  for (const target of FUZZ_TARGETS.filter((t) => targets.includes(t.name))) {
    try {
      const report = await fuzzTarget(target, { cases, caseLimitMs, onCase: (index, what) => post({ type: 'case', target: target.name, index, what }) });
      post({ type: 'report', report });
    } catch (e) {
      post({ type: 'crashed', target: target.name, message: (e as Error)?.stack ?? String(e) });
    }
  }
})();
