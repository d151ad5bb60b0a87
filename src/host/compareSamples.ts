// "Add dataset samples" in the comparison: a verdict needs at least 5 images, so the section offers to add
// samples of a data set file (one of the workspace's, or any picked): enough to reach 12 images, chosen at
// random (seeded, so the same file gives the same samples) among those the figure does not show yet.
import * as vscode from 'vscode';
import { isDatasetFileName, openDataset } from '../engine/data/datasetFile';
import { subjectsFromRefs } from './restoreSubjects';
import { pickSampleIndices } from './sampleIndices';
import type { Subject, SubjectRef } from './subjects';

/** How many images the figure should have after adding samples. */
export const IMAGES_AFTER_ADDING = 12;

/** Asks for a data set file and reads the samples to add; undefined when the user cancels. */
export async function pickDatasetSamples(subjects: readonly Subject[], modelLabels: readonly string[]): Promise<Subject[] | undefined> {
  const file = await pickDatasetFile();
  if (!file) return undefined;
  const dataset = await openDataset(file);
  const total = dataset.count;
  await dataset.close();
  const taken = new Set(subjects.flatMap((s) => (s.ref.kind === 'dataset-sample' && s.ref.path === file ? [s.ref.index] : [])));
  const indices = pickSampleIndices(total, Math.max(1, IMAGES_AFTER_ADDING - subjects.length), taken);
  const refs: SubjectRef[] = indices.map((index) => ({ kind: 'dataset-sample', path: file, index }));
  return subjectsFromRefs(refs, async () => modelLabels);
}

async function pickDatasetFile(): Promise<string | undefined> {
  const found = (await vscode.workspace.findFiles('**/*', '**/node_modules/**', 5000)).filter((uri) => isDatasetFileName(uri.fsPath)).slice(0, 200);
  const browse = { label: '$(folder-opened) Browse…', description: 'any data set file' };
  const items = [...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), browse];
  const chosen = found.length ? await vscode.window.showQuickPick(items, { title: 'Explain Image: add dataset samples to the comparison', placeHolder: 'A data set file (IDX, .npy, .npz, CSV, CIFAR)' }) : browse;
  if (!chosen) return undefined;
  if ('uri' in chosen) return chosen.uri.fsPath;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Add samples', title: 'A data set file to add samples from' });
  return picked?.[0]?.fsPath;
}
