// Which samples make up a class for "Find strategies": the file's labels as the model's classes (the
// browser's by-name match applied) when it has labels, else the model's predictions. No `vscode` import.
import type { Dataset } from '../../engine/data/datasetFile';
import { UserError } from '../../engine/errors';
import type { PredictionModel } from '../../protocol/datasetMessages';
import { mapLabels } from './classMatch';

/** What the browser knows when "Find strategies" is pressed. */
export interface StrategiesContext {
  dataset: Dataset;
  /** The model of the prediction run (its classes, how the file's labels map to them). */
  model: PredictionModel | null;
  /** Every sample's predicted class, once the run has predicted them all; else null. */
  predicted: Int32Array | null;
}

/** The class's samples: by the file's labels (as the model's classes) when it has them, else by prediction. */
export function strategySamples(target: number, context: Pick<StrategiesContext, 'dataset' | 'model' | 'predicted'>): { samples: number[]; by: 'label' | 'predicted' } {
  const { dataset, model, predicted } = context;
  if (dataset.labels) {
    const labels = model?.labelMap ? mapLabels(dataset.labels, model.labelMap) : dataset.labels;
    return { samples: Array.from(labels).flatMap((l, i) => (l === target ? [i] : [])), by: 'label' };
  }
  if (!predicted) throw new UserError('the file has no labels: the class is taken from the predictions, which are not finished yet');
  return { samples: Array.from(predicted).flatMap((p, i) => (p === target ? [i] : [])), by: 'predicted' };
}
