// Where the part of the original the model sees lies on the panel's picture of the original: the centre
// crop of torchvision-style preprocessing (PreparedImage.source.region, in source pixels), mapped into the
// box the <img> is drawn in with `object-fit: contain`. No DOM: unit-tested.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SourceView {
  width: number;
  height: number;
  region: Rect;
}

/** The region covers the whole image (to a hundredth of a pixel): nothing was cropped, nothing to outline. */
export function isWholeImage(source: SourceView): boolean {
  const r = source.region;
  const near = (a: number, b: number) => Math.abs(a - b) < 0.01;
  return near(r.x, 0) && near(r.y, 0) && near(r.width, source.width) && near(r.height, source.height);
}

/**
 * The region in CSS pixels of a `boxWidth` × `boxHeight` box showing the image scaled to fit, centred
 * (object-fit: contain); null when the whole image is used.
 */
export function cropOutline(source: SourceView, boxWidth: number, boxHeight: number): Rect | null {
  if (isWholeImage(source) || source.width <= 0 || source.height <= 0) return null;
  const k = Math.min(boxWidth / source.width, boxHeight / source.height);
  const left = (boxWidth - source.width * k) / 2;
  const top = (boxHeight - source.height * k) / 2;
  const r = source.region;
  return { x: left + r.x * k, y: top + r.y * k, width: r.width * k, height: r.height * k };
}

/** "the model sees 72×72 of 72×96, from (0, 12)" (rounded to pixels). */
export function cropText(source: SourceView): string {
  const r = source.region;
  const n = (v: number) => String(Math.round(v * 10) / 10);
  return `the model sees ${n(r.width)}×${n(r.height)} of ${source.width}×${source.height}, from (${n(r.x)}, ${n(r.y)})`;
}
