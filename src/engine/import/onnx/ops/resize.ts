// Resize (opset 10–21) and Upsample (opset 7–9) of an image in height and width, nearest or (bi)linear:
// a resize node (layers/resize.ts) with ONNX's coordinate transformation and nearest rounding. Upsample and
// opset 10's Resize have no such attributes: their coordinates are asymmetric (x_in = x_out / scale) and the
// nearest pixel is the one below (what onnxruntime computes for them). The output size is `sizes`, or
// floor(input · scale) with the scale itself in the coordinate transformation. Cubic interpolation,
// tf_crop_and_resize, antialiasing and scales of the batch or channel axis are refused.
import { UserError } from '../../../errors';
import type { ResizeCoordinates, ResizeNearest } from '../../../graph/nodes';
import { act, int, isConstant, text } from '../nodeArgs';
import type { Value } from '../onnxGraph';
import type { Translator } from './translator';

const COORDINATES: ResizeCoordinates[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
const NEAREST: ResizeNearest[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

export const resize: Translator = {
  ops: ['Resize', 'Upsample'],
  translate(w, node, inputs, what, name) {
    const x = w.asChannelsFirst(act(w, inputs[0], what), what);
    const [c, h, wd] = x.dims;
    const legacy = node.opType === 'Upsample' || w.ctx.opset < 11;
    const modeText = text(node, 'mode', 'nearest');
    const mode = modeText === 'nearest' ? 'nearest' : modeText === 'linear' || modeText === 'bilinear' ? 'linear' : null;
    if (!mode) throw new UserError(`${what} has mode "${modeText}"; nearest and linear are supported`, w.file);
    const coordinates = (legacy ? 'asymmetric' : text(node, 'coordinate_transformation_mode', 'half_pixel')) as ResizeCoordinates;
    if (!COORDINATES.includes(coordinates)) throw new UserError(`${what} has coordinate_transformation_mode "${coordinates}"; ${COORDINATES.join(', ')} are supported`, w.file);
    const nearest = (legacy ? 'floor' : text(node, 'nearest_mode', 'round_prefer_floor')) as ResizeNearest;
    if (!NEAREST.includes(nearest)) throw new UserError(`${what} has nearest_mode "${nearest}"`, w.file);
    if (int(node, 'antialias', 0) !== 0) throw new UserError(`${what} antialiases; not supported`, w.file);
    const axes = node.attribute?.find((a) => a.name === 'axes');
    if (axes) throw new UserError(`${what} has axes; resizing all four axes is supported`, w.file);
    // Where the scales and sizes are: Upsample (7: attribute, 9: input 1), Resize 10 (input 1), 11+ (inputs 2, 3).
    const scalesInput = node.opType === 'Upsample' ? (w.ctx.opset < 9 ? undefined : inputs[1]) : w.ctx.opset < 11 ? inputs[1] : inputs[2];
    const scales = node.opType === 'Upsample' && w.ctx.opset < 9 ? floats(node, 'scales') : numbers(scalesInput, `${what}: its scales`, w.file);
    const sizes = node.opType === 'Resize' && w.ctx.opset >= 11 ? numbers(inputs[3], `${what}: its sizes`, w.file) : undefined;
    let size: [number, number];
    let factors: [number, number];
    if (sizes && sizes.length) {
      if (sizes.length !== 4 || sizes[1] !== c) throw new UserError(`${what} resizes [N, ${x.dims}] to [${sizes}]; only height and width may change`, w.file);
      size = [sizes[2], sizes[3]];
      factors = [sizes[2] / h, sizes[3] / wd];
    } else if (scales && scales.length) {
      if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) throw new UserError(`${what} has scales [${scales}]; only height and width may be scaled`, w.file);
      factors = [scales[2], scales[3]];
      size = [Math.floor(h * scales[2]), Math.floor(wd * scales[3])];
    } else {
      throw new UserError(`${what} has neither scales nor sizes`, w.file);
    }
    if (text(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw new UserError(`${what} keeps the aspect ratio; only "stretch" is supported`, w.file);
    const spec = { kind: 'resize' as const, size, mode: mode as 'nearest' | 'linear', coordinates, nearest, scales: factors };
    const ref = w.add(name, spec, [x.node]);
    return [{ kind: 'activation', node: ref, dims: [c, size[0], size[1]], rep: 'channelsFirst' }];
  },
};

/**
 * A constant's numbers (undefined for an omitted or empty input). The first may be the batch size (sizes
 * made from the input's Shape): it stands as 1, the size of the batch axis is kept anyway.
 */
function numbers(v: Value | undefined, what: string, file: string): number[] | undefined {
  if (!v) return undefined;
  if (!isConstant(v) || v.value.data.slice(1).some((d) => d === null)) throw new UserError(`${what} must be known at load (a constant)`, file);
  return Array.from(v.value.data, (d) => d ?? 1);
}

function floats(node: Parameters<Translator['translate']>[1], key: string): number[] | undefined {
  return node.attribute?.find((a) => a.name === key)?.floats ?? undefined;
}
