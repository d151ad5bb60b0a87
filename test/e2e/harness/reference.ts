// The engine's own answers, computed here in the test process on the same files with the same model,
// so a scenario can check that the panel shows what the engine computes (prediction, explained logit)
// instead of hard-coding what one trained model happens to say.
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { runJob } from '../../../src/engine/jobs/runJob';
import type { ExplainResult, ModelInfoResult } from '../../../src/protocol/engineJobs';
import { repoRoot } from './paths';

export interface BundledModel {
  id: string;
  modelJson: string;
  name: string;
  dataset?: string;
  labels: string[];
}

/** The bundled models (models/<id>/model.json with a card.json), sorted by id like the extension lists them. */
export function bundledModels(): BundledModel[] {
  const dir = path.join(repoRoot, 'models');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((id) => fs.existsSync(path.join(dir, id, 'model.json')) && fs.existsSync(path.join(dir, id, 'card.json')))
    .sort()
    .map((id) => {
      const card = JSON.parse(fs.readFileSync(path.join(dir, id, 'card.json'), 'utf8')) as { name?: string; dataset?: string; labels?: unknown[] };
      return { id, modelJson: path.join(dir, id, 'model.json'), name: card.name ?? id, dataset: card.dataset, labels: (card.labels ?? []).map(String) };
    });
}

/** The model a fresh workspace uses: the `explainImage.model` default (mnist-cnn) when bundled, else the first. */
export function defaultModel(): BundledModel {
  const models = bundledModels();
  const model = models.find((m) => m.id === 'mnist-cnn') ?? models[0];
  if (!model) throw new Error('no bundled model (models/<id>/model.json + card.json)');
  return model;
}

/** Explains image files in this process (the extension's preprocessing, 'auto'). */
export async function explainHere(
  modelJson: string,
  files: string[],
  method = 'lrp-a2b1',
  targets?: Array<number | null>,
): Promise<ExplainResult> {
  const backend = await initBackend(nodeModulesWasmDir());
  return (await runJob(
    {
      type: 'explain',
      model: { path: modelJson },
      images: files.map((f) => ({ kind: 'file', path: f })),
      methods: [method],
      targets: targets?.map((t) => [t]),
      preprocess: 'auto',
    },
    backend,
  )) as ExplainResult;
}

/** The label the engine predicts for each file. */
export async function predictedLabels(modelJson: string, files: string[]): Promise<string[]> {
  const result = await explainHere(modelJson, files, 'gradient');
  return files.map((_, i) => {
    const e = result.explanations.find((x) => x.image === i);
    if (!e) throw new Error(`the engine could not read ${files[i]}: ${result.images[i]?.error}`);
    return result.card.labels[e.predicted] ?? String(e.predicted);
  });
}

/** The engine's node list of a model with the rule `method` applies at each node (model-info). */
export async function modelInfoHere(modelPath: string, method?: string): Promise<ModelInfoResult> {
  const backend = await initBackend(nodeModulesWasmDir());
  return (await runJob({ type: 'model-info', model: { path: modelPath }, method }, backend)) as ModelInfoResult;
}
