// A ResNet-18-shaped ONNX model at 224×224×3 with seeded random weights (11.7 M parameters, about 45 MB),
// written the way torch.onnx.export writes torchvision's resnet18 in eval mode (generatedOnnx.ts): a 7×7/2
// stem, a 3×3/2 max pool with pads 1, four stages of two basic blocks (1×1 stride-2 projections where the
// shape changes), GlobalAveragePool → Flatten → Gemm(1000), a dynamic batch. Too large to commit:
// `resnet18OnnxFile()` writes it once under .cache/ and reuses it.
//
//   node --import tsx test/bench/resnet18Onnx.ts [out.onnx]      (prints the path)
import * as fs from 'fs';
import * as path from 'path';
import type { OnnxModelWriter } from '../unit/import/onnx/onnxWriter';
import { cachedOnnx, imagenetCard, TorchvisionLayers } from './generatedOnnx';

/** The model's path under the cache folder (EXPLAIN_IMAGE_CACHE_DIR or .cache/bench/), written when missing. */
export function resnet18OnnxFile(): string {
  return cachedOnnx('resnet18-224.onnx', imagenetCard('ResNet-18 (random weights, 224×224 RGB)'), resnet18Onnx);
}

export function resnet18Onnx(seed = 18): OnnxModelWriter {
  const l = new TorchvisionLayers(seed);
  let x = l.maxPool('maxpool', l.relu('relu', l.conv('conv1', l.input(), 3, 64, 7, 2, 3)), 3, 2, 1);
  let channels = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let block = 0; block < 2; block++) {
      const name = `layer${stage + 1}.${block}`;
      const stride = block === 0 && stage > 0 ? 2 : 1;
      const y = l.conv(`${name}/conv2`, l.relu(`${name}/relu`, l.conv(`${name}/conv1`, x, channels, width, 3, stride, 1)), width, width, 3, 1, 1);
      const shortcut = stride !== 1 || channels !== width ? l.conv(`${name}/downsample`, x, channels, width, 1, stride, 0) : x;
      x = l.relu(`${name}/relu_1`, l.add(name, y, shortcut));
      channels = width;
    }
  });
  return l.classifier(x, channels);
}

if (require.main === module) {
  const out = process.argv[2];
  if (out) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, resnet18Onnx().encode());
  }
  console.log(out ? path.resolve(out) : resnet18OnnxFile());
}
