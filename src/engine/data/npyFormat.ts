// The NumPy .npy format (versions 1.0, 2.0, 3.0): magic "\x93NUMPY", version, header length, a Python
// dict literal {'descr', 'fortran_order', 'shape'}, then the raw elements. The header and 1-D label
// arrays; the images are npyReader.ts's.
import { UserError } from '../errors';
import { formatShape } from './arrayLayout';
import { ByteSource, readHead } from './byteSource';

export interface NpyHeader {
  /** The dtype string as stored, e.g. '|u1', '<f4'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Where the elements start, from the beginning of the .npy data. */
  dataOffset: number;
}

const MAGIC = '\x93NUMPY';
/** The first bytes of any .npy: magic, version, and a header length of 2 (v1) or 4 (v2, v3) bytes. */
const PREAMBLE_BYTES = 12;

/** Parses the header of the .npy held by `source`. `where` names it in messages (file, or file and entry). */
export async function readNpyHeader(source: ByteSource, where: string): Promise<NpyHeader> {
  const preamble = await readHead(source, PREAMBLE_BYTES);
  const magic = Buffer.from(preamble.subarray(0, 6)).toString('latin1');
  if (magic !== MAGIC) {
    throw new UserError(`not a NumPy .npy array: starts with 0x${Buffer.from(preamble.subarray(0, 6)).toString('hex')}, expected 0x934e554d5059`, where);
  }
  if (preamble.length < PREAMBLE_BYTES) throw new UserError('truncated .npy header', where);
  const major = preamble[6];
  const view = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) [headerStart, headerLength] = [10, view.getUint16(8, true)];
  else if (major === 2 || major === 3) [headerStart, headerLength] = [12, view.getUint32(8, true)];
  else throw new UserError(`unsupported .npy format version ${major}.${preamble[7]} (supported: 1.0, 2.0, 3.0)`, where);
  if (headerStart + headerLength > source.size) throw new UserError('truncated .npy header', where);

  const text = Buffer.from(await source.read(headerStart, headerLength)).toString(major === 3 ? 'utf8' : 'latin1');
  const header = { ...parseHeaderDict(text, where), dataOffset: headerStart + headerLength };
  const byteLength = elementCount(header.shape) * itemSize(header.descr);
  if (header.dataOffset + byteLength > source.size) {
    throw new UserError(
      `truncated .npy: shape ${formatShape(header.shape)} of ${header.descr} needs ${byteLength} bytes of data, there are ${source.size - header.dataOffset}`,
      where,
    );
  }
  return header;
}

/** The header is a Python dict literal; three regular expressions read the three keys numpy writes. */
function parseHeaderDict(text: string, where: string): Omit<NpyHeader, 'dataOffset'> {
  if (/descr['"]\s*:\s*\[/.test(text)) throw new UserError('unsupported dtype: a structured (record) array', where);
  const descr = /descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new UserError(`malformed .npy header: ${printable(text.trim(), 120)}`, where);
  }
  // Every dtype we read is a simple one ('|u1', '<f4', '<i8'); anything else is refused here, named safely.
  if (!/^[<>|=]?[a-zA-Z]\d*$/.test(descr)) throw new UserError(`unsupported dtype '${printable(descr, 40)}'`, where);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, '')) // Python 2 wrote long integers as 60000L
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new UserError(`malformed .npy shape (${printable(shapeText, 60)})`, where);
  return { descr, fortranOrder: fortran === 'True', shape };
}

/** Bytes per element from a dtype string such as '<f4' (the trailing number); 0 if it has none. */
export function itemSize(descr: string): number {
  const size = Number(/(\d+)$/.exec(descr)?.[1] ?? 0);
  return Number.isFinite(size) ? size : 0;
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function describeDtype(descr: string): string {
  const names: Record<string, string> = { f: 'float', i: 'int', u: 'uint', b: 'bool', c: 'complex', U: 'unicode', S: 'bytes', O: 'object' };
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) return `'${descr}'`;
  const kind = m[2] === 'b' ? 'bool' : `${names[m[2]] ?? m[2]}${m[3] && !'USO'.includes(m[2]) ? Number(m[3]) * 8 : ''}`;
  return `${kind} ('${descr}'${m[1] === '>' ? ', big-endian' : ''})`;
}

const LABEL_DTYPES = ['|u1', '<u1', 'u1', '|i1', '<i1', 'i1', '<u2', '<i2', '<u4', '<i4', '<u8', '<i8'];

/** Reads a 1-D integer array of class labels (0..255), e.g. y_train of an .npz. */
export async function readNpyLabels(source: ByteSource, header: NpyHeader, where: string): Promise<Uint8Array> {
  if (header.shape.length !== 1) throw new UserError(`labels must be a 1-D array, got shape ${formatShape(header.shape)}`, where);
  if (!LABEL_DTYPES.includes(header.descr)) {
    throw new UserError(`unsupported dtype ${describeDtype(header.descr)} for labels; supported: signed and unsigned integers`, where);
  }
  const count = header.shape[0];
  const size = itemSize(header.descr);
  const signed = header.descr.includes('i');
  const bytes = await source.read(header.dataOffset, count * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const value =
      size === 1 ? (signed ? view.getInt8(at) : view.getUint8(at))
      : size === 2 ? (signed ? view.getInt16(at, true) : view.getUint16(at, true))
      : size === 4 ? (signed ? view.getInt32(at, true) : view.getUint32(at, true))
      : Number(signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true));
    if (value < 0 || value > 255) throw new UserError(`label ${value} at index ${i} is outside 0..255`, where);
    labels[i] = value;
  }
  return labels;
}

/** Header text for a message: at most `max` characters, control and non-ASCII characters as \xNN / \uNNNN. */
function printable(text: string, max: number): string {
  const cut = text.length > max ? text.slice(0, max) + '…' : text;
  return cut.replace(/[^\x20-\x7e…]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
