// Runs one fuzz target: damages its valid cases over and over (seeded, so case k is always the same
// file), opens each damaged case the way the product does, and records every way the contract broke:
// an error that is not a UserError, a message of more than one line or not naming the file, a message
// that only the readers' last-resort guard produced (UNFORESEEN), or a case slower than the bound.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNFORESEEN } from '../../../src/engine/data/datasetFile';
import { isUserError } from '../../../src/engine/errors';
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
  /** A case taking longer than this is a failure (the reader must not hang or crawl on bad input). */
  caseLimitMs: number;
  /** Called before each case, so a watchdog can tell which case hung. */
  onCase?: (index: number, what: string) => void;
}

const KEPT_FAILURES = 20;

export async function fuzzTarget(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  // Plain copies: a Buffer's slice() is a view, and the mutations must never touch the valid files.
  const cases = target.cases().map((c) => ({ ...c, files: Object.fromEntries(Object.entries(c.files).map(([k, v]) => [k, new Uint8Array(v)])) }));
  const root = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), `explain-image-fuzz-${target.name.replace(/\W+/g, '-')}-`));
  const report: FuzzReport = { target: target.name, cases: 0, opened: 0, rejected: 0, noted: 0, ms: 0, slowest: { ms: 0, case: -1, what: '' }, failures: [], failureCount: 0 };
  const fail = (index: number, what: string, problem: string) => {
    report.failureCount++;
    if (report.failures.length < KEPT_FAILURES) report.failures.push({ target: target.name, case: index, what, problem });
  };
  const started = performance.now();
  try {
    const dirs = cases.map((c, k) => {
      const dir = path.join(root, `case-${k}`);
      for (const [rel, bytes] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), bytes);
      }
      return dir;
    });
    for (let index = 0; index < options.cases; index++) {
      const k = index % cases.length;
      const c = cases[k];
      const random = seededRandom((hashString(target.name) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
      const mutation = mutate(c.files[c.damage], random);
      const damaged = path.join(dirs[k], c.damage);
      const opened = path.join(dirs[k], c.open ?? c.damage);
      fs.writeFileSync(damaged, mutation.bytes);
      options.onCase?.(index, mutation.what);
      const t0 = performance.now();
      const check = (message: string, kind: string) => {
        if (/[\r\n]/.test(message)) fail(index, mutation.what, `${kind} of more than one line: ${JSON.stringify(message)}`);
        else if (!message.includes(damaged) && !message.includes(opened)) fail(index, mutation.what, `${kind} does not name the file: ${message}`);
        else if (message.includes(UNFORESEEN)) fail(index, mutation.what, `${kind} came from an error no check foresaw: ${message}`);
      };
      try {
        const messages = await target.open(opened);
        report.opened++;
        if (Array.isArray(messages) && messages.length) {
          report.noted++;
          for (const m of messages) check(String(m), 'message');
        }
      } catch (e) {
        report.rejected++;
        if (!isUserError(e)) fail(index, mutation.what, `not a UserError: ${(e as Error)?.stack ?? e}`);
        else check(e.message, 'error');
      }
      const ms = performance.now() - t0;
      if (ms > report.slowest.ms) report.slowest = { ms, case: index, what: mutation.what };
      if (ms > options.caseLimitMs) fail(index, mutation.what, `took ${ms.toFixed(0)} ms (limit ${options.caseLimitMs} ms)`);
      report.cases++;
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  report.ms = performance.now() - started;
  return report;
}
