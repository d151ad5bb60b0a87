// Every reader against damaged files: FUZZ_CASES (default 3,000) seeded mutations per target of
// fuzzTargets.ts, each opened and read whole. Only UserErrors with one line naming the file may come
// out, none from the readers' last-resort guard, and no case may take longer than CASE_LIMIT_MS. The
// targets run in a worker thread watched from here, so a reader stuck in a loop fails its test (naming
// the case) instead of hanging the run. Replay a failure: its case number and mutation are printed.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FuzzReport } from './fuzzRunner';
import { FUZZ_TARGETS } from './fuzzTargets';
import type { FromFuzzWorker } from './fuzzWorker';

const CASES = Number(process.env.FUZZ_CASES ?? 3000);
// Generous: the machine is shared; a damaged GIF declaring a huge canvas already takes ~0.8 s under load.
const CASE_LIMIT_MS = 5000;
/** No word from the worker for this long: a case is stuck (in a loop the case limit cannot interrupt). */
const STUCK_MS = 20_000;

const reports = new Map<string, { resolve: (r: FuzzReport | Error) => void; promise: Promise<FuzzReport | Error> }>();
for (const t of FUZZ_TARGETS) {
  let resolve!: (r: FuzzReport | Error) => void;
  const promise = new Promise<FuzzReport | Error>((r) => (resolve = r));
  reports.set(t.name, { resolve, promise });
}
/** Two workers, for the two cores CI has; each takes every other target. */
const WORKERS = 2;
const workers: Worker[] = [];

before(() => {
  for (let w = 0; w < WORKERS; w++) {
    const names = FUZZ_TARGETS.filter((_, k) => k % WORKERS === w).map((t) => t.name);
    if (names.length) workers.push(startWorker(names));
  }
});

after(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

/** Runs `names` in a worker thread; settles their reports, or fails them when the worker is stuck or dies. */
function startWorker(names: string[]): Worker {
  // The worker compiles TypeScript through tsx like the test process does.
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(path.join(__dirname, 'fuzzWorker.ts'))});`;
  const worker = new Worker(code, { eval: true, execArgv: [], workerData: { cases: CASES, caseLimitMs: CASE_LIMIT_MS, targets: names } });
  let current = { target: names[0], index: -1, what: '' };
  let lastWord = Date.now();
  const settleAll = (error: Error) => {
    for (const name of names) reports.get(name)!.resolve(error);
  };
  const watchdog = setInterval(() => {
    if (Date.now() - lastWord < STUCK_MS) return;
    clearInterval(watchdog);
    settleAll(new Error(`stuck for ${STUCK_MS / 1000} s in target ${current.target}, case ${current.index} (${current.what})`));
    void worker.terminate();
  }, 1000);
  worker.on('message', (m: FromFuzzWorker) => {
    lastWord = Date.now();
    if (m.type === 'case') current = m;
    else if (m.type === 'report') reports.get(m.report.target)?.resolve(m.report);
    else reports.get(m.target)?.resolve(new Error(`the fuzz run of ${m.target} crashed: ${m.message}`));
  });
  worker.on('error', (e) => settleAll(e));
  worker.on('exit', () => {
    clearInterval(watchdog);
    settleAll(new Error('the fuzz worker exited early'));
  });
  return worker;
}

for (const target of FUZZ_TARGETS) {
  test(`fuzz ${target.name}: ${CASES} damaged files, only one-line UserErrors naming the file`, async (t) => {
    const report = await reports.get(target.name)!.promise;
    if (report instanceof Error) throw report;
    t.diagnostic(
      `${report.cases} cases in ${(report.ms / 1000).toFixed(1)} s: ${report.opened} opened and read (${report.noted} of them with a message), ${report.rejected} refused; slowest ${report.slowest.ms.toFixed(0)} ms (case ${report.slowest.case}: ${report.slowest.what})`,
    );
    const listed = report.failures.map((f) => `case ${f.case} (${f.what}): ${f.problem}`).join('\n');
    assert.equal(report.failureCount, 0, `${report.failureCount} of ${report.cases} cases broke the contract, for example:\n${listed}`);
    assert.equal(report.cases, CASES);
    const noticed = report.rejected + report.noted;
    assert.ok(noticed > CASES / 20, `only ${noticed} of ${CASES} damaged files were noticed: the mutations hardly hit the format`);
  });
}
