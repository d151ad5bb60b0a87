// The output step shared by `evaluate` and `evaluate --randomise`.
import type { Options } from './options';
import { writeOutputFile } from './outputFiles';

/**
 * What both evaluations print: one line per unreadable image on stderr, then the chart (--out) and the JSON
 * document or the table. Exit code 1 when an image could not be read (0 otherwise).
 */
export async function report(
  evaluation: { images: Array<{ error?: string }>; results: unknown[] },
  opts: Options,
  output: { chart(): { png: Uint8Array; size: string }; json(): unknown; table(): string },
): Promise<number> {
  const unreadable = evaluation.images.filter((image) => image.error);
  for (const image of unreadable) process.stderr.write(`explain-image: ${image.error}\n`);
  if (evaluation.results.length === 0) return 1;
  if (opts.out) {
    const chart = output.chart();
    await writeOutputFile(opts.out, chart.png);
    process.stderr.write(`wrote ${opts.out} (${chart.size})\n`);
  }
  process.stdout.write(opts.json ? JSON.stringify(output.json()) + '\n' : output.table());
  return unreadable.length ? 1 : 0;
}
