// Seeded damage to valid files: bit flips, cuts, duplicated and deleted chunks, header words set to 0 /
// 0x7fffffff / 0xffffffff, random bytes. The same seed gives the same damaged file, so a failure found
// once can be replayed by its case number.

/** A string's 32-bit FNV-1a hash: per-target seeds that do not change when targets are added. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface Mutation {
  bytes: Uint8Array;
  /** What was done, for the failure report ("cut at 120", "u32le@8 = 0xffffffff"). */
  what: string;
}

const WORD_VALUES = [0, 0x7fffffff, 0xffffffff];
/** Headers live at the start of most formats and at the end of zips: damage goes there more often. */
const EDGE = 128;

/** One to three random damages to `input`. */
export function mutate(input: Uint8Array, random: () => number): Mutation {
  let bytes = input;
  const what: string[] = [];
  const steps = random() < 0.7 ? 1 : random() < 0.7 ? 2 : 3;
  for (let s = 0; s < steps; s++) {
    const [next, description] = mutateOnce(bytes, random);
    bytes = next;
    what.push(description);
  }
  return { bytes, what: what.join(', ') };
}

function mutateOnce(bytes: Uint8Array, random: () => number): [Uint8Array, string] {
  const n = bytes.length;
  const int = (k: number) => Math.floor(random() * k);
  /** A position, biased to the first and last EDGE bytes. */
  const position = (limit = n) => {
    const r = random();
    if (r < 0.45) return Math.min(limit - 1, int(Math.min(EDGE, limit)));
    if (r < 0.65) return Math.max(0, limit - 1 - int(Math.min(EDGE, limit)));
    return int(limit);
  };
  if (n === 0) return [Uint8Array.of(int(256)), 'one random byte'];
  const kind = random();
  if (kind < 0.25) {
    const out = bytes.slice();
    const flips = 1 + int(8);
    const at: number[] = [];
    for (let k = 0; k < flips; k++) {
      const p = position();
      out[p] ^= 1 << int(8);
      at.push(p);
    }
    return [out, `bit flips at ${at.join('/')}`];
  }
  if (kind < 0.4) {
    const cut = position();
    return [bytes.slice(0, cut), `cut at ${cut}`];
  }
  if (kind < 0.55) {
    const start = position();
    const length = 1 + int(Math.min(n - start, random() < 0.5 ? 16 : 1024));
    const at = int(n + 1);
    const out = new Uint8Array(n + length);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(start, start + length), at);
    out.set(bytes.subarray(at), at + length);
    return [out, `[${start}, +${length}) duplicated at ${at}`];
  }
  if (kind < 0.7) {
    const start = position();
    const length = 1 + int(Math.min(n - start, random() < 0.5 ? 16 : 1024));
    const out = new Uint8Array(n - length);
    out.set(bytes.subarray(0, start));
    out.set(bytes.subarray(start + length), start);
    return [out, `[${start}, +${length}) deleted`];
  }
  if (kind < 0.92 && n >= 4) {
    const at = Math.min(position(n - 3), n - 4);
    const value = WORD_VALUES[int(WORD_VALUES.length)];
    const littleEndian = random() < 0.5;
    const out = bytes.slice();
    new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(at, value, littleEndian);
    return [out, `u32${littleEndian ? 'le' : 'be'}@${at} = 0x${value.toString(16)}`];
  }
  const start = position();
  const length = 1 + int(Math.min(n - start, 64));
  const out = bytes.slice();
  for (let k = 0; k < length; k++) out[start + k] = int(256);
  return [out, `${length} random bytes at ${start}`];
}
