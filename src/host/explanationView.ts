// An engine result as the webviews show it: the one conversion from Explanation and PreparedImage to
// the view's heatmap, model input, class scores and prediction label, for the explain panel and the
// comparison alike. No `vscode`: unit-tested.
import type { PreparedImage } from '../protocol/engineJobs';
import type { Explanation } from '../protocol/explanation';
import type { ClassScore, HeatmapView, ImageResult, PixelImage } from '../protocol/webviewMessages';

/** The relevance map and its numbers. The map is copied out of the buffer the engine returns all maps of a
 *  job in, so that posting it sends its own bytes only. */
export function heatmapView(e: Explanation): HeatmapView {
  return { relevance: e.relevance.slice(), shape: e.shape, target: e.target, ...(e.contrast === undefined ? {} : { contrast: e.contrast, contrastLogit: e.contrastLogit }), logit: e.logit, relevanceSum: e.relevanceSum, ms: e.ms };
}

/** The 8-bit image the model was given. */
export function inputImage(prepared: PreparedImage): PixelImage {
  const [height, width, channels] = prepared.shape;
  return { width, height, channels, pixels: prepared.pixels };
}

/** Every class with its probability, most probable first. */
export function classScores(e: Explanation, labels: string[]): ClassScore[] {
  return Array.from(e.probabilities, (probability, index) => ({ index, label: labels[index] ?? String(index), probability })).sort(
    (a, b) => b.probability - a.probability,
  );
}

/** "7 (99.2%)": the predicted class and its probability, as the comparison's rows and cells say it. */
export function predictionLabel(e: Explanation, labels: string[]): string {
  return `${labels[e.predicted] ?? e.predicted} (${(e.probabilities[e.predicted] * 100).toFixed(1)}%)`;
}

/** What the explain panel shows of one image of a result: the model input, the steps, the prediction and the heatmap. */
export function imageResult(prepared: PreparedImage | undefined, explanation: Explanation | undefined, labels: string[]): ImageResult {
  if (!prepared || prepared.error) return { error: prepared?.error ?? 'not explained' };
  const result: ImageResult = { input: inputImage(prepared), steps: prepared.steps };
  if (prepared.frames) result.frames = prepared.frames;
  if (prepared.source) result.source = prepared.source;
  if (!explanation) return result;
  result.predicted = explanation.predicted;
  result.scores = classScores(explanation, labels);
  result.heatmap = heatmapView(explanation);
  return result;
}
