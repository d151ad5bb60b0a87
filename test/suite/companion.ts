// The same integration cases, run inside code-server's extension host. This is a second, test-only
// extension installed beside Explain Image: on startup it reads the setting
// `explainImageSuite.resultsFile` and, when it is set, runs the cases and writes their results there
// as JSON for the e2e harness. Explain Image itself needs no test hook.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { cases } from './cases';
import { runCases } from './runner';

export async function activate(): Promise<void> {
  const resultsFile = vscode.workspace.getConfiguration('explainImageSuite').get<string>('resultsFile');
  if (!resultsFile) return;
  const log = vscode.window.createOutputChannel('Explain Image Suite');
  const results = await runCases(cases, (line) => log.appendLine(line));
  fs.writeFileSync(`${resultsFile}.partial`, JSON.stringify(results, null, 2));
  fs.renameSync(`${resultsFile}.partial`, resultsFile); // the harness never reads a half-written file
}

export function deactivate(): void {}
