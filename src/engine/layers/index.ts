// The table of layer kinds: one module per kind, each stating its shape inference, forward op, gradient,
// LRP treatment and description (layerKind.ts). The mapped type makes a kind without a module a compile
// error. Adding a kind: its node type in graph/nodes.ts, its module here, its tests.
import type { NodeKind } from '../graph/nodes';
import { activation } from './activation';
import { add } from './add';
import { affine } from './affine';
import { avgPool } from './avgPool';
import { clip } from './clip';
import { concat } from './concat';
import { conv2d } from './conv2d';
import { convTranspose } from './convTranspose';
import { dense } from './dense';
import { gather } from './gather';
import { globalAvgPool } from './globalAvgPool';
import { globalMaxPool } from './globalMaxPool';
import { input } from './input';
import type { LayerKind } from './layerKind';
import { layerNorm } from './layerNorm';
import { leakyRelu } from './leakyRelu';
import { matmul } from './matmul';
import { maxPool } from './maxPool';
import { pad } from './pad';
import { prelu } from './prelu';
import { product } from './product';
import { relu } from './relu';
import { reshape } from './reshape';
import { softmax } from './softmax';
import { resize } from './resize';
import { transpose } from './transpose';

export const LAYERS: { [K in NodeKind]: LayerKind<K> } = {
  input,
  dense,
  conv2d,
  relu,
  clip,
  leakyRelu,
  activation,
  prelu,
  maxPool,
  avgPool,
  globalAvgPool,
  globalMaxPool,
  reshape,
  transpose,
  pad,
  affine,
  add,
  concat,
  softmax,
  matmul,
  convTranspose,
  product,
  layerNorm,
  gather,
  resize,
};

/** The module of a node's kind. */
export function layerOf<K extends NodeKind>(kind: K): LayerKind<K> {
  return LAYERS[kind] as LayerKind<K>;
}
