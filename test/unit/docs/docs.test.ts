// The README and docs/ kept true by what they describe: the README is short and runs the command .ci/run
// runs; every page is linked and every relative link and anchor leads somewhere; the screenshots are real
// PNGs; the method table lists every method of the method table with its parameters and defaults; the
// settings table is the one package.json renders; the CLI reference shows `--help` verbatim and names every
// option; every e2e scenario file has its row in docs/development.md; every `npm run` named has its script.
// (The families tables are checked by test/unit/import/onnx/families.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { CLI } from '../bundles';
import { blockIn } from '../../../scripts/markedBlock';
import { readSettings, settingsTable, SETTINGS_DOC } from '../../../scripts/settingsTable';
import { OPTIONS } from '../../../src/cli/options';
import { USAGE } from '../../../src/cli/usage';
import { BUDGETS, type BudgetName } from '../../../src/engine/budgets';
import { listMethods } from '../../../src/engine/methods/methodRegistry';

const ROOT = path.resolve(__dirname, '../../..');
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs');
const read = (file: string) => fs.readFileSync(file, 'utf8');
const docPages = () => fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => path.join(DOCS, f));
const documents = () => [README, ...docPages()];
const rel = (file: string) => path.relative(ROOT, file);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

/** Markdown links and images outside code: [text](target). */
function linksOf(markdown: string): Array<{ image: boolean; target: string }> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => ({ image: m[1] === '!', target: m[2] }));
}

/** The table rows of `markdown` under the heading `heading`, as cells. */
function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no heading "${heading}"`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

describe('the README', () => {
  const readme = read(README);

  test('fits in 200 lines', () => {
    const lines = readme.trimEnd().split('\n').length;
    assert.ok(lines <= 200, `README.md has ${lines} lines`);
  });

  test('gives the test command that .ci/run runs, and the command that runs the product', () => {
    const ci = /\{\s*(.+?);\s*\}\s*<\s*\/dev\/null/.exec(read(path.join(ROOT, '.ci/run')));
    assert.ok(ci, '.ci/run has no `{ <command>; } </dev/null` line');
    const command = ci[1].trim();
    assert.equal(command, 'bash scripts/bootstrap.sh && npm test');
    const shellLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
    assert.ok(shellLines.some((l) => l.split('#')[0].trim() === command), `the README's commands do not include \`${command}\``);
    assert.ok(shellLines.some((l) => l.split('#')[0].trim() === 'bash scripts/bootstrap.sh && npm start'), 'the README does not say how to run the product');
  });

  test('shows the panel and the comparison in screenshots that are real PNGs of a readable size', () => {
    const images = linksOf(readme).filter((l) => l.image).map((l) => l.target);
    assert.ok(images.includes('docs/images/panel.png') && images.includes('docs/images/compare.png'), `README images: ${images.join(', ')}`);
    for (const image of images) {
      const file = path.join(ROOT, image);
      assert.ok(fs.existsSync(file), `${image} is missing (npm run screenshots)`);
      const bytes = fs.readFileSync(file);
      assert.ok(bytes.length > 20_000 && bytes.length < 3_000_000, `${image}: ${bytes.length} bytes`);
      const png = PNG.sync.read(bytes);
      assert.ok(png.width >= 1000 && png.height >= 400, `${image}: ${png.width}×${png.height}`);
      // A screenshot of the product, not a blank: many colours, and the heatmaps' red and blue among them.
      const colours = new Set<number>();
      let red = 0;
      let blue = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
        colours.add((r << 16) | (g << 8) | b);
        if (r > 180 && g < 120 && b < 120) red++;
        if (b > 180 && r < 120 && g < 120) blue++;
      }
      assert.ok(colours.size > 200 && red > 50 && blue > 20, `${image}: ${colours.size} colours, ${red} red and ${blue} blue pixels`);
    }
  });

  test('its command-line example runs as written and writes the figure', () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
    const line = readme.split('\n').find((l) => l.startsWith('node dist/cli.js '));
    assert.ok(line, 'the README has no `node dist/cli.js …` example');
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-cli-')), 'grid.png');
    // As a user's shell runs it (the glob expanded by bash), in the repository, the figure written elsewhere.
    const command = line.replace(/--out \S+/, `--out ${out}`) + ' --workers 1';
    const r = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    const png = PNG.sync.read(fs.readFileSync(out));
    assert.ok(png.width > 500 && png.height > 100, `the figure is ${png.width}×${png.height}`);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  test('links every page of docs/', () => {
    const targets = new Set(linksOf(readme).map((l) => l.target.split('#')[0]));
    const unlinked = docPages().map(rel).filter((page) => !targets.has(page));
    assert.deepEqual(unlinked, [], 'pages of docs/ the README does not link');
  });
});

