// Runs one fuzz target: damages its valid cases over and over (seeded, so case k is always the same
// file), opens each damaged case the way the product does, and records every way the contract broke:
// an error that is not a UserError, a message of more than one line, longer than MAX_MESSAGE or not naming
// the file, a message that only the readers' last-resort guard produced (UNFORESEEN), a case slower than
// the bound, a damage that had to be refused but was not (a path leaving the folder), or a read of the
// canary file that lies outside every case's folder.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNFORESEEN } from '../../../src/engine/data/datasetFile';
import { isUserError, MAX_MESSAGE } from '../../../src/engine/errors';
import type { FuzzTarget } from './fuzzTargets';
import { seededRandom } from '../../../scripts/train/seededRandom';
import { hashString, mutate } from './mutations';

export interface FuzzFailure {
  target: string;
  case: number;
  what: string;
  problem: string;
}

export interface FuzzReport {
  target: string;
  cases: number;
  opened: number;
  rejected: number;
  /** Cases that opened but said something about the damage (an unreadable sample, a note). */
  noted: number;
  ms: number;
  slowest: { ms: number; case: number; what: string };
  failures: FuzzFailure[];
  failureCount: number;
}

export interface FuzzOptions {
  cases: number;
  /** The first case to run (a run that was stopped part-way goes on from here); default 0. */
  first?: number;
  /** A case taking longer than this is a failure (the reader must not hang or crawl on bad input). */
  caseLimitMs: number;
  /** Called before each case, so a watchdog can tell which case hung. */
  onCase?: (index: number, what: string) => void;
  /** Called after each case with what it found (the child-process runner streams them). */
  onResult?: (index: number, outcome: CaseOutcome) => void;
  /** Anything written with console.log/warn/error while a case opens is a problem: on the CLI it would be a
   *  second line on stderr (a library warning about the damaged file). */
  quietConsole?: boolean;
}

/** One case's result. */
export interface CaseOutcome {
  what: string;
  opened: boolean;
  noted: boolean;
  ms: number;
  problems: string[];
}

/** The canary outside every case's folder: a file a model may name, which nothing may ever read. */
export const CANARY = 'canary.bin';
/** A FIFO beside it: opening it for reading would block, so a reader that follows a link to it hangs. */
export const CANARY_FIFO = 'canary.fifo';
/** Bytes of the canary: enough to stand in for any weight of the fuzzed models (a read of it would load). */
export const CANARY_BYTES = 1 << 22;

const KEPT_FAILURES = 20;

export function emptyReport(target: string): FuzzReport {
  return { target, cases: 0, opened: 0, rejected: 0, noted: 0, ms: 0, slowest: { ms: 0, case: -1, what: '' }, failures: [], failureCount: 0 };
}

/** Adds `failure` to `report`, keeping the first KEPT_FAILURES of them. */
export function addFailure(report: FuzzReport, failure: FuzzFailure): void {
  report.failureCount++;
  if (report.failures.length < KEPT_FAILURES) report.failures.push(failure);
}

