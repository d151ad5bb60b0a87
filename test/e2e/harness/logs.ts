// The logs code-server writes under its user-data folder: the extension host's log (activations,
// uncaught errors) and one file per output channel (`exthost1/output_logging_<time>/<n>-<name>.log`).
// Reading them from disk is sturdier than scraping the Output panel.
import * as fs from 'fs';
import * as path from 'path';

function logFiles(userDataDir: string): string[] {
  const root = path.join(userDataDir, 'logs');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)).sort();
}

/** The remote extension host's log (all of them, if it restarted). */
export function extensionHostLog(userDataDir: string): string {
  return logFiles(userDataDir)
    .filter((f) => /exthost\d*[/\\]remoteexthost\.log$/.test(f))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}

/** The text of an output channel such as "Explain Image", or `undefined` if no such channel was created. */
export function outputChannelLog(userDataDir: string, channel: string): string | undefined {
  const files = logFiles(userDataDir).filter((f) => path.basename(f).replace(/^\d+-/, '') === `${channel}.log`);
  return files.length ? files.map((f) => fs.readFileSync(f, 'utf8')).join('\n') : undefined;
}

/**
 * Error entries of the extension host log that concern one extension: an `[error]` line plus the
 * untimestamped lines (stack frames) after it, kept when any of them names the extension's id.
 */
export function extensionErrors(hostLog: string, extensionId: string): string[] {
  const entries: string[] = [];
  let current: string[] | undefined;
  const flush = () => {
    if (current && current.join('\n').toLowerCase().includes(extensionId.toLowerCase())) entries.push(current.join('\n'));
    current = undefined;
  };
  for (const line of hostLog.split('\n')) {
    const stamped = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[/.test(line);
    if (stamped) {
      flush();
      if (line.includes('[error]')) current = [line];
    } else if (current) {
      current.push(line);
    }
  }
  flush();
  return entries;
}

/** Copies the whole logs folder into `dest` (for artifacts). */
export function copyLogs(userDataDir: string, dest: string): void {
  const root = path.join(userDataDir, 'logs');
  if (fs.existsSync(root)) fs.cpSync(root, dest, { recursive: true });
}
