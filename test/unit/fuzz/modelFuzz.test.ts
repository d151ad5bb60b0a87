// Every model format against damaged files (modelTargets.ts): MODEL_FUZZ_CASES (default 300) seeded
// structural and byte-level damages per target, each opened as the engine opens a model and run forward once
// when it loads. Each target runs in a child process whose address space is capped (childRunner.ts), with a
// time limit per case: a crash, an out-of-memory, a hang, an allocation beyond the cap, a read of the canary
// outside the case's folder, a damage that had to be refused (a path out of the folder) but was not, or any
// error but a one-line UserError of at most 300 characters naming the file, fails the target's test with the
// case number and the damage (replay: the same case number gives the same file).
//   MODEL_FUZZ_CASES=20000 node --import tsx --test test/unit/fuzz/modelFuzz.test.ts    (the long local run)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FuzzReport } from './fuzzRunner';
import { runTargetInChild } from './childRunner';
import { MODEL_FUZZ_TARGETS } from './modelTargets';

const CASES = Number(process.env.MODEL_FUZZ_CASES ?? 300);
/** Per case: a generous bound on a shared 2-core machine (the slowest legitimate case, a 12,000-node chain, takes ~2 s). */
const CASE_LIMIT_MS = Number(process.env.MODEL_FUZZ_CASE_MS ?? 15_000);
/** No result for this long: the case hangs, the child is killed. */
const HANG_MS = CASE_LIMIT_MS * 2;
/** The child's address space: node and tfjs-wasm take ~1 GB of it; an allocation of a few GB fails. */
const MEMORY_BYTES = Number(process.env.MODEL_FUZZ_MEMORY ?? 3 * 2 ** 30);
/** Children at a time (CI has two cores). */
const PARALLEL = Number(process.env.MODEL_FUZZ_PARALLEL ?? 2);

const reports = new Map<string, Promise<FuzzReport>>();
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}
for (const t of MODEL_FUZZ_TARGETS) {
  const report = slot(() => runTargetInChild(t.name, { cases: CASES, caseLimitMs: CASE_LIMIT_MS, hangMs: HANG_MS, memoryBytes: MEMORY_BYTES }));
  report.catch(() => undefined); // awaited by its test
  reports.set(t.name, report);
}

for (const target of MODEL_FUZZ_TARGETS) {
  test(`model fuzz ${target.name}: ${CASES} damaged models in a capped child, only one-line UserErrors naming the file`, { timeout: 60 * 60_000 }, async (t) => {
    const report = await reports.get(target.name)!;
    t.diagnostic(
      `${report.cases} cases in ${(report.ms / 1000).toFixed(1)} s: ${report.opened} loaded and ran, ${report.rejected} refused; slowest ${report.slowest.ms.toFixed(0)} ms (case ${report.slowest.case}: ${report.slowest.what.slice(0, 200)})`,
    );
    const listed = report.failures.map((f) => `case ${f.case} (${f.what.slice(0, 200)}): ${f.problem.slice(0, 800)}`).join('\n');
    assert.equal(report.failureCount, 0, `${report.failureCount} of ${report.cases} cases broke the contract, for example:\n${listed}`);
    assert.equal(report.cases, CASES);
    assert.ok(report.rejected > CASES / 20, `only ${report.rejected} of ${CASES} damaged models were refused: the damage hardly hit the format`);
  });
}
