// Where a concept lives in the input: the receptive field of one position of a node's output, the input
// pixels that can change it, from the geometry of the graph (kernels, strides, dilations and padding of
// every convolution and pooling on the way, along every path). Rows and columns are independent, so a node's
// field is one input span per output row and one per output column. A node after a flatten, a global pool
// or a Dense layer sees the whole image; so does any node kind whose geometry is not known here.
import type { GraphNode, Network } from '../graph/nodes';

/** Input pixels [first, last] along one axis. */
export type Span = [number, number];

export interface ReceptiveField {
  /** Per output row of the node: the input rows it sees. */
  rows: Span[];
  /** Per output column: the input columns. */
  cols: Span[];
  /** The node's output height and width (1 × 1 for a vector). */
  height: number;
  width: number;
}

/** Reference samples are shown as a crop at least this share of the image side (a 3×3 field of a first
 *  convolution is too small to see what the channel looks at). */
export const MIN_CROP_FRACTION = 0.25;

export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function receptiveField(network: Network, layer: number): ReceptiveField {
  const [inputHeight, inputWidth] = network.nodes[0].shape;
  const shape = network.nodes[layer].shape;
  const spatial = shape.length === 3 && network.nodes[0].shape.length === 3;
  const height = spatial ? shape[0] : 1;
  const width = spatial ? shape[1] : 1;
  const along = (axis: 0 | 1, n: number, size: number): Span[] =>
    Array.from({ length: n }, (_, k) => (spatial ? spanOf(network, layer, axis, k) : null) ?? [0, size - 1]);
  return { rows: along(0, height, inputHeight), cols: along(1, width, inputWidth), height, width };
}

/**
 * The crop a reference sample is shown as: the receptive field of the channel's most relevant position
 * (`peak`, row-major over the node's h·w), widened about its centre to at least MIN_CROP_FRACTION of each
 * image side (rounded up) and shifted back inside the image where the widening crosses its edge.
 */
export function referenceCrop(field: ReceptiveField, peak: number, [imageHeight, imageWidth]: readonly number[]): CropBox {
  const [top, bottom] = field.rows[Math.floor(peak / field.width)] ?? [0, imageHeight - 1];
  const [left, right] = field.cols[peak % field.width] ?? [0, imageWidth - 1];
  const [y, height] = widen(top, bottom, imageHeight);
  const [x, width] = widen(left, right, imageWidth);
  return { x, y, width, height };
}

function widen(first: number, last: number, size: number): [number, number] {
  const length = Math.min(size, Math.max(last - first + 1, Math.ceil(size * MIN_CROP_FRACTION)));
  const start = first - Math.floor((length - (last - first + 1)) / 2);
  return [Math.min(Math.max(0, start), size - length), length];
}

/** The input span of output index `index` of node `layer` along `axis`; null: the whole image. */
function spanOf(network: Network, layer: number, axis: 0 | 1, index: number): Span | null {
  const spans = new Array<Span | null | undefined>(network.nodes.length);
  spans[layer] = [index, index];
  for (let i = layer; i >= 1; i--) {
    const span = spans[i];
    if (span === undefined) continue;
    const node = network.nodes[i];
    const inputs = node.inputs.map((j) => network.nodes[j]);
    const back = span && inputSpan(node, inputs, axis, span);
    if (back === 'whole') return null;
    node.inputs.forEach((j, k) => {
      const s = back?.[k];
      if (s === undefined) return;
      const before = spans[j];
      spans[j] = !before || !s ? (before ?? s) : [Math.min(before[0], s[0]), Math.max(before[1], s[1])];
    });
  }
  return spans[0] ?? null;
}

/** Per input of `node`, the span that output span `span` reads (null: none of it, e.g. only padding). */
function inputSpan(node: GraphNode, inputs: GraphNode[], axis: 0 | 1, [first, last]: Span): Array<Span | null> | 'whole' {
  const size = (k: number) => inputs[k].shape[axis];
  const clip = (lo: number, hi: number, n: number): Span | null => (hi < 0 || lo > n - 1 ? null : [Math.max(0, lo), Math.min(n - 1, hi)]);
  switch (node.kind) {
    case 'conv2d': {
      const [k, s, d, before] = [node.kernel.shape[axis], node.strides[axis], node.dilations[axis], node.pads[axis]];
      return [clip(first * s - before, last * s - before + (k - 1) * d, size(0))];
    }
    case 'maxPool':
    case 'avgPool': {
      const [k, s, before] = [node.poolSize[axis], node.strides[axis], node.pads[axis]];
      return [clip(first * s - before, last * s - before + k - 1, size(0))];
    }
    case 'pad':
      return [clip(first - node.pads[axis], last - node.pads[axis], size(0))];
    case 'concat': {
      const rank = node.shape.length;
      const onChannels = (node.axis + rank) % rank === rank - 1;
      return onChannels ? inputs.map(() => [first, last]) : 'whole';
    }
    default:
      // Elementwise kinds (activations, affine maps, Add): every input has the output's shape. Anything
      // else (reshape, transpose, global pools, Dense, kinds added later) mixes positions.
      return node.shape.length === 3 && inputs.every((i) => sameShape(i.shape, node.shape)) ? inputs.map(() => [first, last]) : 'whole';
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
