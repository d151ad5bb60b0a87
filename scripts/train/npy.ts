// NumPy's .npy (format version 1.0) and .npz for unsigned bytes, written by hand: numpy is not needed here.
import { zipSync } from 'fflate';

const MAGIC = [0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0))];

/**
 * Magic, version 1.0, the header length as uint16 little-endian, then the header: a Python dict literal
 * padded with spaces and ended by a newline so that the data starts at a multiple of 64 bytes.
 */
export function writeNpyUint8(shape: number[], data: Uint8Array): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`writeNpyUint8: ${data.length} values for shape [${shape}]`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': ${tuple}, }`;
  const prefix = MAGIC.length + 2 + 2;
  const headerLength = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  const out = new Uint8Array(prefix + headerLength + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  out.set(Array.from(header, (c) => c.charCodeAt(0)), prefix);
  out.set(data, prefix + headerLength);
  return out;
}

/** An .npz: a zip of .npy files, stored without compression, as numpy.savez writes it. */
export function writeNpz(arrays: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, npy] of Object.entries(arrays)) files[`${name}.npy`] = [npy, { level: 0 }];
  // A fixed date keeps the archive byte-identical from one run to the next.
  return zipSync(files, { level: 0, mtime: new Date(2000, 0, 1) });
}
