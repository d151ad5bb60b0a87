// A ResNet-18-shaped ONNX model at 224×224×3 with seeded random weights (11.7 M parameters, about 45 MB),
// written the way torch.onnx.export writes torchvision's resnet18 in eval mode: each BatchNorm fused into
// its Conv (so every Conv has a bias), a 7×7/2 stem, a 3×3/2 max pool with pads 1, four stages of two
// basic blocks (1×1 stride-2 projections where the shape changes), GlobalAveragePool → Flatten → Gemm(1000),
// a dynamic batch. Too large to commit: `resnet18OnnxFile()` writes it once under .cache/ and reuses it.
//
//   node --import tsx test/bench/resnet18Onnx.ts [out.onnx]      (prints the path)
import * as fs from 'fs';
import * as path from 'path';
import { random } from '../unit/methods/reference';
import { int, ints, OnnxModelWriter } from '../unit/import/onnx/onnxWriter';

const REPO = path.resolve(__dirname, '../..');

/** The model's path under the cache folder (EXPLAIN_IMAGE_CACHE_DIR or .cache/), written when missing. */
export function resnet18OnnxFile(file = path.join(process.env.EXPLAIN_IMAGE_CACHE_DIR ?? path.join(REPO, '.cache'), 'bench', 'resnet18-224.onnx')): string {
  if (fs.existsSync(file)) return file;
  const bytes = resnet18Onnx().encode();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, bytes);
  fs.renameSync(partial, file);
  fs.writeFileSync(`${file}.card.json`, JSON.stringify(CARD, null, 2));
  return file;
}

/** ImageNet's normalisation and eval transform, as torchvision's pretrained resnet18 expects. */
const CARD = {
  name: 'ResNet-18 (random weights, 224×224 RGB)',
  dataset: 'none (seeded random weights, for speed measurements)',
  inputShape: [224, 224, 3],
  inputRange: [0, 1],
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  cropFraction: 0.875,
};

export function resnet18Onnx(seed = 18): OnnxModelWriter {
  const w = new OnnxModelWriter(13);
  const rand = random(seed);
  /** He-uniform weights keep activations of a random-weight residual net in a sane range. */
  const conv = (name: string, x: string, inC: number, outC: number, k: number, stride: number, pad: number): string => {
    const n = outC * inC * k * k;
    const limit = Math.sqrt(6 / (inC * k * k));
    const weight = new Float32Array(n);
    for (let i = 0; i < n; i++) weight[i] = (2 * rand() - 1) * limit;
    const bias = Float32Array.from({ length: outC }, () => (2 * rand() - 1) * 0.05);
    return w.node(
      'Conv',
      [x, w.weight(`${name}.weight`, [outC, inC, k, k], weight), w.weight(`${name}.bias`, [outC], bias)],
      { kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]), dilations: ints([1, 1]), group: int(1) },
      [`/${name}/Conv_output_0`],
      `/${name}/Conv`,
    );
  };
  const relu = (name: string, x: string) => w.node('Relu', [x], {}, [`/${name}/Relu_output_0`], `/${name}/Relu`);

  let x = w.input('input', [null, 3, 224, 224]);
  x = relu('relu', conv('conv1', x, 3, 64, 7, 2, 3));
  x = w.node('MaxPool', [x], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(0) }, ['/maxpool/MaxPool_output_0'], '/maxpool/MaxPool');
  let channels = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let block = 0; block < 2; block++) {
      const name = `layer${stage + 1}.${block}`;
      const stride = block === 0 && stage > 0 ? 2 : 1;
      const y = conv(`${name}/conv2`, relu(`${name}/relu`, conv(`${name}/conv1`, x, channels, width, 3, stride, 1)), width, width, 3, 1, 1);
      const shortcut = stride !== 1 || channels !== width ? conv(`${name}/downsample`, x, channels, width, 1, stride, 0) : x;
      x = relu(`${name}/relu_1`, w.node('Add', [y, shortcut], {}, [`/${name}/Add_output_0`], `/${name}/Add`));
      channels = width;
    }
  });
  const pooled = w.node('GlobalAveragePool', [x], {}, ['/avgpool/GlobalAveragePool_output_0'], '/avgpool/GlobalAveragePool');
  const flat = w.node('Flatten', [pooled], { axis: int(1) }, ['/Flatten_output_0'], '/Flatten');
  const fcLimit = Math.sqrt(1 / 512);
  const fcWeight = Float32Array.from({ length: 1000 * 512 }, () => (2 * rand() - 1) * fcLimit);
  const fcBias = Float32Array.from({ length: 1000 }, () => (2 * rand() - 1) * fcLimit);
  w.node('Gemm', [flat, w.weight('fc.weight', [1000, 512], fcWeight), w.weight('fc.bias', [1000], fcBias)], { alpha: { f: 1 }, beta: { f: 1 }, transB: int(1) }, ['output'], '/fc/Gemm');
  w.output('output', [null, 1000]);
  return w;
}

if (require.main === module) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  console.log(resnet18OnnxFile(out));
}
