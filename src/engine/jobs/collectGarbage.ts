// A full garbage collection after a model has loaded. Loading reads the whole file and decodes its weights in
// JS (AlexNet: a 244 MB file and as many MB of copies) before they go into wasm memory; that garbage is only
// freed when V8 collects it, and it had not been by the time the first call grew the worker's wasm memory to
// its peak: the worker held both (AlexNet, one worker: 1.1 GB peak RSS instead of ~0.8 GB). The collection
// costs a few tens of ms, once per model load.
import * as v8 from 'v8';
import * as vm from 'vm';

let collect: (() => void) | null | undefined;

/** Collects garbage now if V8 lets us (the flag is set for this process the first time); resolves after
 *  one turn of the event loop, when the freed buffers' memory has been given back. */
export async function collectGarbage(): Promise<void> {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
  await new Promise((resolve) => setImmediate(resolve));
}
