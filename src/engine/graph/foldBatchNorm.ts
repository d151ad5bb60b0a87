// Canonisation of BatchNormalization (as Zennit's MergeBatchNorm canonizer does): at inference a BN layer
// is the per-channel affine map y = γ (x − μ) / √(σ² + ε) + β, so a Dense or Conv2D followed by BN is one
// affine layer. Folding it in lets every relevance rule see a single linear layer with a bias.
import * as tf from '@tensorflow/tfjs';

/** The inference-time parameters of a BatchNormalization layer, one value per channel. */
export interface BatchNormParams {
  movingMean: tf.Tensor1D;
  movingVariance: tf.Tensor1D;
  /** γ; absent when the layer has `scale: false` (γ = 1). */
  gamma?: tf.Tensor1D;
  /** β; absent when the layer has `center: false` (β = 0). */
  beta?: tf.Tensor1D;
  epsilon: number;
}

/**
 * W' = W · γ/√(σ²+ε) per output channel (the last axis of both Dense [in, out] and Conv2D
 * [kh, kw, in, out] kernels), b' = (b − μ) · γ/√(σ²+ε) + β. Returns new tensors; the inputs are untouched.
 */
export function foldBatchNorm<K extends tf.Tensor2D | tf.Tensor4D>(
  kernel: K,
  bias: tf.Tensor1D,
  bn: BatchNormParams,
): { kernel: K; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const invStd = tf.rsqrt(tf.add(bn.movingVariance, bn.epsilon));
    const scale = bn.gamma ? tf.mul(bn.gamma, invStd) : invStd;
    const shifted = tf.mul(tf.sub(bias, bn.movingMean), scale);
    return {
      kernel: tf.mul(kernel, scale) as K,
      bias: (bn.beta ? tf.add(shifted, bn.beta) : shifted) as tf.Tensor1D,
    };
  });
}

/** The BatchNorm as y = s ⊙ x + t per channel, for a BN that cannot be folded: s = γ/√(σ²+ε), t = β − μ·s. */
export function batchNormAffine(bn: BatchNormParams): { scale: number[]; offset: number[] } {
  const mean = bn.movingMean.dataSync();
  const variance = bn.movingVariance.dataSync();
  const gamma = bn.gamma?.dataSync();
  const beta = bn.beta?.dataSync();
  const scale = Array.from(variance, (v, c) => (gamma ? gamma[c] : 1) / Math.sqrt(v + bn.epsilon));
  const offset = scale.map((s, c) => (beta ? beta[c] : 0) - mean[c] * s);
  return { scale, offset };
}
