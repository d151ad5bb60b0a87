// Recognises an image format from its first bytes: file extensions lie (a .png saved as JPEG is common).

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

export const FORMAT_NAMES: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', bmp: 'BMP', webp: 'WebP' };

export const SUPPORTED_FORMATS = 'PNG, JPEG, GIF, BMP and WebP';

export type Sniffed = { format: ImageFormat } | { unsupported: string } | { unknown: true };

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

function ascii(s: string): number[] {
  return Array.from(s, (ch) => ch.charCodeAt(0));
}

export function sniffImageFormat(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return { format: 'gif' };
  if (startsWith(bytes, ascii('BM'))) return { format: 'bmp' };
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return { format: 'webp' };
  // Formats people do try, named so the message can say what the file is.
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { unsupported: 'TIFF' };
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (/^avi[fs]$/.test(brand)) return { unsupported: 'AVIF' };
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand)) return { unsupported: 'HEIC/HEIF' };
  }
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return { unsupported: 'ICO' };
  if (startsWith(bytes, ascii('%PDF'))) return { unsupported: 'PDF' };
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return { unsupported: 'SVG' };
  return { unknown: true };
}
