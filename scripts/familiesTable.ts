// The tables of torchvision model families, rendered from test/fixtures/onnx/families.json (the one source):
// a short one in the README (family, models, opens) and the full one with the evidence in
// docs/models-and-cards.md. Each sits between `<!-- families:<kind> -->` and `<!-- /families -->`;
// test/unit/import/onnx/families.test.ts checks both files hold exactly what the data renders.
//   node --import tsx scripts/familiesTable.ts            print both tables
//   node --import tsx scripts/familiesTable.ts --write    write them into README.md and docs/models-and-cards.md
import * as fs from 'fs';
import * as path from 'path';
import { blockIn, replaceBlock } from './markedBlock';

export interface Family {
  family: string;
  models: string[];
  opens: boolean;
  why?: string;
  fixtures: string[];
  zennit: string[];
  fullSize: string[];
}

const ROOT = path.resolve(__dirname, '..');
export const FAMILIES_FILE = path.join(ROOT, 'test/fixtures/onnx/families.json');

/** Where each table lives: the README has the short one, the models page the one with the evidence. */
export const FAMILIES_TABLES = [
  { file: path.join(ROOT, 'README.md'), kind: 'short' },
  { file: path.join(ROOT, 'docs/models-and-cards.md'), kind: 'full' },
] as const;

export type TableKind = (typeof FAMILIES_TABLES)[number]['kind'];

export function readFamilies(file = FAMILIES_FILE): Family[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { families: Family[] }).families;
}

const modelNames = (f: Family) => f.models.map((m) => `\`${m}\``).join(', ');

/** One row per family: torchvision names, opens, and what its maps and numbers are checked against. */
export function familiesTable(families: Family[]): string {
  const rows = families.map((f) => {
    const against: string[] = [];
    if (f.fixtures.length) against.push('PyTorch logits and autograd gradient (small export, CI)');
    if (f.zennit.length) against.push('Zennit 0.5.1 maps of the seed methods (CI)');
    if (f.fullSize.length) against.push(`PyTorch logits and autograd gradient at full size (${f.fullSize.join(', ')}, local)`);
    const opens = f.opens ? 'yes (opsets 13, 17)' : `no: ${f.why}`;
    return `| ${f.family} | ${modelNames(f)} | ${opens} | ${against.join('; ') || '—'} |`;
  });
  return ['| family | torchvision models | opens | exact against |', '|---|---|---|---|', ...rows].join('\n');
}

/** The README's table: the families that open on one row, then each that does not with its reason. */
export function familiesSummary(families: Family[]): string {
  const open = families.filter((f) => f.opens);
  const rows = [
    ...open.map((f) => `| ${f.family} | ${modelNames(f)} | yes |`),
    ...families.filter((f) => !f.opens).map((f) => `| ${f.family} | ${modelNames(f)} | no: ${f.why} |`),
  ];
  return ['| family | torchvision models | opens |', '|---|---|---|', ...rows].join('\n');
}

export function renderTable(kind: TableKind, families: Family[]): string {
  return kind === 'short' ? familiesSummary(families) : familiesTable(families);
}

/** The table between the markers of `kind` in `text`, or undefined when the markers are missing. */
export function tableIn(text: string, kind: TableKind): string | undefined {
  return blockIn(text, `families:${kind}`, 'families');
}

function write(families: Family[]): void {
  for (const { file, kind } of FAMILIES_TABLES) {
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, replaceBlock(text, `families:${kind}`, 'families', renderTable(kind, families), file));
    console.log(`${path.relative(ROOT, file)}: ${kind} table written`);
  }
}

if (require.main === module) {
  const families = readFamilies();
  if (process.argv.includes('--write')) write(families);
  else for (const { kind } of FAMILIES_TABLES) console.log(`${renderTable(kind, families)}\n`);
}
