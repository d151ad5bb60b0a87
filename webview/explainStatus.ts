// What the explain panel says about its own state, as pure functions of the host's state (unit-tested):
// which run the numbers belong to, whether they are out of date, the time of the run shown, progress.
// The rule: the header names the current choice; everything below it (prediction, bars, heatmap, caption,
// time) names the run it came from, and says so when that run is not the current choice.
import { titleText } from '../src/protocol/methodTitle';
import type { ExplainViewState, ImageResult, ModelGraphView, PanelImage } from '../src/protocol/webviewMessages';
import { modelLoadText } from './modelLoadText';

/** An image as the view shows it: the host's entry, with its original (a blob: URL) and its last results. */
export type ExplainedImage = PanelImage & ImageResult & { originalSrc?: string };

/** The host's state with each image's original and results put in: what the view renders. */
export type ExplainView = Omit<ExplainViewState, 'images'> & { images: ExplainedImage[] };

/** Class names of the run whose predictions are shown. */
export function shownLabels(state: ExplainView): string[] {
  return state.shown?.model.labels ?? state.model.labels;
}

/** The heatmap shown is the current method's for the class asked for, and nothing newer is being computed. */
export function heatmapIsCurrent(state: ExplainView, image: ExplainedImage | undefined): boolean {
  const heatmap = image?.heatmap;
  if (!heatmap || !state.shown || state.busy) return false;
  if (state.shown.method.spec !== state.method.spec || state.shown.model.id !== state.model.id) return false;
  return state.target === null ? heatmap.target === image.predicted : heatmap.target === state.target;
}

/** "wasm-simd · 2 workers · 3.1 ms": the time only when a heatmap of that run is on screen. */
export function timeText(state: ExplainView, image: ExplainedImage | undefined): string {
  const ms = state.shown?.ms;
  const parts = [state.backend];
  if (ms !== undefined && image?.heatmap) parts.push(formatMs(ms));
  return parts.filter(Boolean).join(' · ');
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** "SmoothGrad: 12 of 32 samples" while a run reports progress; the model's load while the run waits for it. */
export function progressText(state: ExplainView): string | undefined {
  const p = state.progress;
  if (state.busy && state.loading) return modelLoadText(state.loading);
  if (!state.busy || !p) return undefined;
  // The family name only: "SmoothGrad (samples = 4096, sigma = 0.1)" would repeat the total.
  return `${titleText(state.method.title).replace(/ \(.*\)$/, '')}: ${p.done} of ${p.total} ${p.unit}`;
}

/**
 * Said above an out-of-date heatmap: while a new run is busy, or after Cancel, when the heatmap shown is
 * not the current method's (or class's).
 */
export function staleNote(state: ExplainView, image: ExplainedImage | undefined): string | undefined {
  const heatmap = image?.heatmap;
  if (!heatmap || !state.shown || heatmapIsCurrent(state, image)) return undefined;
  const labels = shownLabels(state);
  const what = `${titleText(state.shown.method.title)} for class ${labels[heatmap.target] ?? heatmap.target}`;
  if (state.busy) return `Computing ${titleText(state.method.title)}… shown until it is ready: ${what}.`;
  if (state.cancelled) return `Cancelled. Shown: ${what}, from before. Retry computes ${titleText(state.method.title)}.`;
  return undefined;
}

/** Export saves what is on screen; while a run is busy it would save the old heatmap, so it waits. */
export function exportBlocker(state: ExplainView, image: ExplainedImage | undefined): string | undefined {
  if (!image?.heatmap) return 'No heatmap to export';
  if (state.busy) return 'Waiting for the heatmap being computed';
  return undefined;
}

/** The graph list only for the model in the header: another model's nodes are never listed under its name. */
export function graphToShow(graph: ModelGraphView | null, state: Pick<ExplainView, 'model'> | undefined): ModelGraphView | null {
  return graph && state && graph.modelId === state.model.id ? graph : null;
}

/** What the predictions say while there are none for the image: why, and what is under way. */
export function noPredictionText(state: ExplainView, image: ExplainedImage | undefined): string {
  if (image?.error || state.error) return 'No prediction.';
  if (state.loading) return `Waiting for the model: ${modelLoadText(state.loading)}`;
  if (state.busy) return `Computing with ${state.model.name}…`;
  if (state.cancelled) return 'Cancelled. Retry computes it.';
  return 'No prediction yet.';
}
