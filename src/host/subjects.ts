// What a panel explains: image files, or samples of a dataset file (no temporary files).
import * as path from 'path';
import type { SampleShape } from '../engine/data/pixels';
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

/** A dataset sample: `pixels` as the Dataset reads them, width × height × channels bytes, HWC. */
export function sampleSubject(datasetPath: string, index: number, pixels: Uint8Array, shape: SampleShape): Subject {
  const name = `${path.basename(datasetPath)} #${index}`;
  return {
    ref: { kind: 'dataset-sample', path: datasetPath, index },
    name,
    source: { kind: 'pixels', name, width: shape.width, height: shape.height, channels: shape.channels, data: pixels },
  };
}

export { IMAGE_FILE_EXTENSIONS as IMAGE_EXTENSIONS, isImageFileName as isImagePath } from '../engine/data/folderListing';
