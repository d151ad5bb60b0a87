// A model's first heatmap in a worker took 2–5× a later one (ResNet-18: ~2.5 s of CPU against ~1.2 s for
// LRP-α2β1). What the first call pays once: XNNPACK packing every forward kernel and every backward layout
// (made then too), the wasm memory growing to the call's size (page faults: ~300 ms of a first ResNet-18
// forward pass here), and V8 compiling the walk's code. So when a model is chosen (the panels' model-info
// job loads it), the worker also runs one sensitivity map of a blank image before it answers: model-info
// takes that much longer, and the first real map costs ~1.1–1.3× a warm one. Once per loaded model.
import { explain } from '../methods/explain';
import { parseMethodSpec } from '../methods/methodRegistry';
import type { LoadedAnyModel } from '../import/loadAnyModel';
import { networkInputBounds } from '../model/modelCard';

const warmed = new WeakSet<object>();

/** Runs the warm-up of `model`, once per loaded model. */
export function warmUp(model: LoadedAnyModel): void {
  if (warmed.has(model.network)) return;
  warmed.add(model.network);
  const { network, card } = model;
  const size = card.inputShape.reduce((a, b) => a * b, 1);
  try {
    explain(network, card.inputShape, { images: [new Float32Array(size)], methods: [parseMethodSpec('sensitivity')], bounds: networkInputBounds(card) });
  } catch {
    // A model that cannot be explained says so when it is asked to; the warm-up is only an optimisation.
  }
}
