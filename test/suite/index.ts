// Entry point for @vscode/test-electron (`extensionTestsPath`): VS Code calls `run()` inside its
// extension host once the window is up; a rejected promise makes the run fail.
import { cases } from './cases';
import { runCases } from './runner';

export async function run(): Promise<void> {
  const results = await runCases(cases, (line) => console.log(line));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new Error(`${failed.length} of ${results.length} integration cases failed`);
}
