// Reads an .onnx file into its protobuf message (onnx-proto, protobufjs underneath) and checks what the
// rest of the import relies on: a graph, an opset of the default domain, one image input, one output.
// Every problem is a one-line UserError naming the file; protobufjs' RangeErrors on truncated or corrupt
// bytes never escape.
import * as fs from 'fs';
import { onnx } from 'onnx-proto';
import { checkBudget } from '../../budgets';
import { cutMiddle, UserError } from '../../errors';
import { openRegular, readWhole } from '../confinedFiles';

/** The opsets whose operator definitions the import was written and tested against. */
export const OLDEST_OPSET = 9;
export const NEWEST_OPSET = 21;

/** protobufjs refuses messages of 2 GiB and more; ONNX itself keeps bigger weights in external data. */
const MAX_ONNX_BYTES = 2 ** 31 - 1;

export interface OnnxFile {
  model: onnx.ModelProto;
  graph: onnx.GraphProto;
  /** Opset of the default (ai.onnx) domain. */
  opset: number;
  notes: string[];
}

export function readOnnxFile(file: string): OnnxFile {
  const buffer = readBytes(file);
  // A plain Uint8Array, not the Buffer: protobufjs then makes empty bytes fields (the raw_data of every
  // external-data tensor) as Uint8Arrays, not with the deprecated Buffer() constructor, whose warning
  // would be a second line on the CLI's stderr.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new UserError(`is not a readable ONNX model (truncated or corrupt protobuf: ${cutMiddle(String((e as Error).message), 80, 30)}); export it again`, file);
  }
  const graph = model.graph;
  if (!graph?.node || graph.node.length === 0) {
    throw new UserError('is not an ONNX model: it has no graph nodes (a protobuf of another kind, or an empty model)', file);
  }
  checkBudget('graphNodes', graph.node.length, 'the graph', file);
  const notes: string[] = [];
  const opset = defaultOpset(model, file, notes);
  return { model, graph: graph as onnx.GraphProto, opset, notes };
}

function readBytes(file: string): Uint8Array {
  const role = { errorFile: file, what: 'the model file' };
  const opened = openRegular(file, role);
  if (opened.size === 0 || opened.size > MAX_ONNX_BYTES) fs.closeSync(opened.fd);
  if (opened.size === 0) throw new UserError('is empty (0 bytes), not an ONNX model', file);
  if (opened.size > MAX_ONNX_BYTES) {
    throw new UserError(
      `is ${(opened.size / 2 ** 30).toFixed(1)} GiB; ONNX files of 2 GiB and more cannot be read (export the weights as external data: torch.onnx.export(..., use_external_data_format=True) or onnx.save(model, path, save_as_external_data=True))`,
      file,
    );
  }
  return readWhole(opened, 'modelBytes', role);
}

function defaultOpset(model: onnx.ModelProto, file: string, notes: string[]): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  // IR version 3 and later always declare it; files without one predate opset 9.
  if (!entry) throw new UserError(`declares no opset of the default ONNX domain; opsets ${OLDEST_OPSET}–${NEWEST_OPSET} are supported`, file);
  const opset = toInt(entry.version);
  if (opset < OLDEST_OPSET) {
    throw new UserError(`uses opset ${opset}; opsets ${OLDEST_OPSET}–${NEWEST_OPSET} are supported (re-export with opset_version=13 or later)`, file);
  }
  if (opset > NEWEST_OPSET) notes.push(`opset ${opset} is newer than ${NEWEST_OPSET}, the newest this import was checked against`);
  return opset;
}

/** protobufjs gives int64 fields as Long objects when the `long` package is loadable, else as numbers. */
export function toInt(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : (v as Long).toNumber();
}

/** One attribute of a node by name, or undefined. */
export function attribute(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

interface Long {
  toNumber(): number;
}
