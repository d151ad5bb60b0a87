// Rebuilds panel subjects from what the serializer stored: file paths, and dataset samples re-read from
// their dataset file. A sample's label is the model's class, mapped by class name as the dataset browser
// maps it (classMatch.ts): a CIFAR batch or an image folder numbers its classes in another order than the
// model, so the file's own value would name the wrong class ("Label in the file", "Explain the true class").
import * as fs from 'fs';
import { openDataset } from '../engine/data/datasetFile';
import { matchClasses, modelClassOf } from './dataset/classMatch';
import { fileSubject, sampleSubject, type Subject, type SubjectRef } from './subjects';

/**
 * `modelLabels` gives the class names of the model the panel explains with; it is asked (once) only when a
 * sample has a label in a file that names its classes, and may give none (then labels match by index).
 */
export async function subjectsFromRefs(refs: SubjectRef[], modelLabels: () => Promise<readonly string[] | undefined> = async () => undefined): Promise<Subject[]> {
  const subjects: Subject[] = [];
  let labels: Promise<readonly string[] | undefined> | undefined;
  for (const ref of refs) {
    if (ref.kind === 'file') {
      subjects.push(fileSubject(ref.path));
    } else if (fs.existsSync(ref.path)) {
      const dataset = await openDataset(ref.path);
      try {
        if (ref.index < dataset.count) {
          const pixels = await dataset.read(ref.index, 1);
          const value = dataset.labels?.[ref.index];
          let label = value;
          if (value !== undefined && dataset.labelNames) {
            labels ??= modelLabels().catch(() => undefined);
            label = modelClassOf(value, matchClasses(dataset.labelNames, (await labels) ?? []).map);
          }
          subjects.push(sampleSubject(ref.path, ref.index, pixels, dataset, label));
        }
      } finally {
        await dataset.close();
      }
    }
  }
  return subjects;
}

export function isSubjectRefList(value: unknown): value is SubjectRef[] {
  return (
    Array.isArray(value) &&
    value.every(
      (r) =>
        r &&
        typeof r === 'object' &&
        typeof (r as SubjectRef).path === 'string' &&
        ((r as SubjectRef).kind === 'file' || ((r as SubjectRef).kind === 'dataset-sample' && Number.isInteger((r as { index: number }).index))),
    )
  );
}
