// Where `explain`'s results go, one subject at a time as they come: heatmap PNGs (--out), one JSON
// document (--json, written as a stream), one JSON line per result (--jsonl), or a summary line each.
// Nothing is kept once written, and stdout's backpressure is respected, so a slow reader of a pipe
// slows the run down instead of filling memory.
import { once } from 'events';
import * as path from 'path';
import { encodePng } from '../engine/heatmap/png';
import { renderHeatmap } from '../engine/heatmap/render';
import type { ColormapName } from '../protocol/display';
import type { BackendInfo, ModelCard } from '../protocol/model';
import type { Explanation } from '../protocol/explanation';
import type { BatchSubjectOutcome } from './explainBatches';
import { methodSlug } from './explainInputs';
import { makeOutputFolder, writeOutputFile } from './outputFiles';

export interface ResultWriter {
  /** One subject's explanations (or its error), in input order. */
  write(outcome: BatchSubjectOutcome): Promise<void>;
  /** After the last subject. */
  end(): Promise<void>;
}

/** What a run explains with, known before the first image (from the model-info job). */
export interface RunInfo {
  /** --model as given. */
  model: string;
  card: ModelCard;
  backend: BackendInfo;
}

/** Writes text to a stream, waiting for 'drain' when its buffer is full. */
export class StreamText {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  async write(text: string): Promise<void> {
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
}

/** The JSON of one explanation, as documented in the README (`--json`'s results, `--jsonl`'s lines). */
export function resultRecord(outcome: BatchSubjectOutcome, e: Explanation, card: ModelCard) {
  return {
    image: outcome.subject.name,
    ...outcome.subject.extra,
    method: e.method,
    target: e.target,
    ...(e.contrast !== undefined ? { contrast: e.contrast } : {}),
    prediction: { class: e.predicted, label: card.labels[e.predicted], probabilities: Array.from(e.probabilities) },
    logit: e.logit,
    relevanceSum: e.relevanceSum,
    shape: e.shape,
    relevance: Array.from(e.relevance),
    ms: e.ms,
    ...(e.completenessError !== undefined ? { completenessError: e.completenessError } : {}),
  };
}

function errorRecord(outcome: BatchSubjectOutcome) {
  return { image: outcome.subject.name, ...outcome.subject.extra, error: outcome.error };
}

/** --jsonl: a line per explanation, and a line {"image", "error"} per subject that failed. */
export function jsonLinesWriter(out: StreamText, run: RunInfo): ResultWriter {
  return {
    async write(outcome) {
      if (outcome.error) return out.write(JSON.stringify(errorRecord(outcome)) + '\n');
      for (const e of outcome.explanations) await out.write(JSON.stringify(resultRecord(outcome, e, run.card)) + '\n');
    },
    async end() {},
  };
}

/**
 * --json: one document {"model", "backend", "results": [...], "errors": [...]}, streamed: the results
 * are written as subjects finish; only the errors (one short record per failed image) wait for the end.
 */
export function jsonDocumentWriter(out: StreamText, run: RunInfo): ResultWriter {
  const head = {
    model: run.model,
    backend: run.backend.name,
    backendThreads: run.backend.threads ?? 1,
    ...(run.backend.reason ? { backendReason: run.backend.reason } : {}),
  };
  const errors: ReturnType<typeof errorRecord>[] = [];
  let started = false;
  let first = true;
  const start = async () => {
    if (!started) await out.write(JSON.stringify(head).slice(0, -1) + ',"results":[');
    started = true;
  };
  return {
    async write(outcome) {
      await start();
      if (outcome.error) errors.push(errorRecord(outcome));
      for (const e of outcome.explanations) {
        await out.write((first ? '\n' : ',\n') + JSON.stringify(resultRecord(outcome, e, run.card)));
        first = false;
      }
    },
    async end() {
      await start();
      await out.write(`\n],"errors":${JSON.stringify(errors)}}\n`);
    },
  };
}

/** No --json/--jsonl: one readable line per explanation. */
export function summaryWriter(out: StreamText, run: RunInfo, hint: boolean): ResultWriter {
  return {
    async write(outcome) {
      for (const e of outcome.explanations) await out.write(summaryLine(outcome, e, run) + '\n');
    },
    async end() {
      if (hint) await out.write('(add --out <folder> to save the heatmaps, --json or --jsonl for the numbers)\n');
    },
  };
}

function summaryLine(outcome: BatchSubjectOutcome, e: Explanation, run: RunInfo): string {
  const { labels } = run.card;
  const p = e.probabilities[e.predicted] * 100;
  const name = outcome.subject.extra ? outcome.subject.name : path.relative(process.cwd(), outcome.subject.name);
  return [
    name,
    `predicted ${labels[e.predicted]} (${p.toFixed(1)}%)`,
    e.contrast === undefined ? `target ${labels[e.target]}` : `why ${labels[e.target]} and not ${labels[e.contrast]}`,
    e.method,
    `Σ R = ${e.relevanceSum.toPrecision(4)} · logit ${e.logit.toPrecision(4)}`,
    `${e.ms.toFixed(1)} ms · ${run.backend.name}`,
  ].join(' · ');
}

export interface HeatmapFiles {
  /** A folder (one PNG per subject × method), or the one file when the run has exactly one heatmap. */
  out: string;
  single: boolean;
  colormap: ColormapName;
  scale: number;
}

/** --out: PNGs named <stem>-<method>.png under the folder (subfolders as the stems say). */
export function heatmapFileWriter(options: HeatmapFiles): ResultWriter & { written(): number } {
  const made = new Set<string>();
  let count = 0;
  const ensureDir = (dir: string) => {
    if (!made.has(dir)) makeOutputFolder(dir);
    made.add(dir);
  };
  return {
    async write(outcome) {
      for (const e of outcome.explanations) {
        const png = encodePng(renderHeatmap(e.relevance, e.shape, { colormap: options.colormap, scale: options.scale }));
        const file = options.single ? options.out : path.join(options.out, `${outcome.subject.stem}-${methodSlug(e.method)}.png`);
        ensureDir(path.dirname(path.resolve(file)));
        await writeOutputFile(file, png);
        count++;
      }
    },
    async end() {},
    written: () => count,
  };
}

/** Several writers as one (--out and --jsonl together). */
export function allWriters(writers: ResultWriter[]): ResultWriter {
  return {
    async write(outcome) {
      for (const w of writers) await w.write(outcome);
    },
    async end() {
      for (const w of writers) await w.end();
    },
  };
}
