// Read-only HDF5 access for Keras weight files, over jsfive (pure JavaScript, no wasm to ship, reads from
// an ArrayBuffer so a file inside a .keras zip needs no temporary copy). jsfive throws strings and
// RangeErrors on damaged files and paths it cannot find; here every failure is a UserError naming the file.
// A dataset's values are only read once its declared size fits: uncompressed data must lie in the file,
// compressed data within the model budget, and all datasets read together within it too (jsfive builds a
// JS array of the values, so a damaged shape would otherwise allocate whatever it declares).
import * as hdf5 from 'jsfive';
import { checkBudget, countOf, formatCount } from '../../budgets';
import { shown, UserError } from '../../errors';

export interface H5Group {
  readonly path: string;
  keys(): string[];
  attr(name: string): unknown;
  group(name: string): H5Group | undefined;
  dataset(name: string): H5Dataset | undefined;
}

export interface H5Dataset {
  readonly path: string;
  shape: number[];
  /** Numpy-style dtype string, e.g. "<f4". */
  dtype: string;
  /** The values as 32-bit floats (float16/float32/float64 datasets). */
  floats(): Float32Array;
}

interface JsfiveNode {
  keys?: string[];
  attrs: Record<string, unknown>;
  get(path: string): JsfiveNode;
  shape?: number[];
  dtype?: unknown;
  value?: ArrayLike<number>;
  /** jsfive's low-level object: its filter pipeline is null when the data are stored uncompressed. */
  _dataobjects?: { filter_pipeline?: unknown };
}

/** What the datasets of one file may read: the file's size (uncompressed data lie in it) and the bytes read so far. */
interface ReadBudget {
  fileBytes: number;
  read: number;
}

/** Opens HDF5 bytes; `file` names the file (or `archive.keras/model.weights.h5`) in errors. */
export function openH5(bytes: Uint8Array, file: string): H5Group {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let root: JsfiveNode;
  try {
    root = guarded(() => new hdf5.File(buffer, file) as unknown as JsfiveNode, bytes.length);
  } catch (e) {
    throw new UserError(`is not a readable HDF5 file (${describe(e)})`, file);
  }
  return wrapGroup(root, '/', file, { fileBytes: bytes.length, read: 0 });
}

function wrapGroup(node: JsfiveNode, path: string, file: string, budget: ReadBudget): H5Group {
  const guard = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new UserError(`HDF5 ${what} "${path}" cannot be read (${describe(e)}): the file is damaged`, file);
    }
  };
  /** A child by a relative path ("dense/kernel:0" is two levels); jsfive throws a string when there is none. */
  const child = (name: string): { node: JsfiveNode; path: string } | undefined => {
    const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
    try {
      return { node: guarded(() => node.get(name), budget.fileBytes), path: childPath };
    } catch (e) {
      if (typeof e === 'string' && / not found/.test(e)) return undefined;
      throw new UserError(`HDF5 object "${childPath}" cannot be read (${describe(e)}): the file is damaged`, file);
    }
  };
  const isGroup = (n: JsfiveNode) => guard('object', () => guarded(() => Array.isArray(n.keys), budget.fileBytes));
  return {
    path,
    keys: () => guard('group', () => guarded(() => [...(node.keys ?? [])], budget.fileBytes)),
    attr: (name) => guard('attribute of', () => guarded(() => node.attrs[name], budget.fileBytes)),
    group(name) {
      const c = child(name);
      return c && isGroup(c.node) ? wrapGroup(c.node, c.path, file, budget) : undefined;
    },
    dataset(name) {
      const c = child(name);
      return c && !isGroup(c.node) ? wrapDataset(c.node, c.path, file, budget) : undefined;
    },
  };
}

