// A subject's image as one run reads it, and the original the panel shows of it. A file is read here
// once per run: the worker decodes those bytes and the webview shows them, so the file is not read again
// by the worker, nor sent again when it has not changed.
import { decodeImage, readImageBytes } from '../engine/image/decode';
import { encodePng } from '../engine/heatmap/png';
import { sniffImageFormat, type ImageFormat } from '../engine/image/sniff';
import type { ImageSource } from '../protocol/engineJobs';
import type { OriginalImage } from '../protocol/webviewMessages';
import type { Subject } from './subjects';

/** Larger files are explained but not shown as the original (the webview would hold them twice). */
const ORIGINAL_PREVIEW_LIMIT = 8 * 1024 * 1024;

const MIME_TYPES: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', webp: 'image/webp' };

/** The subject's image for a job: a file's bytes, read now; a dataset sample's pixels. A file that cannot
 *  be read goes as its path, so the worker names the problem as it does for every job. */
export async function readSubject(subject: Subject): Promise<ImageSource> {
  if (subject.source.kind !== 'file') return subject.source;
  try {
    return { kind: 'bytes', name: subject.source.path, bytes: await readImageBytes(subject.source.path) };
  } catch {
    return subject.source;
  }
}

/**
 * What the panel shows as the original: the file's bytes when they are an image of a known format and not
 * too large; an animated GIF (which would play) as its first frame, the one explained, as PNG.
 */
export function originalOf(source: ImageSource): OriginalImage | null {
  if (source.kind !== 'bytes' || source.bytes.length > ORIGINAL_PREVIEW_LIMIT) return null;
  const sniffed = sniffImageFormat(source.bytes);
  if (!('format' in sniffed)) return null;
  if (sniffed.format === 'gif') {
    try {
      const first = decodeImage(source.bytes, source.name);
      if (first.frames && first.frames > 1) return { bytes: new Uint8Array(encodePng(first)), mimeType: 'image/png' };
    } catch {
      return null; // the run reports the damage
    }
  }
  // A copy of its own: a Buffer would be sent as JSON numbers (its toJSON runs before VS Code's replacer).
  return { bytes: new Uint8Array(source.bytes), mimeType: MIME_TYPES[sniffed.format] };
}

/** Same picture: the same type and the same bytes. */
export function sameOriginal(a: OriginalImage | null | undefined, b: OriginalImage | null): boolean {
  if (!a || !b) return a === b;
  return a.mimeType === b.mimeType && Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength).equals(b.bytes);
}
