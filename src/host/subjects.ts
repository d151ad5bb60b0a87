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
  /** A dataset sample: its index in the file and its label there, if the file has labels. */
  sample?: { index: number; label?: number };
}

export function fileSubject(filePath: string): Subject {
  return { ref: { kind: 'file', path: filePath }, name: path.basename(filePath), source: { kind: 'file', path: filePath } };
}

/** A dataset sample: `pixels` as the Dataset reads them, width × height × channels bytes, HWC. */
export function sampleSubject(datasetPath: string, index: number, pixels: Uint8Array, shape: SampleShape, label?: number): Subject {
  const name = `${path.basename(datasetPath)} #${index}`;
  return {
    ref: { kind: 'dataset-sample', path: datasetPath, index },
    name,
    source: { kind: 'pixels', name, width: shape.width, height: shape.height, channels: shape.channels, data: pixels },
    sample: label === undefined ? { index } : { index, label },
  };
}

/**
 * A comparison row's name: the file name, or for a dataset sample its index and true label, which the
 * row's prediction then follows ("#582 · label 8" → "2 (88.6%)").
 */
export function rowName(subject: Subject, labels: string[] = []): string {
  if (!subject.sample) return subject.name;
  const { index, label } = subject.sample;
  return label === undefined ? `#${index}` : `#${index} · label ${labels[label] ?? label}`;
}

/** A tab title's list of what a panel holds: "mnist-7-0000.png, mnist-2-0001.png" or "#582, #583 of mnist-test-1k.npz". */
export function subjectsTitle(subjects: Subject[], max = 3): string {
  const more = subjects.length > max ? ` +${subjects.length - max}` : '';
  const shown = subjects.slice(0, max);
  const file = shown[0]?.sample ? path.basename(shown[0].ref.path) : undefined;
  if (file && shown.every((s) => s.sample && s.ref.path === shown[0].ref.path)) {
    return `${shown.map((s) => `#${s.sample!.index}`).join(', ')}${more} of ${file}`;
  }
  return `${shown.map((s) => s.name).join(', ')}${more}`;
}

export { IMAGE_FILE_EXTENSIONS as IMAGE_EXTENSIONS, isImageFileName as isImagePath } from '../engine/data/folderListing';
