// CSV files in the common MNIST layout: one image per line, "label,p0,...,p783" (785 values) or just the 784
// pixels, with an optional header line. One streaming pass at open records where each line starts (and
// the labels); reads then seek to those offsets and parse only the lines asked for.
import * as fs from 'fs';
import { UserError } from '../errors';
import { openFileSource } from './byteSource';
import type { Dataset } from './datasetFile';
import { checkSampleRange, scaleSampleIndices, valueScaleFromMax } from './pixels';

/** CSV files have no shape of their own: the MNIST CSV layout (28×28 grey) is the one we read. */
const IMAGE_HEIGHT = 28;
const IMAGE_WIDTH = 28;
const IMAGE_PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH;

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** No sane header or image line is this long; a file that has one is not an image CSV. */
const MAX_FIRST_LINE_BYTES = 1 << 20;

/** Where each sample's line is, found by the one pass over the file. */
interface CsvIndex {
  count: number;
  /** Byte offset of each sample's line. */
  rowStarts: Float64Array;
  /** 1-based line number of each sample, for messages. */
  rowLines: Uint32Array;
  labels: Uint8Array | null;
  /** 785 (label first) or 784 (pixels only). */
  columns: number;
  size: number;
}

export async function openCsv(path: string): Promise<Dataset> {
  const index = await indexCsv(path);
  const file = await openFileSource(path);
  const { count, rowStarts } = index;
  const bytesOf = (start: number, n: number) => {
    const from = rowStarts[start];
    const to = start + n < count ? rowStarts[start + n] : index.size;
    return file.read(from, to - from);
  };
  try {
    // CSV text has no dtype: every file gets the float rule (sampled values all ≤ 1 → [0,1]).
    let max = -Infinity;
    for (const i of scaleSampleIndices(count)) max = Math.max(max, parseRows(await bytesOf(i, 1), i, 1, index, 1, path).max);
    const valueScale = valueScaleFromMax(max);
    return {
      path,
      format: 'csv',
      count,
      height: IMAGE_HEIGHT,
      width: IMAGE_WIDTH,
      channels: 1,
      labels: index.labels,
      labelSource: index.labels ? 'first column' : undefined,
      valueScale,
      notes: [],
      unreadable: new Map(),
      async read(start, n) {
        checkSampleRange(start, n, count);
        if (n === 0) return new Uint8Array(0);
        return parseRows(await bytesOf(start, n), start, n, index, valueScale === 1 ? 255 : 1, path).pixels;
      },
      close: () => file.close(),
    };
  } catch (e) {
    await file.close();
    throw e;
  }
}

/** The streaming pass: line offsets, value counts per line, labels, and whether line 1 is a header. */
async function indexCsv(path: string): Promise<CsvIndex> {
  const lines = new LineCollector(path);
  // State of the line being scanned: plain locals, so the per-byte loop stays fast.
  let line = 1;
  let lineStart = 0;
  let commas = 0;
  let blank = true;
  let firstField = ''; // the label, when the file has labels (capped: only for parsing and messages)
  let inFirstField = true;
  let position = 0;
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let i = 0;
    if (position === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = lineStart = 3; // UTF-8 BOM
    let partStart = i;
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF) {
        if (lines.columns === 0) lines.keepFirstLine(chunk.subarray(partStart, i));
        lines.endLine(line, lineStart, commas + 1, blank, firstField);
        line++;
        lineStart = position + i + 1;
        commas = 0;
        blank = true;
        firstField = '';
        inFirstField = true;
        partStart = i + 1;
      } else if (b === COMMA) {
        commas++;
        blank = false;
        inFirstField = false;
      } else if (b !== SPACE && b !== TAB && b !== CR) {
        blank = false;
        if (inFirstField && firstField.length < 16) firstField += String.fromCharCode(b);
      }
    }
    if (lines.columns === 0) lines.keepFirstLine(chunk.subarray(partStart));
    position += chunk.length;
  }
  lines.endLine(line, lineStart, commas + 1, blank, firstField);
  return lines.finish(position);
}

/** What the streaming pass learns, one line at a time. */
class LineCollector {
  private rowStarts = new Float64Array(1024);
  private rowLines = new Uint32Array(1024);
  private labels = new Uint8Array(1024);
  private count = 0;
  private hasHeader = false;
  /** 0 until the first non-blank line has been seen. */
  columns = 0;
  private firstLine: Uint8Array[] = [];
  private firstLineBytes = 0;

  constructor(private readonly path: string) {}

  /** Bytes of the first line, kept until it ends so it can be split into fields. */
  keepFirstLine(part: Uint8Array): void {
    this.firstLine.push(part);
    this.firstLineBytes += part.length;
    if (this.firstLineBytes > MAX_FIRST_LINE_BYTES) throw new UserError('not an image CSV: the first line is longer than 1 MB', this.path);
  }

