// The output step shared by `evaluate` and `evaluate --randomise`.
import type { Options } from './options';

/**
 * What both evaluations print: one line per unreadable image on stderr, then the chart (--out) and the JSON
 * document or the table. Exit code 1 when an image could not be read (0 otherwise).
 */
export function report(
  evaluation: { images: Array<{ error?: string }>; results: unknown[] },
  opts: Options,
  output: { chart(out: string): void; json(): unknown; table(): string },
): number {
  const unreadable = evaluation.images.filter((image) => image.error);
  for (const image of unreadable) process.stderr.write(`explain-image: ${image.error}\n`);
  if (evaluation.results.length === 0) return 1;
  if (opts.out) output.chart(opts.out);
  process.stdout.write(opts.json ? JSON.stringify(output.json()) + '\n' : output.table());
  return unreadable.length ? 1 : 0;
}
