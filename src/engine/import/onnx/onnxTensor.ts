// Values of ONNX tensors (initializers, Constant nodes, attributes): float types become Float32Array, integer
// types a number[] (shapes, axes, pads: small), in row-major order with their dims. Raw bytes, the typed
// repeated fields, float16/bfloat16 and external data files beside the model are all read here; a tensor
// whose bytes do not match its dims is refused with its name.
import * as fs from 'fs';
import { onnx } from 'onnx-proto';
import { checkBudget, countOf } from '../../budgets';
import { shown, UserError } from '../../errors';
import { openInsideFolder, readExactly } from '../confinedFiles';
import { toInt } from './onnxFile';

const T = onnx.TensorProto.DataType;

export type TensorValues =
  | { type: 'float'; dims: number[]; data: Float32Array }
  | { type: 'int'; dims: number[]; data: number[] };

/** Bytes per element of the types that are read. */
const BYTES: Partial<Record<number, number>> = {
  [T.FLOAT]: 4,
  [T.DOUBLE]: 8,
  [T.FLOAT16]: 2,
  [T.BFLOAT16]: 2,
  [T.INT64]: 8,
  [T.INT32]: 4,
  [T.INT16]: 2,
  [T.INT8]: 1,
  [T.UINT8]: 1,
  [T.UINT16]: 2,
  [T.UINT32]: 4,
  [T.UINT64]: 8,
  [T.BOOL]: 1,
};

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k.toLowerCase()]));

export interface TensorContext {
  /** The .onnx file, named in errors. */
  file: string;
  /** Where external data files are looked up: the model's folder. */
  dir: string;
  /** External data files read so far (for the model cache's change detection), absolute paths. */
  externalFiles: Set<string>;
  /** Bytes of external data read so far (checked against the model budget). */
  externalBytes?: number;
}

export function tensorValues(t: onnx.ITensorProto, what: string, ctx: TensorContext): TensorValues {
  checkBudget('tensorRank', t.dims?.length ?? 0, `${what}'s shape`, ctx.file);
  const dims = (t.dims ?? []).map(toInt);
  const type = t.dataType ?? T.UNDEFINED;
  const count = countOf(dims);
  const perElement = BYTES[type];
  if (perElement === undefined) {
    throw new UserError(`${what} has data type ${TYPE_NAMES[type] ?? type}, which is not supported (float, float16, bfloat16, double and integer types are)`, ctx.file);
  }
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new UserError(`${what} has invalid dims ${shown(dims)}; the file is damaged`, ctx.file);
  const raw = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL ? externalBytes(t, what, ctx) : t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * perElement) {
      throw new UserError(
        `${what} has ${raw.length} bytes of data but its shape [${dims}] of ${TYPE_NAMES[type]} needs ${count * perElement}`,
        ctx.file,
      );
    }
    return fromBytes(raw, type, dims, count);
  }
  const typed = typedField(t, type);
  if (typed.length !== count) {
    throw new UserError(`${what} has ${typed.length} values but its shape [${dims}] needs ${count}`, ctx.file);
  }
  switch (type) {
    case T.FLOAT:
    case T.DOUBLE:
      return { type: 'float', dims, data: Float32Array.from(typed as number[]) };
    case T.FLOAT16:
      return { type: 'float', dims, data: Float32Array.from(typed as number[], (bits) => halfToFloat(bits & 0xffff)) };
    case T.BFLOAT16:
      return { type: 'float', dims, data: Float32Array.from(typed as number[], (bits) => bfloat16ToFloat(bits & 0xffff)) };
    default:
      return { type: 'int', dims, data: (typed as Array<number | { toNumber(): number }>).map((v) => toInt(v as number)) };
  }
}

