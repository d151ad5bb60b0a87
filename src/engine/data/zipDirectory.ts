// Just enough of the ZIP format to read an .npz or a .keras archive: the central directory at the end of the
// file (with its ZIP64 extensions, which numpy's savez always asks for), and each entry's data, stored or
// deflated. The sizes come from the central directory, never from local headers (numpy's can say
// 0xFFFFFFFF); every offset and count is checked against the file before it is followed, the entry count
// against the budget (a ZIP64 record may claim 10^8 entries), and an entry read whole is inflated as a
// stream that stops at its declared size (a zip bomb declares little and inflates to gigabytes).
import { Inflate, inflateSync } from 'fflate';
import { checkBudget, type BudgetName } from '../budgets';
import { shown, UserError } from '../errors';
import { ByteSource, formatMB, memorySource, sliceSource } from './byteSource';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_EXTRA_ID = 0x0001;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;

/** `kind` names the format in messages: ".npz (zip)", ".keras (zip)". */
export async function readZipDirectory(file: ByteSource, where: string, kind = '.npz (zip)'): Promise<ZipEntry[]> {
  const tailLength = Math.min(file.size, EOCD_BYTES + MAX_COMMENT);
  const tailStart = file.size - tailLength;
  const tail = view(await file.read(tailStart, tailLength));
  let eocd = -1;
  for (let at = tailLength - EOCD_BYTES; at >= 0; at--) {
    if (tail.getUint32(at, true) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new UserError(`not a valid ${kind} file: end of central directory not found`, where);

  let entryCount = tail.getUint16(eocd + 10, true);
  let directorySize = tail.getUint32(eocd + 12, true);
  let directoryOffset = tail.getUint32(eocd + 16, true);
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) {
      throw new UserError(`not a valid ${kind} file: ZIP64 locator missing`, where);
    }
    const zip64At = u64(tail, locator + 8);
    if (zip64At + 56 > file.size) throw new UserError(`not a valid ${kind} file: its ZIP64 record lies beyond the end`, where);
    const zip64 = view(await file.read(zip64At, 56));
    if (zip64.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw new UserError(`not a valid ${kind} file: bad ZIP64 record`, where);
    entryCount = u64(zip64, 32);
    directorySize = u64(zip64, 40);
    directoryOffset = u64(zip64, 48);
  }
  if (directoryOffset + directorySize > file.size) throw new UserError(`truncated ${kind} file: central directory beyond the end`, where);
  // Each entry takes at least 46 bytes of the directory: a count the directory cannot hold is a lie.
  if (entryCount * 46 > directorySize) throw new UserError(`not a valid ${kind} file: ${entryCount} entries claimed in a central directory of ${directorySize} bytes`, where);
  checkBudget('zipEntries', entryCount, `the ${kind} central directory`, where);
  checkBudget('zipDirectoryBytes', directorySize, `the ${kind} central directory`, where);

  const directory = view(await file.read(directoryOffset, directorySize));
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < entryCount; i++) {
    if (at + 46 > directorySize || directory.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new UserError(`not a valid ${kind} file: broken central directory`, where);
    }
    const nameLength = directory.getUint16(at + 28, true);
    const extraLength = directory.getUint16(at + 30, true);
    const commentLength = directory.getUint16(at + 32, true);
    const bytes = new Uint8Array(directory.buffer, directory.byteOffset, directory.byteLength);
    const entry: ZipEntry = {
      // Control characters (a damaged name) would break the one-line messages that quote it.
      name: Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '?'),
      method: directory.getUint16(at + 10, true),
      compressedSize: directory.getUint32(at + 20, true),
      size: directory.getUint32(at + 24, true),
      localHeaderOffset: directory.getUint32(at + 42, true),
      encrypted: (directory.getUint16(at + 8, true) & 1) !== 0,
    };
    applyZip64Extra(entry, directory, at + 46 + nameLength, extraLength);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Sizes and offsets too large for 32 bits are 0xFFFFFFFF in the directory and follow in the ZIP64 extra field. */
function applyZip64Extra(entry: ZipEntry, directory: DataView, start: number, length: number): void {
  const end = Math.min(start + length, directory.byteLength); // a damaged length may point past the directory
  for (let at = start; at + 4 <= end; ) {
    const id = directory.getUint16(at, true);
    const size = directory.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_ID) {
      let field = at + 4;
      for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[key] === 0xffffffff && field + 8 <= Math.min(at + 4 + size, end)) {
          entry[key] = u64(directory, field);
          field += 8;
        }
      }
    }
    at += 4 + size;
  }
}

/** Where an entry's data begin: after its local header, whose name and extra lengths may differ from the directory's. */
async function entryDataOffset(file: ByteSource, entry: ZipEntry, where: string, kind = '.npz (zip)'): Promise<number> {
  if (entry.localHeaderOffset + 30 > file.size) throw new UserError(`broken ${kind} file: the local header of '${entry.name}' lies beyond the end`, where);
  const local = view(await file.read(entry.localHeaderOffset, 30));
  if (local.getUint32(0, true) !== LOCAL_SIGNATURE) throw new UserError(`broken ${kind} file: no local header for '${entry.name}'`, where);
  const start = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (start + entry.compressedSize > file.size) throw new UserError(`truncated ${kind} file: entry '${entry.name}' runs past the end`, where);
  return start;
}

