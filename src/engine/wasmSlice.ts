// A Slice kernel for the wasm backend that copies only the slice. tfjs-wasm 4.22's own Slice reads the
// whole input out of wasm memory into a new JS array first (`readSync`, a copy) and then copies the slice
// from it: taking 3 of 4 stacked relevance blocks at ResNet-18's stem copied 13 MB to take 10, and the
// backward walks slice on every Dense/Conv node (signals.ts, relu.ts, the crops of geometry.ts). Profiled on
// ResNet-18's seed set: Slice 54 ms of kernel time per call. This kernel reads the input where it lies
// (`typedArrayFromHeap`, as tfjs-wasm's own Concat does) and copies each contiguous run once.
//
// Registered in place of tfjs-wasm's (a kernel registry is tfjs's public way to supply kernels); strings
// and anything but plain numeric data go to the original kernel.
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let installed = false;

/** Replaces the wasm backend's Slice kernel (once per thread; after the wasm backend is registered). */
export function installWasmSlice(): void {
  if (installed) return;
  const original = tf.getKernel('Slice', 'wasm');
  if (!original) return;
  installed = true;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { inputs, attrs } = args;
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs!.begin as number[], attrs!.size as number[]);
      const backend = args.backend as unknown as WasmBackendLike;
      // The output first: making it may grow wasm memory, which detaches every view taken before.
      const out = backend.makeOutput(size, x.dtype);
      copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
      return out;
    },
  });
}

/** The slice [begin, begin + size) of `from` (shape `shape`, row-major) into `to`, one contiguous run at a time. */
function copySlice(from: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, shape: number[], begin: number[], size: number[], to: { set(values: ArrayLike<number>, offset: number): void }): void {
  const rank = shape.length;
  if (size.some((s) => s === 0)) return;
  // The innermost axes the slice takes whole form one run, together with the first axis it cuts.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * shape[a + 1];
  const run = size[inner] * strides[inner];
  const index = new Array<number>(inner).fill(0);
  let written = 0;
  for (;;) {
    let offset = begin[inner] * strides[inner];
    for (let a = 0; a < inner; a++) offset += (begin[a] + index[a]) * strides[a];
    to.set(from.subarray(offset, offset + run), written);
    written += run;
    let a = inner - 1;
    while (a >= 0 && ++index[a] === size[a]) index[a--] = 0;
    if (a < 0) return;
  }
}
