// The figure's typeface: DejaVu Sans (it has Greek and ≪ ≫), parsed by opentype.js from a .ttf on disk.
// The build copies the file beside the bundle; tests and scripts find it in node_modules.
import * as fs from 'fs';
import * as path from 'path';
import * as opentype from 'opentype.js';
import type { PathCommand } from 'opentype.js';
import type { TextMeasure } from './titleText';

export interface FigureFont extends TextMeasure {
  /** Glyph outlines of `text` at `size` px with the baseline starting at (0, 0), y pointing down. */
  outline(text: string, size: number): PathCommand[];
}

const FONT_FILE = 'DejaVuSans.ttf';
const fonts = new Map<string, FigureFont>();

/** DejaVuSans.ttf beside the bundle (dist/), else the one in node_modules. */
export function defaultFontPath(): string {
  const besideBundle = path.join(__dirname, FONT_FILE);
  if (fs.existsSync(besideBundle)) return besideBundle;
  try {
    return require.resolve(`dejavu-fonts-ttf/ttf/${FONT_FILE}`);
  } catch {
    return besideBundle;
  }
}

export function loadFigureFont(fontPath = defaultFontPath()): FigureFont {
  let font = fonts.get(fontPath);
  if (font) return font;
  if (!fs.existsSync(fontPath)) throw new Error(`figure font not found: ${fontPath}`);
  const bytes = fs.readFileSync(fontPath);
  const parsed = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  font = {
    width: (text, size) => parsed.getAdvanceWidth(text, size),
    ascent: parsed.ascender / parsed.unitsPerEm,
    descent: -parsed.descender / parsed.unitsPerEm,
    outline: (text, size) => parsed.getPath(text, 0, 0, size).commands,
  };
  fonts.set(fontPath, font);
  return font;
}