  endLine(line: number, start: number, values: number, blank: boolean, firstField: string): void {
    const firstLine = this.firstLine;
    this.firstLine = [];
    this.firstLineBytes = 0;
    if (blank) return;
    if (this.columns === 0) {
      const fields = Buffer.concat(firstLine).toString('utf8').split(',');
      this.columns = fields.length;
      if (this.columns !== IMAGE_PIXELS + 1 && this.columns !== IMAGE_PIXELS) {
        throw new UserError(`line ${line} has ${this.columns} values; expected 785 (label + 784 pixels) or 784 (pixels only)`, this.path);
      }
      this.hasHeader = fields.some((f) => !isNumber(f));
      if (this.hasHeader) return;
    } else if (values !== this.columns) {
      const layout = this.columns === IMAGE_PIXELS + 1 ? 'label + 784 pixels' : '784 pixels';
      throw new UserError(`line ${line} has ${values} values, expected ${this.columns} (${layout})`, this.path);
    }
    this.addRow(line, start, firstField);
  }

  private addRow(line: number, start: number, firstField: string): void {
    const count = this.count;
    if (count === this.rowStarts.length) {
      this.rowStarts = grow(this.rowStarts, new Float64Array(count * 2));
      this.rowLines = grow(this.rowLines, new Uint32Array(count * 2));
      this.labels = grow(this.labels, new Uint8Array(count * 2));
    }
    this.rowStarts[count] = start;
    this.rowLines[count] = line;
    if (this.columns === IMAGE_PIXELS + 1) this.labels[count] = parseLabel(firstField, line, this.path);
    this.count++;
  }

  finish(size: number): CsvIndex {
    if (this.count === 0) throw new UserError(this.hasHeader ? 'CSV has a header but no data lines' : 'CSV has no data lines', this.path);
    return {
      count: this.count,
      rowStarts: this.rowStarts,
      rowLines: this.rowLines,
      labels: this.columns === IMAGE_PIXELS + 1 ? this.labels.slice(0, this.count) : null,
      columns: this.columns,
      size,
    };
  }
}

/**
 * Parses n consecutive samples from the bytes of their lines into pixels (value × factor, rounded and
 * clamped by Uint8ClampedArray); also returns the largest raw value, for the scale rule. Blank lines are
 * skipped. Integers are parsed byte by byte; anything else (0.5, 1e-3) goes through Number().
 * No closures here: variables they captured would live on the heap and make this loop ~50× slower.
 */
function parseRows(bytes: Uint8Array, firstRow: number, n: number, index: CsvIndex, factor: number, path: string) {
  const pixels = new Uint8ClampedArray(n * IMAGE_PIXELS);
  const skip = index.columns - IMAGE_PIXELS; // 1 when the first column is the label
  let max = -Infinity;
  let row = 0;
  let column = 0;
  let lineHasContent = false;
  let fieldStart = -1;
  let fieldEnd = -1;
  let integer = 0;
  let isInteger = true;

  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? bytes[i] : LF;
    if (b === COMMA || b === LF) {
      if (b === LF && !lineHasContent && column === 0) continue; // blank line
      if (row >= n || column >= index.columns) throw changedError(index, firstRow + row, path);
      if (column >= skip) {
        const value = fieldStart < 0 ? NaN : isInteger ? integer : Number(latin1(bytes, fieldStart, fieldEnd));
        if (!Number.isFinite(value)) {
          const what = fieldStart < 0 ? 'empty value' : `'${latin1(bytes, fieldStart, fieldEnd)}'`;
          throw new UserError(`line ${index.rowLines[firstRow + row]}: ${what} is not a number`, path);
        }
        pixels[row * IMAGE_PIXELS + column - skip] = value * factor;
        if (value > max) max = value;
      }
      column++;
      fieldStart = fieldEnd = -1;
      integer = 0;
      isInteger = true;
      if (b === LF) {
        if (column !== index.columns) throw changedError(index, firstRow + row, path);
        row++;
        column = 0;
        lineHasContent = false;
      }
    } else if (b === SPACE || b === TAB || b === CR) {
      if (fieldStart >= 0) isInteger = false; // "1 2" must not pass as 12: let Number() judge the field
    } else {
      lineHasContent = true;
      if (fieldStart < 0) fieldStart = i;
      fieldEnd = i + 1;
      if (b >= DIGIT_0 && b <= DIGIT_9) integer = integer * 10 + (b - DIGIT_0);
      else isInteger = false;
    }
  }
  if (row !== n) throw changedError(index, firstRow + n - 1, path);
  return { pixels: new Uint8Array(pixels.buffer), max };
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** The lines no longer match the index built at open (the file was edited meanwhile). */
function changedError(index: CsvIndex, sample: number, path: string): UserError {
  const line = index.rowLines[Math.min(sample, index.count - 1)];
  return new UserError(`line ${line} changed since the file was opened; reopen it`, path);
}

function parseLabel(text: string, line: number, path: string): number {
  const value = text === '' ? NaN : Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new UserError(`line ${line}: label '${text}' is not an integer from 0 to 255`, path);
  }
  return value;
}

function isNumber(field: string): boolean {
  const text = field.replace(/^\uFEFF/, '').trim();
  return text !== '' && Number.isFinite(Number(text));
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}
