// For comparisons of float32 maps with float64 references where a rule divides by sums that can cancel:
// the methods concerned, and a way to run the same explanation on the CPU backend, whose other summation
// order measures the rounding (the tests bound the error by it; everything else is held to 1e-5).
import * as tf from '@tensorflow/tfjs';

/** Methods whose rules divide by sums that can cancel without an ε (z⁺ = lrp-a1b0 cannot: its terms are ≥ 0). */
export const ILL_CONDITIONED = new Set(['lrp-z', 'lrp-gamma', 'lrp-ab', 'epsilon-gamma-box']);

/** Runs `f` on the CPU backend (awaited, when it is async: a load that reads its file first makes its tensors after an await) and switches back to wasm. */
export async function onCpuBackend<T>(f: () => T | Promise<T>): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return await f();
  } finally {
    await tf.setBackend('wasm');
  }
}