export async function fuzzTarget(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  // Plain copies: a Buffer's slice() is a view, and the mutations must never touch the valid files.
  const cases = target.cases().map((c) => ({ ...c, files: Object.fromEntries(Object.entries(c.files).map(([k, v]) => [k, new Uint8Array(v)])) }));
  // FUZZ_TMP: where the child-process runner wants the case folders (it removes them when a child dies).
  const base = process.env.FUZZ_TMP ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
  const root = fs.mkdtempSync(path.join(base, `explain-image-fuzz-${target.name.replace(/\W+/g, '-')}-`));
  const report = emptyReport(target.name);
  const started = performance.now();
  try {
    const canary = makeCanary(root);
    const dirs = cases.map((c, k) => {
      const dir = path.join(root, `case-${k}`);
      writeFiles(dir, c.files);
      target.setup?.(dir, root);
      return dir;
    });
    for (let index = options.first ?? 0; index < options.cases; index++) {
      const k = index % cases.length;
      const c = cases[k];
      const random = seededRandom((hashString(target.name) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
      options.onCase?.(index, '(making the damage)');
      const mutation = target.mutate ? target.mutate(c.files, c.damage, random, root) : { ...mutate(c.files[c.damage], random) };
      const damaged = path.join(dirs[k], c.damage);
      const opened = path.join(dirs[k], c.open ?? c.damage);
      fs.writeFileSync(damaged, mutation.bytes);
      const extras = [...Object.keys(mutation.extraFiles ?? {}), ...Object.keys(mutation.links ?? {})];
      writeFiles(dirs[k], mutation.extraFiles ?? {});
      for (const [rel, to] of Object.entries(mutation.links ?? {})) {
        fs.rmSync(path.join(dirs[k], rel), { force: true });
        fs.symlinkSync(to, path.join(dirs[k], rel));
      }
      options.onCase?.(index, mutation.what);
      canary.arm();
      const outcome: CaseOutcome = { what: mutation.what, opened: false, noted: false, ms: 0, problems: [] };
      const check = (message: string, kind: string) => {
        if (/[\r\n]/.test(message)) outcome.problems.push(`${kind} of more than one line: ${JSON.stringify(message.slice(0, 400))}`);
        else if (message.length > MAX_MESSAGE) outcome.problems.push(`${kind} of ${message.length} characters (at most ${MAX_MESSAGE}): ${message.slice(0, 400)}`);
        else if (!message.includes(damaged) && !message.includes(opened) && !message.includes(dirs[k])) outcome.problems.push(`${kind} does not name the file: ${message}`);
        else if (message.includes(UNFORESEEN)) outcome.problems.push(`${kind} came from an error no check foresaw: ${message}`);
      };
      const t0 = performance.now();
      let refusal: string | undefined;
      const printed: string[] = [];
      const restoreConsole = options.quietConsole ? captureConsole(printed) : () => undefined;
      try {
        const messages = await target.open(opened);
        outcome.opened = true;
        if (Array.isArray(messages) && messages.length) {
          outcome.noted = true;
          for (const m of messages) check(String(m), 'message');
        }
      } catch (e) {
        if (!isUserError(e)) outcome.problems.push(`not a UserError: ${String((e as Error)?.stack ?? e).slice(0, 600)}`);
        else {
          check(e.message, 'error');
          refusal = e.message;
        }
      }
      restoreConsole();
      if (printed.length) outcome.problems.push(`wrote to the console (a second line on the CLI's stderr): ${printed[0].slice(0, 300)}`);
      outcome.ms = performance.now() - t0;
      if (mutation.mustRefuse && !(refusal && mutation.mustRefuse.test(refusal))) {
        outcome.problems.push(`had to be refused (${mutation.mustRefuse}) but ${refusal ? `gave: ${refusal}` : 'loaded'}`);
      }
      if (canary.wasRead()) outcome.problems.push(`read ${CANARY}, a file outside the model's folder`);
      if (outcome.ms > options.caseLimitMs) outcome.problems.push(`took ${outcome.ms.toFixed(0)} ms (limit ${options.caseLimitMs} ms)`);
      for (const rel of extras) fs.rmSync(path.join(dirs[k], rel), { recursive: true, force: true });
      writeFiles(dirs[k], c.files);
      record(report, target.name, index, outcome);
      options.onResult?.(index, outcome);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  report.ms = performance.now() - started;
  return report;
}

/** Counts one case's outcome into `report`. */
export function record(report: FuzzReport, target: string, index: number, outcome: CaseOutcome): void {
  report.cases++;
  if (outcome.opened) report.opened++;
  else report.rejected++;
  if (outcome.noted) report.noted++;
  if (outcome.ms > report.slowest.ms) report.slowest = { ms: outcome.ms, case: index, what: outcome.what };
  for (const problem of outcome.problems) addFailure(report, { target, case: index, what: outcome.what, problem });
}

/** Replaces console.log/warn/error by a collector; returns the function that puts them back. */
function captureConsole(into: string[]): () => void {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  for (const k of ['log', 'warn', 'error'] as const) console[k] = (...args: unknown[]) => void into.push(`console.${k}: ${args.map(String).join(' ')}`);
  return () => Object.assign(console, saved);
}

function writeFiles(dir: string, files: Record<string, Uint8Array>): void {
  for (const [rel, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), bytes);
  }
}

/**
 * The canary file and FIFO in `root`, outside every case folder. Reading the file updates its access time
 * (relatime updates it when it is older than the modification time): `arm` sets it far in the past,
 * `wasRead` tells whether anything read the file since.
 */
function makeCanary(root: string): { arm(): void; wasRead(): boolean } {
  const file = path.join(root, CANARY);
  const bytes = new Float32Array(CANARY_BYTES / 4).fill(0.03125);
  fs.writeFileSync(file, new Uint8Array(bytes.buffer));
  try {
    execFileSync('mkfifo', [path.join(root, CANARY_FIFO)]);
  } catch {
    // Without mkfifo the FIFO trap is left out; the canary file still is there.
  }
  const past = new Date(1000);
  return {
    arm() {
      fs.utimesSync(file, past, new Date());
    },
    wasRead() {
      return fs.statSync(file).atimeMs > 1000;
    },
  };
}
