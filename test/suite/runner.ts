// A small in-process test runner for code that must run inside an extension host (desktop VS Code via
// @vscode/test-electron, or code-server). Node 20's node:test cannot run tests in-process and report
// them back to a caller (its `run()` spawns child processes; in-process isolation came in Node 22),
// so the cases are plain async functions with node:assert/strict, run one after another.

export interface SuiteCase {
  name: string;
  run(): Promise<void>;
}

export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  /** The error's message and stack, when the case failed. */
  error?: string;
}

export async function runCases(cases: SuiteCase[], log: (line: string) => void = () => {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const started = Date.now();
    try {
      await c.run();
      results.push({ name: c.name, ok: true, ms: Date.now() - started });
      log(`ok - ${c.name}`);
    } catch (e) {
      const error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
      results.push({ name: c.name, ok: false, ms: Date.now() - started, error });
      log(`not ok - ${c.name}\n  ${error.split('\n').join('\n  ')}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  log(`${results.length - failed} passed, ${failed} failed`);
  return results;
}
