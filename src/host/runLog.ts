// The "Explain Image" output channel's run lines: one per explain, comparison, dataset prediction, model
// change and method change, each "<ISO time> [kind] field · field · …" so a user can tell from Show Log
// what ran on which file with which model, method and target, and how long it took.
import type * as vscode from 'vscode';

export type RunKind = 'explain' | 'compare' | 'dataset' | 'model' | 'method' | 'export' | 'faithfulness' | 'concepts' | 'strategies' | 'display';

/** One line: timestamp, kind, then the fields that are set, joined by " · ". */
export function runLine(kind: RunKind, fields: Array<string | undefined | false>, now = new Date()): string {
  return `${now.toISOString()} [${kind}] ${fields.filter((f): f is string => typeof f === 'string' && f.length > 0).join(' · ')}`;
}

export function logRun(log: Pick<vscode.OutputChannel, 'appendLine'>, kind: RunKind, fields: Array<string | undefined | false>): void {
  log.appendLine(runLine(kind, fields));
}

/** "12 ms", "1.4 s": wall time of a run as the log shows it. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
