// The README's table of torchvision model families, rendered from test/fixtures/onnx/families.json (the one
// source; test/unit/import/onnx/families.test.ts checks the README holds exactly this table).
//   node --import tsx scripts/familiesTable.ts
import * as fs from 'fs';
import * as path from 'path';

export interface Family {
  family: string;
  models: string[];
  opens: boolean;
  why?: string;
  fixtures: string[];
  zennit: string[];
  fullSize: string[];
}

export const FAMILIES_FILE = path.resolve(__dirname, '../test/fixtures/onnx/families.json');

export function readFamilies(file = FAMILIES_FILE): Family[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { families: Family[] }).families;
}

/** One row per family: torchvision names, opens, and what its maps and numbers are checked against. */
export function familiesTable(families: Family[]): string {
  const rows = families.map((f) => {
    const against: string[] = [];
    if (f.fixtures.length) against.push('PyTorch logits and autograd gradient (small export, CI)');
    if (f.zennit.length) against.push('Zennit 0.5.1 maps of the seed methods (CI)');
    if (f.fullSize.length) against.push(`PyTorch logits and autograd gradient at full size (${f.fullSize.join(', ')}, local)`);
    const opens = f.opens ? 'yes (opsets 13, 17)' : `no: ${f.why}`;
    return `| ${f.family} | ${f.models.map((m) => `\`${m}\``).join(', ')} | ${opens} | ${against.join('; ') || '—'} |`;
  });
  return ['| family | torchvision models | opens | exact against |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) console.log(familiesTable(readFamilies()));
