// What the activation op tests share: a model with one activation between two Gemms, and the engine's logits
// for it against onnxruntime's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { random, randomArray } from '../../methods/reference';
import { tempModelDir } from '../../model/savedModels';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';
import { OnnxModelWriter } from './onnxWriter';

export const values = (seed: number, n: number, scale: number) => randomArray(random(seed), n, -scale, scale);

/** Engine vs onnxruntime on a batch of dims[0]; returns the relative error and the engine's node kinds. */
export async function compareWithOnnxruntime(w: OnnxModelWriter, dims: number[], name: string, folder = 'onnx-activations'): Promise<{ error: number; kinds: string[] }> {
  const file = w.save(path.join(tempModelDir(folder), `${name}.onnx`));
  const x = Float32Array.from(values(5, dims.reduce((a, b) => a * b, 1), 1));
  const expected = await ortOutputs(fs.readFileSync(file), x, dims);
  const { network } = loadOnnxNetwork(file);
  try {
    const logits = engineLogits(network, dims.length === 4 ? nchwToNhwc(x, dims) : x, dims[0]);
    return { error: relativeError(logits, expected), kinds: network.nodes.map((n) => n.kind) };
  } finally {
    network.dispose();
  }
}

/** x [N, 6] → Gemm 6→8 (weights ×4: values reach ±4, past every bound and kink) → `act` → Gemm 8→3. */
export function activationBetweenGemms(opset: number, act: (w: OnnxModelWriter, z: string) => string): OnnxModelWriter {
  const w = new OnnxModelWriter(opset);
  const x = w.input('x', [null, 6]);
  const z = w.node('Gemm', [x, w.weight('W', [6, 8], values(71, 48, 4)), w.weight('b', [8], values(72, 8, 1))]);
  w.node('Gemm', [act(w, z), w.weight('W2', [8, 3], values(73, 24, 0.5)), w.weight('b2', [3], values(74, 3, 0.5))], {}, ['logits']);
  w.output('logits');
  return w;
}