describe('the documents', () => {
  test('every relative link leads to a file, and every anchor to a heading in it', () => {
    const broken: string[] = [];
    for (const doc of documents()) {
      for (const { target } of linksOf(read(doc))) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [file, anchor] = target.split('#');
        const resolved = file ? path.resolve(path.dirname(doc), file) : doc;
        if (!fs.existsSync(resolved)) broken.push(`${rel(doc)}: ${target} (no such file)`);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) broken.push(`${rel(doc)}: ${target} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  test('every picture in docs/images/ is used', () => {
    const used = new Set(documents().flatMap((doc) => linksOf(read(doc)).map((l) => path.resolve(path.dirname(doc), l.target))));
    const images = fs.readdirSync(path.join(DOCS, 'images')).map((f) => path.join(DOCS, 'images', f));
    assert.deepEqual(images.filter((f) => !used.has(f)).map(rel), []);
  });

  test('every `npm run <script>` they name is a script of package.json', () => {
    const scripts = (JSON.parse(read(path.join(ROOT, 'package.json'))) as { scripts: Record<string, string> }).scripts;
    const missing = documents().flatMap((doc) =>
      [...read(doc).matchAll(/\bnpm (?:run(?: --silent)? ([\w:-]+)|(start|test)\b)/g)]
        .map((m) => m[1] ?? m[2])
        .filter((name) => !(name in scripts))
        .map((name) => `${rel(doc)}: npm run ${name}`),
    );
    assert.deepEqual(missing, []);
  });
});

describe('docs/methods.md', () => {
  const rows = tableRows(read(path.join(DOCS, 'methods.md')), '## The methods');

  test('lists every method of the method table, once', () => {
    const ids = rows.map((r) => r[0].replace(/`/g, ''));
    assert.deepEqual([...ids].sort(), listMethods().map((m) => m.id).sort());
  });

  test('gives every parameter with its default, and every preset', () => {
    for (const method of listMethods()) {
      const row = rows.find((r) => r[0] === `\`${method.id}\``)!;
      for (const p of method.params) assert.ok(row[2].includes(`${p.name} (${p.default}`), `${method.id}: "${p.name} (${p.default}" not in "${row[2]}"`);
      if (!method.params.length) assert.equal(row[2], '–', `${method.id} has no parameters`);
      for (const preset of method.presets) assert.ok(row[1].includes(`\`${preset}\``), `${method.id}: preset ${preset} not in "${row[1]}"`);
    }
  });
});

describe('docs/settings.md', () => {
  test('holds the settings table package.json renders', () => {
    const shown = blockIn(read(SETTINGS_DOC), 'settings', 'settings');
    assert.equal(shown, settingsTable(readSettings()), 'out of date: node --import tsx scripts/settingsTable.ts --write');
  });

  test('the table has every contributed setting with its default', () => {
    const rows = tableRows(read(SETTINGS_DOC), '<!-- settings -->');
    const settings = readSettings();
    assert.deepEqual(rows.map((r) => r[0].replace(/`/g, '')), Object.keys(settings));
    for (const row of rows) assert.equal(row[2], `\`${JSON.stringify(settings[row[0].replace(/`/g, '')].default)}\``);
  });
});

describe('docs/cli.md', () => {
  const cli = read(path.join(DOCS, 'cli.md'));

  test('shows the text of --help verbatim', () => {
    assert.equal(blockIn(cli, 'usage: src/cli/usage.ts', 'usage'), '```text\n' + USAGE + '\n```');
  });

  test('--help names every option the command line accepts', () => {
    const aliases = new Set(['randomize', 'help']); // --randomize is --randomise; --help prints this text
    const unnamed = Object.keys(OPTIONS).filter((o) => !aliases.has(o) && !USAGE.includes(`--${o}`));
    assert.deepEqual(unnamed, []);
  });
});

describe('docs/security.md', () => {
  /** The row of the limits table that states each budget (a new budget must be given its row here). */
  const ROW: Record<BudgetName, string> = {
    modelBytes: "bytes of one model's files",
    jsonBytes: "bytes of a model's JSON",
    cardBytes: "bytes of a model's JSON",
    jsonDepth: 'nesting of any JSON',
    zipEntries: 'zip central directory',
    zipDirectoryBytes: 'zip central directory',
    graphNodes: 'graph nodes',
    graphDepth: 'graph nodes',
    tensorRank: 'axes of a tensor',
    nodeValues: 'values one node outputs',
    activationValues: 'values all nodes output',
    inputValues: "values of a card's `inputShape`",
    foldedValues: 'values of a constant computed at load',
    workersPerCore: 'worker threads',
  };
  const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

  /** A budget as the table writes it: bytes in GiB or MiB, powers of two as 2ⁿ, counts with commas. */
  function written(name: BudgetName, value: number): string {
    if (/Bytes$/.test(name)) return value % 2 ** 30 === 0 ? `${value / 2 ** 30} GiB` : `${value / 2 ** 20} MiB`;
    if (/Values$/.test(name)) return `2${[...String(Math.log2(value))].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
    if (name === 'workersPerCore') return `${value} per CPU core`;
    return value.toLocaleString('en-US');
  }

  test('the limits table states every budget of src/engine/budgets.ts with its value', () => {
    const rows = tableRows(read(path.join(DOCS, 'security.md')), '## Limits on model files');
    for (const [name, value] of Object.entries(BUDGETS) as Array<[BudgetName, number]>) {
      const row = rows.find((r) => r[0].startsWith(ROW[name]));
      assert.ok(row, `no row "${ROW[name]}…" for ${name}`);
      assert.ok(row[1].includes(written(name, value)), `${name}: "${written(name, value)}" not in "${row[1]}"`);
    }
  });
});

describe('docs/development.md', () => {
  test('has a row for every e2e scenario file', () => {
    const development = read(path.join(DOCS, 'development.md'));
    const files = fs.readdirSync(path.join(ROOT, 'test/e2e')).filter((f) => f.endsWith('.e2e.test.ts'));
    assert.deepEqual(files.filter((f) => !development.includes(`| \`${f}\` |`)), []);
  });
});
