// One fuzz target's cases in a child process (started by childRunner.ts under a memory cap): the engine's
// backend is set up as in the product (tfjs on wasm), the cases run from `first` to `cases`, and every case's
// start and outcome go to file descriptor 3 as JSON lines, so that the parent knows which case a crash, an
// out-of-memory or a hang happened in. stdout and stderr stay free for whatever the engine prints.
//   node --require tsx/cjs test/unit/fuzz/fuzzChild.ts <target> <first> <cases> <caseLimitMs> 3>&1
// (tsx through --require: `--import tsx` starts a loader thread whose wasm reserves ~14 GB of address space,
// more than the cap allows)
import * as fs from 'node:fs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { fuzzTarget, type CaseOutcome } from './fuzzRunner';
import { FUZZ_TARGETS } from './fuzzTargets';
import { MODEL_FUZZ_TARGETS } from './modelTargets';

export type FromFuzzChild =
  | { type: 'ready' }
  | { type: 'case'; index: number; what: string }
  | { type: 'result'; index: number; outcome: CaseOutcome }
  | { type: 'done' };

const REPORT_FD = 3;
const post = (m: FromFuzzChild) => fs.writeSync(REPORT_FD, JSON.stringify(m) + '\n');

async function main(): Promise<void> {
  const [name, first, cases, caseLimitMs] = process.argv.slice(2);
  const target = [...MODEL_FUZZ_TARGETS, ...FUZZ_TARGETS].find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target "${name}"`);
  await initBackend(nodeModulesWasmDir());
  post({ type: 'ready' });
  await fuzzTarget(target, {
    first: Number(first),
    cases: Number(cases),
    caseLimitMs: Number(caseLimitMs),
    quietConsole: true,
    onCase: (index, what) => post({ type: 'case', index, what }),
    onResult: (index, outcome) => post({ type: 'result', index, outcome }),
  });
  post({ type: 'done' });
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`fuzz child: ${(e as Error)?.stack ?? e}\n`);
    process.exit(70);
  },
);
