// The stderr of a long `explain`: a progress line redrawn in place when stderr is a terminal (never in
// a pipe or a log file, where it would be noise), and the lines that must stay (a bad file, a note)
// printed above it.

/** How often the line is redrawn at most. */
const REDRAW_MS = 200;

export class Progress {
  private done = 0;
  private failed = 0;
  private lastDraw = 0;
  private shown = false;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly live = Boolean(stream.isTTY),
  ) {}

  /** A line that stays: printed above the progress line. */
  log(line: string): void {
    this.clear();
    this.stream.write(line + '\n');
    this.draw(true);
  }

  /** `n` more subjects finished, `failed` of them without a heatmap. */
  advance(n: number, failed: number): void {
    this.done += n;
    this.failed += failed;
    this.draw(false);
  }

  /** Removes the line once the run is over. */
  finish(): void {
    this.clear();
  }

  /** "1,234 / 60,000 images · 412/s · 2:25 left · 3 failed" */
  line(now = Date.now()): string {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const parts = [`${this.done.toLocaleString('en-US')} / ${this.total.toLocaleString('en-US')} images`];
    if (rate > 0) {
      parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`);
      if (this.done < this.total) parts.push(`${clock((this.total - this.done) / rate)} left`);
    }
    if (this.failed) parts.push(`${this.failed} failed`);
    return parts.join(' · ');
  }

  private draw(force: boolean): void {
    if (!this.live) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.stream.write(`\r\x1b[2K${this.line(now)}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.live && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** Seconds as m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}
