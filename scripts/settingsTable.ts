// The table of settings in docs/settings.md, rendered from package.json's contributes.configuration (the
// one source: what VS Code shows in its Settings editor). It sits between `<!-- settings -->` and
// `<!-- /settings -->`; test/unit/docs/docs.test.ts checks it is what package.json renders now.
//   node --import tsx scripts/settingsTable.ts --write    write it into docs/settings.md
import * as fs from 'fs';
import * as path from 'path';
import { replaceBlock } from './markedBlock';

const ROOT = path.resolve(__dirname, '..');
export const SETTINGS_DOC = path.join(ROOT, 'docs/settings.md');

interface Setting {
  type: string;
  default: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
  description?: string;
  markdownDescription?: string;
}

export function readSettings(file = path.join(ROOT, 'package.json')): Record<string, Setting> {
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { contributes: { configuration: { properties: Record<string, Setting> } } };
  return manifest.contributes.configuration.properties;
}

/** A table cell: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

function values(s: Setting): string {
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(', ');
  if (s.minimum !== undefined || s.maximum !== undefined) return `${s.type}, ${s.minimum ?? '…'} to ${s.maximum ?? '…'}`;
  return s.type;
}

/** One row per setting, in package.json's order: name, values, default, what it does. */
export function settingsTable(settings: Record<string, Setting>): string {
  const rows = Object.entries(settings).map(([name, s]) => {
    const each = (s.enumDescriptions ?? []).map((d, i) => ` \`${s.enum![i]}\`: ${d}.`).join('');
    return `| \`${name}\` | ${values(s)} | \`${cell(JSON.stringify(s.default))}\` | ${cell((s.markdownDescription ?? s.description ?? '') + each)} |`;
  });
  return ['| setting | values | default | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  const table = settingsTable(readSettings());
  if (process.argv.includes('--write')) {
    fs.writeFileSync(SETTINGS_DOC, replaceBlock(fs.readFileSync(SETTINGS_DOC, 'utf8'), 'settings', 'settings', table, SETTINGS_DOC));
    console.log(`${path.relative(ROOT, SETTINGS_DOC)}: settings table written`);
  } else console.log(table);
}
