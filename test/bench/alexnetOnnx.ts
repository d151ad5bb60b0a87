// An AlexNet-shaped ONNX model at 224×224×3 with seeded random weights (61.1 M parameters, about 244 MB,
// 95 % of them in the three dense layers), as torch.onnx.export writes torchvision's alexnet in eval mode
// (generatedOnnx.ts): conv 11×11/4 (64) → max pool 3/2 → conv 5×5 (192) → max pool → conv 3×3 (384, 256,
// 256) → max pool to 6×6 (the adaptive average pool to 6×6 is then the identity, and dropout is gone) →
// Flatten → Gemm 9216→4096 → ReLU → Gemm 4096→4096 → ReLU → Gemm 4096→1000. The fixture of the memory
// budget test; written once under .cache/ by `alexnetOnnxFile()` (too large to commit).
//
//   node --import tsx test/bench/alexnetOnnx.ts      (prints the path)
import type { OnnxModelWriter } from '../unit/import/onnx/onnxWriter';
import { cachedOnnx, imagenetCard, TorchvisionLayers } from './generatedOnnx';

export function alexnetOnnxFile(): string {
  return cachedOnnx('alexnet-224.onnx', imagenetCard('AlexNet (random weights, 224×224 RGB)'), alexnetOnnx);
}

export function alexnetOnnx(seed = 2012): OnnxModelWriter {
  const l = new TorchvisionLayers(seed);
  let x = l.maxPool('features.2', l.relu('features.1', l.conv('features.0', l.input(), 3, 64, 11, 4, 2)), 3, 2, 0);
  x = l.maxPool('features.5', l.relu('features.4', l.conv('features.3', x, 64, 192, 5, 1, 2)), 3, 2, 0);
  x = l.relu('features.7', l.conv('features.6', x, 192, 384, 3, 1, 1));
  x = l.relu('features.9', l.conv('features.8', x, 384, 256, 3, 1, 1));
  x = l.maxPool('features.12', l.relu('features.11', l.conv('features.10', x, 256, 256, 3, 1, 1)), 3, 2, 0);
  x = l.relu('classifier.2', l.linear('classifier.1', l.flatten(x), 256 * 6 * 6, 4096));
  x = l.relu('classifier.5', l.linear('classifier.4', x, 4096, 4096));
  l.linear('classifier.6', x, 4096, 1000, 'output');
  l.w.output('output', [null, 1000]);
  return l.w;
}

if (require.main === module) console.log(alexnetOnnxFile());
