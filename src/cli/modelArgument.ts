// A --model argument → the model file to load, refusing PyTorch's pickled files before any worker starts,
// with the torch.onnx.export lines for that file (printed under the error line by main.ts).
import { resolveModelPath } from '../engine/bundledModels';
import { UserError } from '../engine/errors';
import { checkpointKind, checkpointMessage, exportSnippet } from '../engine/import/pytorchCheckpoint';

/** The one-line refusal of a PyTorch file, and the Python that exports it to ONNX. */
export class CheckpointRefused extends UserError {
  constructor(
    file: string,
    readonly snippet: string,
    message: string,
  ) {
    super(message, file);
  }
}

/** A bundled id or model file (bundledModels.resolveModelPath), unless it is a PyTorch checkpoint. */
export async function modelFileOf(spec: string): Promise<string> {
  const file = resolveModelPath(spec);
  const kind = await checkpointKind(file);
  if (kind) throw new CheckpointRefused(spec, exportSnippet(spec, kind), checkpointMessage(kind));
  return file;
}