function checkReadable(entry: ZipEntry, where: string): void {
  if (entry.encrypted) throw new UserError(`entry '${entry.name}' is encrypted`, where);
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw new UserError(`entry '${entry.name}' uses compression method ${entry.method}; only stored (0) and deflated (8) are supported`, where);
  }
}

/**
 * The bytes of one entry. Stored entries stay on disk and are read at offsets through a window of the
 * file (closing it leaves the file open); deflated entries are inflated once, whole, if under the limit.
 */
export async function openZipEntry(file: ByteSource, entry: ZipEntry, maxInflatedBytes: number, where: string): Promise<ByteSource> {
  checkReadable(entry, where);
  const start = await entryDataOffset(file, entry, where);
  if (entry.method === STORED) return sliceSource(file, start, entry.size);
  if (entry.size > maxInflatedBytes) {
    throw new UserError(`entry '${entry.name}' inflates to ${formatMB(entry.size)}, over the ${formatMB(maxInflatedBytes)} limit; save it with np.savez (uncompressed) instead`, where);
  }
  const compressed = await file.read(start, entry.compressedSize);
  let data: Uint8Array;
  try {
    data = inflateSync(compressed, { out: new Uint8Array(entry.size) });
  } catch (e) {
    throw new UserError(`entry '${entry.name}' is corrupt (${(e as Error).message})`, where);
  }
  if (data.length !== entry.size) throw new UserError(`entry '${entry.name}' is corrupt: inflated to ${data.length} bytes, expected ${entry.size}`, where);
  return memorySource(data);
}

/**
 * The first `length` bytes of an entry (fewer if it is shorter) without inflating all of it: enough to
 * read an array's header when deciding which array of an .npz holds the images.
 */
export async function readEntryHead(file: ByteSource, entry: ZipEntry, length: number, where: string): Promise<Uint8Array> {
  checkReadable(entry, where);
  const start = await entryDataOffset(file, entry, where);
  if (entry.method === STORED) return file.read(start, Math.min(length, entry.size));
  const out: Uint8Array[] = [];
  let have = 0;
  const inflater = new Inflate((chunk) => {
    out.push(chunk);
    have += chunk.length;
  });
  const step = 16 * 1024;
  try {
    for (let done = 0; done < entry.compressedSize && have < length; done += step) {
      const n = Math.min(step, entry.compressedSize - done);
      inflater.push(await file.read(start + done, n), done + n === entry.compressedSize);
    }
  } catch (e) {
    throw new UserError(`entry '${entry.name}' is corrupt (${(e as Error).message})`, where);
  }
  return Buffer.concat(out).subarray(0, length);
}

/**
 * The whole of one entry in memory, within `budget` (checked on the declared size before anything is
 * allocated), inflated as a stream that stops as soon as the data pass the declared size: neither a huge
 * declared size nor a bomb that declares little gets more than the budget.
 */
export async function readWholeEntry(file: ByteSource, entry: ZipEntry, budget: BudgetName, where: string, kind: string): Promise<Uint8Array> {
  checkReadable(entry, where);
  checkBudget(budget, entry.size, `entry ${shown(entry.name)} (its inflated size)`, where);
  const start = await entryDataOffset(file, entry, where, kind);
  if (entry.method === STORED) {
    if (entry.compressedSize !== entry.size) throw new UserError(`broken ${kind} file: stored entry ${shown(entry.name)} has ${entry.compressedSize} bytes but says ${entry.size}`, where);
    return file.read(start, entry.size);
  }
  const out = new Uint8Array(entry.size);
  let have = 0;
  const tooBig = () => new UserError(`entry ${shown(entry.name)} inflates to more than the ${entry.size} bytes its header says (a zip bomb, or a damaged archive)`, where);
  const inflater = new Inflate((chunk) => {
    if (have + chunk.length > out.length) throw tooBig();
    out.set(chunk, have);
    have += chunk.length;
  });
  const step = 4 * 1024; // at most ~4 MB of output per step (deflate's ratio is at most 1032:1)
  try {
    for (let done = 0; done < entry.compressedSize; done += step) {
      const n = Math.min(step, entry.compressedSize - done);
      inflater.push(await file.read(start + done, n), done + n === entry.compressedSize);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`entry ${shown(entry.name)} is corrupt (${(e as Error).message})`, where);
  }
  if (have !== entry.size) throw new UserError(`entry ${shown(entry.name)} is corrupt: it inflates to ${have} bytes, its header says ${entry.size}`, where);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An unsigned 64-bit little-endian integer; every size an .npz can have on disk fits a double exactly. */
function u64(data: DataView, at: number): number {
  return Number(data.getBigUint64(at, true));
}
