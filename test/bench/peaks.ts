// What one wasm thread can do at best on the two ops every method is made of, measured in the same run as
// the methods (the machine is shared, so only figures from one run compare).
import * as tf from '@tensorflow/tfjs';
import { median } from './timing';

export interface Peak {
  op: string;
  shape: string;
  gflopsPerSecond: number;
  ms: number;
}

/** Median GFLOP/s of `run` (which must return a tensor) over `repeats` runs after two warm-ups. */
function measure(op: string, shape: string, flops: number, run: () => tf.Tensor, repeats: number): Peak {
  const times: number[] = [];
  for (let r = -2; r < repeats; r++) {
    const start = performance.now();
    const out = run();
    out.dataSync();
    const ms = performance.now() - start;
    out.dispose();
    if (r >= 0) times.push(ms);
  }
  const ms = median(times);
  return { op, shape, ms, gflopsPerSecond: flops / ms / 1e6 };
}

/**
 * matMul(x, W) at batch 256, 784×400 (the MLP's first layer), conv2d 32→64 channels 3×3 'same' on 14×14 at
 * batch 256 (the CNN's second layer), and conv2d 64→64 3×3 'same' on 56×56 at batch 1 (ResNet-18's first
 * stage, the shape most of its time goes to: a one-image call's ceiling). Both with the weight as the second operand, which is how the
 * wasm backend caches its packed XNNPACK operator.
 */
export function measurePeaks(repeats: number): Peak[] {
  const x = tf.randomUniform([256, 784], 0, 1);
  const w = tf.randomUniform([784, 400], -0.1, 0.1);
  const image = tf.randomUniform([256, 14, 14, 32], 0, 1);
  const kernel = tf.randomUniform([3, 3, 32, 64], -0.1, 0.1);
  const stage = tf.randomUniform([1, 56, 56, 64], 0, 1);
  const stageKernel = tf.randomUniform([3, 3, 64, 64], -0.1, 0.1);
  try {
    return [
      measure('matMul', 'x[256,784]·W[784,400]', 2 * 256 * 784 * 400, () => tf.matMul(x, w), repeats),
      measure('conv2d', '[256,14,14,32] ⊛ [3,3,32,64] same', 2 * 256 * 14 * 14 * 9 * 32 * 64, () => tf.conv2d(image as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'), repeats),
      measure('conv2d', '[1,56,56,64] ⊛ [3,3,64,64] same', 2 * 56 * 56 * 9 * 64 * 64, () => tf.conv2d(stage as tf.Tensor4D, stageKernel as tf.Tensor4D, 1, 'same'), 4 * repeats),
    ];
  } finally {
    tf.dispose([x, w, image, kernel, stage, stageKernel]);
  }
}
