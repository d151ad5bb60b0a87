// RGBA pixels onto a canvas, the canvas sized to them (the views set the CSS size).
import { imageDataOf, type RgbaImage } from './heatmap/rasterize';

export function drawRgba(canvas: HTMLCanvasElement, image: RgbaImage): void {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(imageDataOf(image), 0, 0);
}
