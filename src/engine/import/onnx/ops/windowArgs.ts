// The window attributes of Conv and the pools: two spatial values per attribute, and explicit pads from
// `pads` or `auto_pad`.
import { onnx } from 'onnx-proto';
import { UserError } from '../../../errors';
import type { Pads } from '../../../graph/nodes';
import { resolvePads } from '../../../layers/geometry';
import { ints, text } from '../nodeArgs';

/** Two spatial axes of an attribute, or the fallback. */
export function pair(node: onnx.INodeProto, key: string, fallback: number, what: string, file: string): [number, number] {
  const v = ints(node, key);
  if (v === undefined) return [fallback, fallback];
  if (v.length !== 2 || !v.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(`${what} has ${key} [${v}]; two positive integers are needed (only 2-D images are supported)`, file);
  }
  return [v[0], v[1]];
}

/** Explicit pads from `pads` / `auto_pad`, in the engine's [top, left, bottom, right]. */
export function explicitPads(node: onnx.INodeProto, inputHW: number[], kernel: [number, number], strides: [number, number], dilations: [number, number], what: string, file: string): Pads {
  const autoPad = text(node, 'auto_pad', 'NOTSET');
  const win = { kernel, strides, dilations };
  switch (autoPad) {
    case 'NOTSET': {
      const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
      if (pads.length !== 4 || !pads.every((p) => Number.isInteger(p) && p >= 0)) {
        throw new UserError(`${what} has pads [${pads}]; four non-negative integers are needed`, file);
      }
      // ONNX: [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right], the engine's order.
      return pads as Pads;
    }
    case 'VALID':
      return [0, 0, 0, 0];
    case 'SAME_UPPER':
      return resolvePads('same', inputHW, win);
    case 'SAME_LOWER':
      return resolvePads('same-lower', inputHW, win);
    default:
      throw new UserError(`${what} has auto_pad "${autoPad}"; NOTSET, VALID, SAME_UPPER and SAME_LOWER are supported`, file);
  }
}

/** The output height and width of a window op. */
export function outputHW([h, w]: number[], kernel: [number, number], strides: [number, number], dilations: [number, number], pads: Pads): number[] {
  const axis = (n: number, k: number, s: number, d: number, before: number, after: number) => Math.floor((n + before + after - ((k - 1) * d + 1)) / s) + 1;
  return [axis(h, kernel[0], strides[0], dilations[0], pads[0], pads[2]), axis(w, kernel[1], strides[1], dilations[1], pads[1], pads[3])];
}
