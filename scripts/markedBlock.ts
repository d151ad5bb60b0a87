// Generated blocks inside Markdown files: the text between `<!-- <name> -->` and `<!-- /<end> -->` lines
// (the families tables, the settings table). A generator writes the block, a test compares it with what the
// data renders now.
export function blockIn(text: string, name: string, end: string): string | undefined {
  const start = `<!-- ${name} -->\n`;
  const a = text.indexOf(start);
  if (a < 0) return undefined;
  if (text.startsWith(`<!-- /${end} -->`, a + start.length)) return '';
  const b = text.indexOf(`\n<!-- /${end} -->`, a + start.length);
  return b < 0 ? undefined : text.slice(a + start.length, b);
}

/** `text` with the block `name` replaced by `content`; throws when the markers are missing. */
export function replaceBlock(text: string, name: string, end: string, content: string, file: string): string {
  const old = blockIn(text, name, end);
  if (old === undefined) throw new Error(`${file}: no <!-- ${name} --> … <!-- /${end} --> markers`);
  const start = `<!-- ${name} -->\n`;
  const a = text.indexOf(start) + start.length;
  return text.slice(0, a) + content + (old === '' ? '\n' : '') + text.slice(a + old.length);
}
