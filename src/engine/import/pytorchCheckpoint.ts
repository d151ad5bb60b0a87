// PyTorch's own files (torch.save's .pt/.pth, Lightning's .ckpt, torch.jit.save's TorchScript) are pickled
// Python: reading one means running the Python its pickle names, which Explain Image never does. They are
// told apart by their bytes, not their names: torch.save (PyTorch ≥ 1.6) and torch.jit.save write a zip
// whose entries are `<archive>/data.pkl` (TorchScript adds `<archive>/constants.pkl` and `code/`), older
// torch.save and plain pickle.dump write a pickle stream, which opens with the PROTO opcode (0x80) and the
// protocol number (2 to 5). What we offer instead: the torch.onnx.export lines for that file.
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { openFileSource } from '../data/byteSource';
import { readZipDirectory } from '../data/zipDirectory';

export type CheckpointKind = 'state' | 'torchscript' | 'pickle';

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const PICKLE_PROTO = 0x80;

/** The file names PyTorch users give these files (for the Explorer menu; detection is by content). */
export const CHECKPOINT_EXTENSIONS = ['.pt', '.pth', '.ckpt'];

/**
 * What kind of PyTorch (or other pickled) file `file` is, by its bytes; undefined when it is none (or
 * cannot be read: the loader that reads it next says why).
 */
export async function checkpointKind(file: string): Promise<CheckpointKind | undefined> {
  let source;
  try {
    // Only a regular file is opened: opening a FIFO would wait for a writer (the loader refuses it next).
    if (!(await fs.promises.stat(file)).isFile()) return undefined;
    source = await openFileSource(file);
  } catch {
    return undefined;
  }
  try {
    if (source.size < 4) return undefined;
    const head = await source.read(0, Math.min(source.size, 4));
    if (head[0] === PICKLE_PROTO && head[1] >= 2 && head[1] <= 5) return 'pickle';
    if (!ZIP_SIGNATURE.every((b, i) => head[i] === b)) return undefined;
    const names = (await readZipDirectory(source, file)).map((e) => e.name);
    const base = (n: string) => n.slice(n.lastIndexOf('/') + 1);
    if (!names.some((n) => base(n) === 'data.pkl')) return undefined; // another zip (.keras, .npz, ...)
    return names.some((n) => base(n) === 'constants.pkl' || n.includes('/code/')) ? 'torchscript' : 'state';
  } catch {
    return undefined; // a damaged zip: not recognisably PyTorch's
  } finally {
    await source.close();
  }
}

/** The one line that says why such a file cannot be read and what to do instead. */
export function checkpointMessage(kind: CheckpointKind): string {
  const what = kind === 'torchscript' ? 'a TorchScript archive' : kind === 'state' ? 'a PyTorch checkpoint' : 'a pickle (PyTorch checkpoint)';
  return `is ${what}: pickled Python, which Explain Image never runs; export the model to ONNX with torch.onnx.export and open the .onnx file`;
}

/** The error a model loader throws for such a file (names the file). */
export function checkpointError(file: string, kind: CheckpointKind): UserError {
  return new UserError(checkpointMessage(kind), file);
}

/** (channels, height, width) of one image, as PyTorch takes it. */
export type ChwShape = [number, number, number];

/** Parses "3, 224, 224", "3x224x224" or "(1, 3, 224, 224)" (a leading batch of 1 dropped); undefined if it is not that. */
export function parseChwShape(text: string): ChwShape | undefined {
  const numbers = text.match(/\d+/g)?.map(Number) ?? [];
  if (/[^\d\s,x×()[\]]/i.test(text)) return undefined;
  const dims = numbers.length === 4 && numbers[0] === 1 ? numbers.slice(1) : numbers;
  if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 1 || d > 65536)) return undefined;
  return dims as ChwShape;
}

/** A Python string literal of `text` (JSON's escapes are Python's for every character a path holds). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Python that exports the model in `file` to ONNX beside it: loads the checkpoint (a whole module, a
 * state_dict, or Lightning's {"state_dict": ...} with its "model." prefixes), traces it with one zero image
 * of `shape` (or 3×224×224, marked to be checked), and writes `<name>.onnx` with a dynamic batch.
 */
export function exportSnippet(file: string, kind: CheckpointKind, shape?: ChwShape): string {
  const onnxFile = path.join(path.dirname(file), `${path.basename(file).replace(/\.[^.]+$/, '')}.onnx`);
  const [c, h, w] = shape ?? [3, 224, 224];
  const shapeNote = shape ? '# one image: (batch, channels, height, width)' : '# CHECK: (batch, channels, height, width) of one image your model takes';
  const load =
    kind === 'torchscript'
      ? [`model = torch.jit.load(${pyString(file)}, map_location="cpu")`]
      : [
          `checkpoint = torch.load(${pyString(file)}, map_location="cpu")`,
          'if isinstance(checkpoint, torch.nn.Module):',
          '    model = checkpoint  # the whole model was saved',
          'else:',
          '    # A state_dict: build the model as your training code does, then load the weights.',
          '    from my_training_code import MyModel  # EDIT: your model class',
          '    model = MyModel()',
          '    state = checkpoint.get("state_dict", checkpoint)  # Lightning keeps it under "state_dict"',
          '    state = {k.removeprefix("model."): v for k, v in state.items()}',
          '    model.load_state_dict(state)',
        ];
  return [
    `# Explain Image reads ONNX, not ${path.basename(file)} (pickled Python: it never runs Python).`,
    '# Run this once where your model trains, then right-click the .onnx file:',
    '# "Explain Image: Use This Model". A card.json beside it names the classes and the input range.',
    'import torch',
    '',
    ...load,
    'model.eval()',
    '',
    `x = torch.zeros(1, ${c}, ${h}, ${w})  ${shapeNote}`,
    'torch.onnx.export(',
    '    model, x, ' + pyString(onnxFile) + ',',
    '    input_names=["input"], output_names=["logits"],',
    '    dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},',
    '    opset_version=17,',
    ')',
    `print("wrote", ${pyString(onnxFile)})`,
    '',
  ].join('\n');
}
