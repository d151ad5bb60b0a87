// Runs a fuzz target's cases in a child process with a memory cap and a time limit per case, so that a blow-up
// or a hang fails the test instead of taking the machine: the child's address space is capped with
// `prlimit --as` (util-linux; else `ulimit -v` through sh), which also caps wasm memory and ArrayBuffers
// (--max-old-space-size does not), and V8's wasm trap handler is turned off so that wasm runs within the cap
// (it otherwise reserves 10 GB of address space per memory). A case that crashes the child (out of memory,
// a fatal error) or does not finish within the hang limit is recorded as a failure of that case, and the run
// goes on in a new child from the next case: one bad case does not hide the others.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { addFailure, emptyReport, record, type FuzzReport } from './fuzzRunner';
import type { FromFuzzChild } from './fuzzChild';

export interface ChildRunOptions {
  cases: number;
  /** A case slower than this is a failure (reported by the child). */
  caseLimitMs: number;
  /** A case that has not finished after this long is a hang: the child is killed. */
  hangMs: number;
  /** Address space of the child, bytes. */
  memoryBytes: number;
  /** Called as cases finish (for progress output). */
  onProgress?: (done: number) => void;
}

const REPO = path.resolve(__dirname, '..', '..', '..');
/** How long a child may take to start (tsx, tfjs, wasm) before it counts as broken. */
const START_MS = 120_000;
/** After this many crashes in a row at startup the run gives up. */
const MAX_START_FAILURES = 2;

export async function runTargetInChild(target: string, options: ChildRunOptions): Promise<FuzzReport> {
  const report = emptyReport(target);
  const started = performance.now();
  let next = 0;
  let startFailures = 0;
  while (next < options.cases) {
    const run = await runChild(target, next, options, (index, outcome) => {
      record(report, target, index, outcome);
      next = index + 1;
      options.onProgress?.(report.cases);
    });
    if (run.finished) break;
    if (run.current === undefined) {
      if (++startFailures >= MAX_START_FAILURES) throw new Error(`the fuzz child for ${target} failed to start: ${run.problem}\n${run.stderr}`);
      continue;
    }
    startFailures = 0;
    // The case that was running when the child died or hung.
    report.cases++;
    report.rejected++;
    addFailure(report, { target, case: run.current.index, what: run.current.what, problem: `${run.problem}${run.stderr ? `; stderr: ${run.stderr.slice(-600)}` : ''}` });
    options.onProgress?.(report.cases);
    next = run.current.index + 1;
  }
  report.ms = performance.now() - started;
  return report;
}

interface ChildRun {
  finished: boolean;
  current?: { index: number; what: string };
  problem: string;
  stderr: string;
}

function runChild(target: string, first: number, options: ChildRunOptions, onResult: (index: number, outcome: Extract<FromFuzzChild, { type: 'result' }>['outcome']) => void): Promise<ChildRun> {
  const node = [process.execPath, '--disable-wasm-trap-handler', '--require', 'tsx/cjs', path.join(__dirname, 'fuzzChild.ts'), target, String(first), String(options.cases), String(options.caseLimitMs)];
  const [command, args] = capped(node, options.memoryBytes);
  // The child's case folders live here; a child that is killed cannot remove them itself.
  const tmp = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'explain-image-fuzz-child-'));
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', FUZZ_TMP: tmp } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let current: { index: number; what: string } | undefined;
  let finished = false;
  let problem = '';
  let deadline = Date.now() + START_MS;
  const watchdog = setInterval(() => {
    if (Date.now() < deadline) return;
    problem = current ? `hung: no result after ${options.hangMs / 1000} s` : `did not start within ${START_MS / 1000} s`;
    child.kill('SIGKILL');
  }, 250);
  let buffered = '';
  (child.stdio[3] as Readable).on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const m = JSON.parse(buffered.slice(0, nl)) as FromFuzzChild;
      buffered = buffered.slice(nl + 1);
      if (m.type === 'case') {
        current = { index: m.index, what: m.what };
        deadline = Date.now() + options.hangMs;
      } else if (m.type === 'result') {
        onResult(m.index, m.outcome);
        current = undefined;
        deadline = Date.now() + options.hangMs;
      } else if (m.type === 'done') finished = true;
      else if (m.type === 'ready') deadline = Date.now() + options.hangMs;
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!problem && !finished) {
        const oom = /out of memory|allocation failed|heap limit/i.test(stderr);
        problem = `the child ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${oom ? ' (out of memory under the cap)' : ''}`;
      }
      resolve({ finished, current, problem, stderr: stderr.trim() });
    });
  });
}

/** The command that runs `argv` with its address space capped at `bytes`. */
function capped(argv: string[], bytes: number): [string, string[]] {
  if (fs.existsSync('/usr/bin/prlimit') || fs.existsSync('/bin/prlimit')) return ['prlimit', [`--as=${bytes}`, '--', ...argv]];
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return ['sh', ['-c', `ulimit -v ${Math.floor(bytes / 1024)} && exec ${quoted}`]];
}