function wrapDataset(node: JsfiveNode, path: string, file: string, budget: ReadBudget): H5Dataset {
  const fail = (problem: string): never => {
    throw new UserError(`HDF5 dataset "${path}" ${problem}`, file);
  };
  const shape = (() => {
    try {
      return guarded(() => [...(node.shape ?? [])], budget.fileBytes);
    } catch (e) {
      return fail(`cannot be read (${describe(e)}): the file is damaged`);
    }
  })();
  const dtype = (() => {
    try {
      return guarded(() => (typeof node.dtype === 'string' ? node.dtype : JSON.stringify(node.dtype)), budget.fileBytes);
    } catch (e) {
      return fail(`cannot be read (${describe(e)}): the file is damaged`);
    }
  })();
  return {
    path,
    shape,
    dtype,
    floats() {
      if (!/^[<>|=]?f[248]$/.test(dtype)) fail(`has dtype ${shown(dtype, 40)}; float16, float32 or float64 weights are needed`);
      checkBudget('tensorRank', shape.length, `HDF5 dataset ${shown(path)}'s shape`, file);
      const count = countOf(shape);
      const stored = count * Number(dtype.slice(-1));
      const compressed = (() => {
        try {
          return guarded(() => node._dataobjects?.filter_pipeline !== null, budget.fileBytes);
        } catch {
          return true;
        }
      })();
      if (!compressed && stored > budget.fileBytes) fail(`declares ${shown(shape)} values (${stored} bytes) but the file has ${budget.fileBytes} bytes: the file is damaged`);
      // Read as float32 (4 bytes a value) whatever the stored width.
      budget.read += count * 4;
      checkBudget('modelBytes', budget.read, `the weights read up to HDF5 dataset ${shown(path)}`, file);
      let values: ArrayLike<number>;
      try {
        values = guarded(() => node.value ?? [], budget.fileBytes, stored);
      } catch (e) {
        return fail(`cannot be read (${describe(e)}): the file is damaged`);
      }
      if (values.length !== count) fail(`has ${values.length} values but its shape ${shown(shape)} needs ${count}: the file is damaged`);
      return Float32Array.from(values);
    },
  };
}

/**
 * Reads one jsfive call may make. Its structure (superblock, object headers, B-trees, heaps, attributes) takes
 * a few reads per entry (the test models' calls make at most 296), so `READS_MARGIN` plus two per byte of the
 * file, counted up to `STRUCTURE_BYTES`, is far more than a valid file needs, yet stops a damaged one within
 * about 3·10⁶ reads (jsfive's reads are slow, ~1 µs each with its struct parsing: 2–3 s at worst, and its node
 * lists stay small); a dataset's values add two per byte they declare (float16 is two reads a value).
 */
const READS_PER_BYTE = 2;
const READS_MARGIN = 1_000_000;
const STRUCTURE_BYTES = 2 ** 20;
/** How jsfive reads the file: DataView's getters (its DataView64 builds its 64-bit and float16 reads on them),
 *  and slices decoded as text (a fixed-length string sliced past the end is empty, not an error, so an
 *  attribute declaring 4·10⁹ strings is read "successfully" 4·10⁹ times). */
const COUNTED: ReadonlyArray<readonly [object, readonly string[]]> = [
  [DataView.prototype, Object.getOwnPropertyNames(DataView.prototype).filter((name) => name.startsWith('get'))],
  [ArrayBuffer.prototype, ['slice']],
  [TextDecoder.prototype, ['decode']],
];

/**
 * Runs a jsfive call with two guards, both undone when it returns or throws:
 * - console.log/warn silenced: on a damaged file jsfive prints warnings ("… exceeds range of 64-bit
 *   unsigned int") that would be extra lines on the CLI's stderr; the damage reaches the user as one line;
 * - a bound on its reads: jsfive walks a B-tree as a tree, so a damaged one whose nodes share their children
 *   (each level consistent) is fanOut^levels reads, and holds every node read, until the heap is gone.
 *   jsfive takes a bare ArrayBuffer and makes its own DataViews on it and on its slices, so the reads can
 *   only be counted on the prototypes; this is safe because jsfive is synchronous (no other code runs in this
 *   thread until the originals are back) and the originals are restored in `finally`. jsfive swallows some
 *   errors (an attribute of an unknown type becomes null), so a call that went past the bound fails even if
 *   jsfive caught the error it was stopped with.
 * `bytes` is what the call may legitimately read beyond the structure (a dataset's declared values).
 */
function guarded<T>(f: () => T, fileBytes: number, bytes = 0): T {
  const limit = (Math.min(fileBytes, STRUCTURE_BYTES) + bytes) * READS_PER_BYTE + READS_MARGIN;
  const tooMany = () => new Error(`its structure makes the reader go on past ${formatCount(limit)} reads (a loop in its B-trees or heaps, or a count beyond the file)`);
  let reads = 0;
  const originals = COUNTED.flatMap(([proto, names]) => names.map((name) => [proto as Record<string, unknown>, name, (proto as Record<string, unknown>)[name] as (...a: unknown[]) => unknown] as const));
  const { log, warn } = console;
  try {
    for (const [proto, name, original] of originals) {
      proto[name] = function (this: unknown, ...args: unknown[]) {
        if (++reads > limit) throw tooMany();
        return original.apply(this, args);
      };
    }
    console.log = console.warn = () => undefined;
    const result = f();
    if (reads > limit) throw tooMany();
    return result;
  } finally {
    console.log = log;
    console.warn = warn;
    for (const [proto, name, original] of originals) proto[name] = original;
  }
}

function describe(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].slice(0, 200);
}
