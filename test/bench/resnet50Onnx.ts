// A ResNet-50-shaped ONNX model at 224×224×3 with seeded random weights (25.6 M parameters, about 100 MB),
// as torch.onnx.export writes torchvision's resnet50 in eval mode (generatedOnnx.ts): the ResNet-18 stem,
// four stages of 3, 4, 6 and 3 bottleneck blocks (1×1 → 3×3, strided in the first block of a stage →
// 1×1 ×4, with a 1×1 projection where the shape changes), GlobalAveragePool → Gemm(1000). Written once
// under .cache/ by `resnet50OnnxFile()`.
//
//   node --import tsx test/bench/resnet50Onnx.ts      (prints the path)
import type { OnnxModelWriter } from '../unit/import/onnx/onnxWriter';
import { cachedOnnx, imagenetCard, TorchvisionLayers } from './generatedOnnx';

export function resnet50OnnxFile(): string {
  return cachedOnnx('resnet50-224.onnx', imagenetCard('ResNet-50 (random weights, 224×224 RGB)'), resnet50Onnx);
}

export function resnet50Onnx(seed = 50): OnnxModelWriter {
  const l = new TorchvisionLayers(seed);
  let x = l.maxPool('maxpool', l.relu('relu', l.conv('conv1', l.input(), 3, 64, 7, 2, 3)), 3, 2, 1);
  let channels = 64;
  [3, 4, 6, 3].forEach((blocks, stage) => {
    const width = 64 << stage;
    for (let block = 0; block < blocks; block++) {
      const name = `layer${stage + 1}.${block}`;
      const stride = block === 0 && stage > 0 ? 2 : 1;
      let y = l.relu(`${name}/relu`, l.conv(`${name}/conv1`, x, channels, width, 1, 1, 0));
      y = l.relu(`${name}/relu_1`, l.conv(`${name}/conv2`, y, width, width, 3, stride, 1));
      y = l.conv(`${name}/conv3`, y, width, 4 * width, 1, 1, 0);
      const shortcut = block === 0 ? l.conv(`${name}/downsample`, x, channels, 4 * width, 1, stride, 0) : x;
      x = l.relu(`${name}/relu_2`, l.add(name, y, shortcut));
      channels = 4 * width;
    }
  });
  return l.classifier(x, channels);
}

if (require.main === module) console.log(resnet50OnnxFile());
