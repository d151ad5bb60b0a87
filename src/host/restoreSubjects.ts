// Rebuilds panel subjects from what the serializer stored: file paths, and dataset samples re-read from
// their dataset file.
import * as fs from 'fs';
import { openDataset } from '../engine/data/datasetFile';
import { fileSubject, sampleSubject, type Subject, type SubjectRef } from './subjects';

export async function subjectsFromRefs(refs: SubjectRef[]): Promise<Subject[]> {
  const subjects: Subject[] = [];
  for (const ref of refs) {
    if (ref.kind === 'file') {
      subjects.push(fileSubject(ref.path));
    } else if (fs.existsSync(ref.path)) {
      const dataset = await openDataset(ref.path);
      try {
        if (ref.index < dataset.count) {
          const pixels = await dataset.read(ref.index, 1);
          subjects.push(sampleSubject(ref.path, ref.index, pixels, dataset, dataset.labels?.[ref.index]));
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
