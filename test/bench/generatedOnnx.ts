// What the generated ImageNet-size ONNX models (resnet18Onnx.ts, resnet50Onnx.ts, alexnetOnnx.ts) share:
// the cache file they are written to once (too large to commit), the ImageNet card, and layers written the
// way torch.onnx.export writes torchvision's models in eval mode (each BatchNorm fused into its Conv, so
// every Conv has a bias; Gemm with transB = 1), with seeded He-uniform weights that keep a random-weight
// network's activations in a sane range. No Python: the tests and the bench write them.
import * as fs from 'fs';
import * as path from 'path';
import { random } from '../unit/methods/reference';
import { int, ints, OnnxModelWriter } from '../unit/import/onnx/onnxWriter';

const REPO = path.resolve(__dirname, '../..');

/** ImageNet's normalisation and eval transform, as torchvision's pretrained models expect. */
export function imagenetCard(name: string) {
  return {
    name,
    dataset: 'none (seeded random weights, for speed and memory measurements)',
    inputShape: [224, 224, 3],
    inputRange: [0, 1],
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    cropFraction: 0.875,
  };
}

/** `file` under the cache folder (EXPLAIN_IMAGE_CACHE_DIR or .cache/bench/), written by `build` when missing, with its card. */
export function cachedOnnx(fileName: string, card: object, build: () => OnnxModelWriter): string {
  const file = path.join(process.env.EXPLAIN_IMAGE_CACHE_DIR ?? path.join(REPO, '.cache'), 'bench', fileName);
  if (fs.existsSync(file)) return file;
  const bytes = build().encode();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, bytes);
  fs.renameSync(partial, file);
  fs.writeFileSync(`${file}.card.json`, JSON.stringify(card, null, 2));
  return file;
}

/** Layers of one generated model, drawing weights from one seeded generator. */
export class TorchvisionLayers {
  readonly w: OnnxModelWriter;
  private readonly rand: () => number;

  constructor(seed: number) {
    this.w = new OnnxModelWriter(13);
    this.rand = random(seed);
  }

  input(): string {
    return this.w.input('input', [null, 3, 224, 224]);
  }

  /** Conv (BatchNorm fused: with a bias), He-uniform weights. */
  conv(name: string, x: string, inC: number, outC: number, k: number, stride: number, pad: number): string {
    const n = outC * inC * k * k;
    const limit = Math.sqrt(6 / (inC * k * k));
    const weight = new Float32Array(n);
    for (let i = 0; i < n; i++) weight[i] = (2 * this.rand() - 1) * limit;
    const bias = Float32Array.from({ length: outC }, () => (2 * this.rand() - 1) * 0.05);
    return this.w.node(
      'Conv',
      [x, this.w.weight(`${name}.weight`, [outC, inC, k, k], weight), this.w.weight(`${name}.bias`, [outC], bias)],
      { kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]), dilations: ints([1, 1]), group: int(1) },
      [`/${name}/Conv_output_0`],
      `/${name}/Conv`,
    );
  }

  relu(name: string, x: string): string {
    return this.w.node('Relu', [x], {}, [`/${name}/Relu_output_0`], `/${name}/Relu`);
  }

  maxPool(name: string, x: string, k: number, stride: number, pad: number): string {
    return this.w.node('MaxPool', [x], { kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]), ceil_mode: int(0) }, [`/${name}/MaxPool_output_0`], `/${name}/MaxPool`);
  }

  add(name: string, a: string, b: string): string {
    return this.w.node('Add', [a, b], {}, [`/${name}/Add_output_0`], `/${name}/Add`);
  }

  flatten(x: string): string {
    return this.w.node('Flatten', [x], { axis: int(1) }, ['/Flatten_output_0'], '/Flatten');
  }

  /** Gemm with transB = 1 (torch's Linear), uniform ±1/√in weights as torch initialises them. */
  linear(name: string, x: string, inputs: number, outputs: number, output?: string): string {
    const limit = Math.sqrt(1 / inputs);
    const weight = new Float32Array(outputs * inputs);
    for (let i = 0; i < weight.length; i++) weight[i] = (2 * this.rand() - 1) * limit;
    const bias = Float32Array.from({ length: outputs }, () => (2 * this.rand() - 1) * limit);
    return this.w.node(
      'Gemm',
      [x, this.w.weight(`${name}.weight`, [outputs, inputs], weight), this.w.weight(`${name}.bias`, [outputs], bias)],
      { alpha: { f: 1 }, beta: { f: 1 }, transB: int(1) },
      [output ?? `/${name}/Gemm_output_0`],
      `/${name}/Gemm`,
    );
  }

  /** GlobalAveragePool → Flatten → Gemm(classes) → `output`, the dynamic batch declared. */
  classifier(x: string, channels: number, classes = 1000): OnnxModelWriter {
    const pooled = this.w.node('GlobalAveragePool', [x], {}, ['/avgpool/GlobalAveragePool_output_0'], '/avgpool/GlobalAveragePool');
    this.linear('fc', this.flatten(pooled), channels, classes, 'output');
    this.w.output('output', [null, classes]);
    return this.w;
  }
}
