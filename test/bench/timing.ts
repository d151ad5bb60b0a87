// Small timing helpers for the benchmark.
import * as os from 'os';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall times (ms) of `repeats` runs of `run`, after `warmups` untimed ones. */
export async function timeRuns(run: () => Promise<unknown> | unknown, warmups: number, repeats: number): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * Like `timeRuns`, plus the CPU time the whole process (main thread and workers) spent in the timed runs,
 * in ms. On a shared machine wall time also counts other people's work; CPU time counts only ours.
 */
export async function timeRunsWithCpu(
  run: () => Promise<unknown> | unknown,
  warmups: number,
  repeats: number,
): Promise<{ times: number[]; cpuMs: number }> {
  for (let i = 0; i < warmups; i++) await run();
  const cpuStart = process.cpuUsage();
  const times = await timeRuns(run, 0, repeats);
  const cpu = process.cpuUsage(cpuStart);
  return { times, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The 1, 5 and 15 minute load averages, rounded: the machine is shared, so every report says how busy it was. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round(a, 2), round(b, 2), round(c, 2)];
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
