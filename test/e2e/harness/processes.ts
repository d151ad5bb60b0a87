// Child processes the harness starts: run-to-completion commands with captured output, and long-lived
// servers in their own process group so that one kill stops the whole tree (code-server forks several).
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion; rejects with the tail of its output when it fails or runs too long. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number; echo?: boolean } = {},
): Promise<RunResult> {
  const { timeoutMs = 10 * 60_000, echo = false, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} ran longer than ${timeoutMs} ms\n${tail(output)}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ code, output });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${tail(output)}`));
    });
  });
}

/** The last lines of a long output, which is where tools say what went wrong. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts a long-lived process as the leader of a new process group. */
export function startGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  // Killing the group synchronously on exit covers a test process that ends without running `finally`.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  return child;
}

/** Sends a signal to a child's whole process group; a group already gone is not an error. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nothing left to stop.
  }
}

/** Stops a process group: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // the leader is gone but its forks may not be
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'late') killGroup(child, 'SIGKILL');
  killGroup(child, 'SIGKILL'); // forks that outlived their leader
}
