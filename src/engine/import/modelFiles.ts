// Which model format a file holds, and which files on disk make up a model (for the per-thread model
// cache, which reloads a model when any of them changes).
import * as fs from 'fs';
import * as path from 'path';
import { cardCandidates, labelsPath } from '../model/modelCard';
import { openRegular } from './confinedFiles';

export type ModelFormat = 'tfjs' | 'onnx' | 'keras' | 'h5';

/** The file extensions each format is recognised by (also what a model picker lists). */
export const MODEL_EXTENSIONS: Record<ModelFormat, string[]> = {
  tfjs: ['.json'],
  onnx: ['.onnx'],
  keras: ['.keras'],
  h5: ['.h5', '.hdf5'],
};

/** A file name the model pickers and folder lookups take for a model: model.json, .onnx, .keras, .h5. */
export function isModelFileName(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.json') return path.basename(name).toLowerCase() === 'model.json';
  return Object.values(MODEL_EXTENSIONS).some((extensions) => extensions.includes(ext));
}

/**
 * The format of a model file: by its extension, else by its first bytes (zip: .keras, HDF5: .h5, '{':
 * model.json, anything else is tried as ONNX, which has no signature of its own).
 */
export function modelFormatOf(file: string): ModelFormat {
  const ext = path.extname(file).toLowerCase();
  for (const [format, extensions] of Object.entries(MODEL_EXTENSIONS) as Array<[ModelFormat, string[]]>) {
    if (extensions.includes(ext)) return format;
  }
  const head = readHead(file, 8);
  if (head[0] === 0x50 && head[1] === 0x4b) return 'keras';
  if (head[0] === 0x89 && head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x46) return 'h5';
  const firstText = new TextDecoder().decode(head).trimStart()[0];
  if (firstText === '{') return 'tfjs';
  return 'onnx';
}

/** The first bytes of a regular file; nothing for anything else (a FIFO is never opened: it would block). */
function readHead(file: string, length: number): Uint8Array {
  try {
    const opened = openRegular(file, { errorFile: file, what: 'the model file' });
    try {
      const buffer = new Uint8Array(length);
      const n = fs.readSync(opened.fd, buffer, 0, length, 0);
      return buffer.subarray(0, n);
    } finally {
      fs.closeSync(opened.fd);
    }
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * The files whose changes make a new version of the model at `modelPath`, as far as they can be known
 * before loading it: the file itself, its card files and labels.txt (present or not, so that adding one
 * is seen), and for a model.json the weight shards beside it. Files only the loaded model names (ONNX
 * external data) are added by the loader (LoadedModel.files).
 */
export function modelFilesBeforeLoading(modelPath: string): string[] {
  const file = path.resolve(modelPath);
  const files = [file, ...cardCandidates(file), labelsPath(file)];
  if (modelFormatOf(file) === 'tfjs') {
    const dir = path.dirname(file);
    try {
      for (const n of fs.readdirSync(dir).filter((n) => n.endsWith('.bin')).sort()) files.push(path.join(dir, n));
    } catch {
      // A missing folder shows as missing files in the version.
    }
  }
  return [...new Set(files)];
}
