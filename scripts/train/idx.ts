// The IDX format of the original MNIST files: a big-endian header (two zero bytes, a type code, the number
// of dimensions, then each dimension as a uint32) followed by the values. Only unsigned bytes (type 0x08).

/** Reads an IDX file of unsigned bytes: its dimensions and its values (a view into `bytes`). */
export function readIdx(bytes: Uint8Array, name: string): { shape: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error(`${name}: not an IDX file of unsigned bytes`);
  const rank = bytes[3];
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== offset + size) throw new Error(`${name}: ${bytes.length - offset} values for shape [${shape}]`);
  return { shape, data: bytes.subarray(offset) };
}

/** Writes unsigned bytes of the given shape as an IDX file. */
export function writeIdx(shape: number[], data: Uint8Array): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`writeIdx: ${data.length} values for shape [${shape}]`);
  const out = new Uint8Array(4 + 4 * shape.length + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
