// The small ReLU MLP the pixel-flipping and ROAD tests score perturbed images with: seeded weights (the
// same random stream order as before: w1, b1, w2, b2), 3 classes, and its float64 logits (reference.ts).
import { logitsRef, randomArray, type RefNet } from '../methods/reference';

export function reluMlp(rand: () => number, [h, w, c]: [number, number, number], hidden: number): { net: RefNet; logit: (x: ArrayLike<number>, k: number) => number } {
  const w1 = randomArray(rand, h * w * c * hidden);
  const b1 = randomArray(rand, hidden, -0.2, 0.2);
  const w2 = randomArray(rand, hidden * 3);
  const b2 = randomArray(rand, 3, -0.2, 0.2);
  const net: RefNet = {
    inputShape: [h, w, c],
    layers: [{ kind: 'reshape', shape: [h * w * c] }, { kind: 'dense', inputs: h * w * c, outputs: hidden, w: w1, b: b1 }, { kind: 'relu' }, { kind: 'dense', inputs: hidden, outputs: 3, w: w2, b: b2 }],
  };
  return { net, logit: (x, k) => logitsRef(net, Array.from(x))[k] };
}
