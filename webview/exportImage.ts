// Export: the PNG is the canvas's own pixels, so what is saved is exactly what is shown.

/** A file-name-safe slug: letters, digits, '.', '_' and '-' only; Greek letters spelled out. */
export function slug(text: string): string {
  const greek: Record<string, string> = { α: 'alpha', β: 'beta', γ: 'gamma', ε: 'epsilon', σ: 'sigma' };
  return text
    .replace(/[αβγεσ]/g, (c) => greek[c])
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/** "seven.png" + "lrp-ab:alpha=2,beta=1" + "7" → "seven-lrp-ab-alpha-2-beta-1-class-7.png". */
export function suggestedFileName(parts: string[]): string {
  const stem = parts
    .map((part, i) => slug(i === 0 ? part.replace(/\.[A-Za-z0-9]{1,5}$/, '') : part))
    .filter(Boolean)
    .join('-');
  return `${(stem || 'heatmap').slice(0, 120)}.png`;
}

/** The canvas as PNG bytes (they cross to the host as they are). */
export async function canvasPng(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the canvas could not be encoded as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
