// 8-bit model-sized pixels to the network input, as every job that starts from pixels needs it.
import { pixelToInput } from '../model/modelCard';
import type { ModelCard } from '../../protocol/model';

/** 8-bit HWC pixels to the network input, through a per-channel table of the card's 256 values. */
export function inputConverter(card: ModelCard): (pixels: Uint8Array) => Float32Array {
  const toInput = pixelToInput(card);
  const channels = card.inputShape[2];
  const table = new Float32Array(256 * channels);
  for (let ch = 0; ch < channels; ch++) for (let v = 0; v < 256; v++) table[ch * 256 + v] = toInput(v, ch);
  return (pixels) => {
    const input = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) input[i] = table[(i % channels) * 256 + pixels[i]];
    return input;
  };
}