/** The repeated field ONNX keeps each type's values in when there is no raw_data. */
function typedField(t: onnx.ITensorProto, type: number): ArrayLike<unknown> {
  switch (type) {
    case T.FLOAT:
      return t.floatData ?? [];
    case T.DOUBLE:
      return t.doubleData ?? [];
    case T.INT64:
      return t.int64Data ?? [];
    case T.UINT32:
    case T.UINT64:
      return t.uint64Data ?? [];
    default:
      // int32, int16, int8, uint8, uint16, bool, float16 and bfloat16 (as their bits) live in int32_data.
      return t.int32Data ?? [];
  }
}

function fromBytes(raw: Uint8Array, type: number, dims: number[], count: number): TensorValues {
  // raw_data is a view at any offset into the file. Floats at a 4-byte boundary are read in place (the
  // translation copies what it keeps); otherwise the bytes are copied to an aligned buffer first (a
  // Buffer's slice() would be another view, the Uint8Array constructor copies).
  if (type === T.FLOAT && raw.byteOffset % 4 === 0) return { type: 'float', dims, data: new Float32Array(raw.buffer, raw.byteOffset, count) };
  const aligned = new Uint8Array(raw);
  const view = new DataView(aligned.buffer, aligned.byteOffset, aligned.byteLength);
  switch (type) {
    case T.FLOAT:
      return { type: 'float', dims, data: new Float32Array(aligned.buffer, aligned.byteOffset, count) };
    case T.DOUBLE:
      return { type: 'float', dims, data: Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, count)) };
    case T.FLOAT16:
      return { type: 'float', dims, data: Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true))) };
    case T.BFLOAT16:
      return { type: 'float', dims, data: Float32Array.from({ length: count }, (_, i) => bfloat16ToFloat(view.getUint16(2 * i, true))) };
  }
  const data = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case T.INT64:
        data[i] = Number(view.getBigInt64(8 * i, true));
        break;
      case T.UINT64:
        data[i] = Number(view.getBigUint64(8 * i, true));
        break;
      case T.INT32:
        data[i] = view.getInt32(4 * i, true);
        break;
      case T.UINT32:
        data[i] = view.getUint32(4 * i, true);
        break;
      case T.INT16:
        data[i] = view.getInt16(2 * i, true);
        break;
      case T.UINT16:
        data[i] = view.getUint16(2 * i, true);
        break;
      case T.INT8:
        data[i] = view.getInt8(i);
        break;
      default: // uint8, bool
        data[i] = view.getUint8(i);
    }
  }
  return { type: 'int', dims, data };
}

/**
 * Bytes of an initializer stored outside the .onnx file (`location`, `offset`, `length` entries, the
 * location relative to the model's folder). Never a URL, never outside the model's folder (symlinks
 * followed), only regular files, and no more bytes than the model budget allows (confinedFiles.ts).
 */
function externalBytes(t: onnx.ITensorProto, what: string, ctx: TensorContext): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new UserError(`${what} is stored as external data but names no file ("location"); the file is damaged`, ctx.file);
  const role = { errorFile: ctx.file, what: `${what}'s external data file ${shown(location, 40)}` };
  const opened = openInsideFolder(ctx.file, location, role);
  ctx.externalFiles.add(opened.path);
  try {
    const offset = Number(entries.get('offset') ?? 0);
    const lengthText = entries.get('length');
    const length = lengthText === undefined ? opened.size - offset : Number(lengthText);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > opened.size) {
      throw new UserError(
        `${what} needs bytes ${offset}…${offset + length} of its external data file ${shown(location, 40)}, which has ${opened.size} bytes; the model and its data file do not belong together`,
        ctx.file,
      );
    }
    ctx.externalBytes = (ctx.externalBytes ?? 0) + length;
    checkBudget('modelBytes', ctx.externalBytes, `the external data the model reads (up to ${what})`, ctx.file);
    return readExactly(opened, offset, length, role);
  } finally {
    fs.closeSync(opened.fd);
  }
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 is the top half of a float32. */
function bfloat16ToFloat(b: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, b << 16);
  return view.getFloat32(0);
}
