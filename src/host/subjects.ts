// What a panel explains: image files, or samples of a dataset file (no temporary files).
import * as path from 'path';
import type { ImageSource } from '../protocol/engineJobs';

export type SubjectRef = { kind: 'file'; path: string } | { kind: 'dataset-sample'; path: string; index: number };

export interface Subject {
  ref: SubjectRef;
  /** Display name: file name, or "train-images-idx3-ubyte #123". */
  name: string;
  /** Pixels already read (dataset samples); files are read by the worker. */
  source: ImageSource;
}

export function fileSubject(filePath: string): Subject {
  return { ref: { kind: 'file', path: filePath }, name: path.basename(filePath), source: { kind: 'file', path: filePath } };
}

export function sampleSubject(datasetPath: string, index: number, pixels: Uint8Array, width: number, height: number): Subject {
  const name = `${path.basename(datasetPath)} #${index}`;
  return {
    ref: { kind: 'dataset-sample', path: datasetPath, index },
    name,
    source: { kind: 'pixels', name, width, height, channels: 1, data: pixels },
  };
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp'];

export function isImagePath(p: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(p).toLowerCase());
}
