// Seeded randomness wherever results must repeat: SmoothGrad's noise, the randomisation check's weights,
// the training scripts' shuffles, the fuzzer's mutations, the tests' networks.

/** mulberry32: a small, fast 32-bit generator, uniform in [0, 1). Equal seeds give equal streams. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal numbers: mulberry32 uniforms through Box–Muller, both values of each pair used (the
 *  cosine first), in double precision. */
export function normalStream(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - uniform(); // (0, 1]: log(u) is finite
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
