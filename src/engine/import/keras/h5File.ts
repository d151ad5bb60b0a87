// Read-only HDF5 access for Keras weight files, over jsfive (pure JavaScript, no wasm to ship, reads from
// an ArrayBuffer so a file inside a .keras zip needs no temporary copy). jsfive throws strings and
// RangeErrors on damaged files and paths it cannot find; here every failure is a UserError naming the file.
// A dataset's values are only read once its declared size fits: uncompressed data must lie in the file,
// compressed data within the model budget, and all datasets read together within it too (jsfive builds a
// JS array of the values, so a damaged shape would otherwise allocate whatever it declares).
import * as hdf5 from 'jsfive';
import { checkBudget, countOf } from '../../budgets';
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
    root = quietly(() => new hdf5.File(buffer, file) as unknown as JsfiveNode);
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
      return { node: quietly(() => node.get(name)), path: childPath };
    } catch (e) {
      if (typeof e === 'string' && / not found/.test(e)) return undefined;
      throw new UserError(`HDF5 object "${childPath}" cannot be read (${describe(e)}): the file is damaged`, file);
    }
  };
  const isGroup = (n: JsfiveNode) => guard('object', () => Array.isArray(n.keys));
  return {
    path,
    keys: () => guard('group', () => quietly(() => [...(node.keys ?? [])])),
    attr: (name) => guard('attribute of', () => quietly(() => node.attrs[name])),
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
      return quietly(() => [...(node.shape ?? [])]);
    } catch (e) {
      return fail(`cannot be read (${describe(e)}): the file is damaged`);
    }
  })();
  const dtype = (() => {
    try {
      return quietly(() => (typeof node.dtype === 'string' ? node.dtype : JSON.stringify(node.dtype)));
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
          return quietly(() => node._dataobjects?.filter_pipeline !== null);
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
        values = quietly(() => node.value ?? []);
      } catch (e) {
        return fail(`cannot be read (${describe(e)}): the file is damaged`);
      }
      if (values.length !== count) fail(`has ${values.length} values but its shape ${shown(shape)} needs ${count}: the file is damaged`);
      return Float32Array.from(values);
    },
  };
}

/**
 * Runs a jsfive call with console.log/warn silenced: on a damaged file jsfive prints warnings ("… exceeds range
 * of 64-bit unsigned int", "Attribute … type not implemented") that would be extra lines on the CLI's stderr;
 * what matters about the damage reaches the user as the one-line error.
 */
function quietly<T>(f: () => T): T {
  const { log, warn } = console;
  console.log = console.warn = () => undefined;
  try {
    return f();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

function describe(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].slice(0, 200);
}
