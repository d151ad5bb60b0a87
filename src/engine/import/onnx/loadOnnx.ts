// Loads an .onnx model (PyTorch's torch.onnx.export, tf2onnx, …) into the engine's network with its card.
import * as path from 'path';
import type { ModelCard } from '../../../protocol/model';
import { readCardFile } from '../../model/modelCard';
import { readOnnxFile } from './onnxFile';
import { buildOnnxNetwork, type OnnxNetwork } from './onnxGraph';

/** The network of `file`, with the files its weights came from (the .onnx and any external data). */
export function loadOnnxNetwork(file: string, cardOverrides: Partial<ModelCard> = {}): OnnxNetwork & { files: string[] } {
  const onnxFile = readOnnxFile(file);
  // The card may have to say the input size when the file exports height and width as dynamic axes.
  const hint = cardOverrides.inputShape ?? readCardFile(file)?.inputShape;
  const built = buildOnnxNetwork(onnxFile, file, path.dirname(path.resolve(file)), hint);
  const [h, w, c] = built.network.inputShape;
  const layout =
    built.inputLayout === 'NCHW'
      ? `NCHW input [N, ${c}, ${h}, ${w}] read as ${h}×${w}×${c} images (channels last inside the engine)`
      : built.inputLayout === 'NHWC'
        ? `NHWC input [N, ${h}, ${w}, ${c}] (the model transposes it to NCHW itself)`
        : `flat input of ${h} values`;
  return { ...built, notes: [layout, ...built.notes], files: [path.resolve(file), ...built.externalFiles] };
}
