// Separable resampling of float planes: area averaging when an axis shrinks (every source pixel counts,
// so thin strokes do not vanish), bilinear when it grows, the identity when it keeps its size.

/** For one output index along an axis: which source indices it reads and with what weights. */
interface Tap {
  first: number;
  weights: number[];
}

export function axisTaps(srcLen: number, dstLen: number): Tap[] {
  const taps: Tap[] = [];
  const scale = srcLen / dstLen;
  for (let j = 0; j < dstLen; j++) {
    if (srcLen === dstLen) {
      taps.push({ first: j, weights: [1] });
    } else if (dstLen < srcLen) {
      // Output pixel j covers [j·scale, (j+1)·scale) of the source; weight = overlap / scale.
      const start = j * scale;
      const end = (j + 1) * scale;
      const first = Math.floor(start);
      const weights: number[] = [];
      for (let i = first; i < Math.min(srcLen, Math.ceil(end)); i++) {
        weights.push((Math.min(i + 1, end) - Math.max(i, start)) / scale);
      }
      taps.push({ first, weights });
    } else {
      // Pixel centres at i + 0.5 on both grids.
      const x = Math.min(Math.max((j + 0.5) * scale - 0.5, 0), srcLen - 1);
      const first = Math.min(Math.floor(x), srcLen - 1);
      const f = x - first;
      taps.push(first + 1 < srcLen ? { first, weights: [1 - f, f] } : { first, weights: [1] });
    }
  }
  return taps;
}

/** Resizes a single-channel row-major plane. */
export function resizePlane(src: Float32Array, srcW: number, srcH: number, dstW: number, dstH: number): Float32Array {
  if (srcW === dstW && srcH === dstH) return Float32Array.from(src);
  const xTaps = axisTaps(srcW, dstW);
  const yTaps = axisTaps(srcH, dstH);
  // Horizontal pass into srcH × dstW, then vertical pass into dstH × dstW.
  const rows = new Float64Array(srcH * dstW);
  for (let y = 0; y < srcH; y++) {
    for (let x = 0; x < dstW; x++) {
      const { first, weights } = xTaps[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * src[y * srcW + first + k];
      rows[y * dstW + x] = sum;
    }
  }
  const out = new Float32Array(dstH * dstW);
  for (let y = 0; y < dstH; y++) {
    const { first, weights } = yTaps[y];
    for (let x = 0; x < dstW; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(first + k) * dstW + x];
      out[y * dstW + x] = sum;
    }
  }
  return out;
}
