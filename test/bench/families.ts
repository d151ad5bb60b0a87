// Every torchvision classification family at full size (224×224, random weights), at opsets 13 and 17:
// written by scripts/fixtures/torchvision_families.py into a folder (not committed: ~1.5 GB), then each
// model checked in its own process (familyCheck.ts: opens, logits against PyTorch, gradient against
// autograd, peak RSS, and at opset 13 the ms per seed method: the ops are the same at 17) and explained
// through the CLI with the seven seed methods
// (`explain … --method seed --json`: exit code 0 and seven maps). Slow (~1 h on 2 shared cores); not run
// in CI. Prints a Markdown table and writes the rows as JSON.
//   /usr/bin/python3 scripts/fixtures/torchvision_families.py .cache/families
//   npm run build && node --import tsx test/bench/families.ts [.cache/families] [--only name,...] [--out file.json]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { REPO } from './models';
import { SEED } from './zennit';

interface Row {
  family: string;
  opset: number;
  opens: boolean;
  error?: string;
  logitError?: number;
  gradientError?: number;
  loadMs?: number;
  methodMs?: Record<string, number>;
  peakRssMB?: number;
  cli?: { ok: boolean; maps: number; ms: number; peakRssMB: number; error?: string };
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const dir = path.resolve(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : path.join(REPO, '.cache/families'));
  const only = argument('--only')?.split(',');
  const out = argument('--out') ?? path.join(REPO, 'test/bench/results/families.json');
  const references = fs.readdirSync(dir).filter((f) => f.endsWith('.reference.json')).sort();
  const png = path.join(os.tmpdir(), 'families-224.png');
  writeNoisePng(png, 224, 224);
  const rows: Row[] = fs.existsSync(out) && only ? (JSON.parse(fs.readFileSync(out, 'utf8')) as Row[]) : [];
  for (const reference of references) {
    const family = reference.replace(/\.reference\.json$/, '');
    if (only && !only.includes(family)) continue;
    for (const opset of [13, 17]) {
      const model = path.join(dir, `${family}-opset${opset}.onnx`);
      if (!fs.existsSync(model)) continue;
      const args = ['--import', 'tsx', path.join(__dirname, 'familyCheck.ts'), model, path.join(dir, reference), ...(opset === 13 ? [] : ['--no-timing'])];
      const check = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26 });
      const line = check.stdout.split('\n').find((l) => l.startsWith('{'));
      const row: Row = { family, opset, ...(line ? JSON.parse(line) : { opens: false, error: check.stderr.slice(-500) }) };
      row.cli = cliRun(png, model);
      const index = rows.findIndex((r) => r.family === family && r.opset === opset);
      if (index >= 0) rows[index] = row;
      else rows.push(row);
      fs.writeFileSync(out, JSON.stringify(rows, null, 1));
      console.error(`${family} opset ${opset}: ${row.opens ? `logits ${row.logitError?.toExponential(1)}, gradient ${row.gradientError?.toExponential(1)}` : row.error}; CLI ${row.cli.ok ? 'ok' : row.cli.error}`);
    }
  }
  console.log(table(rows));
}

/** `explain <png> --model <model> --method seed --json` through the built CLI, under /usr/bin/time for the peak RSS. */
function cliRun(png: string, model: string): NonNullable<Row['cli']> {
  const start = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, path.join(REPO, 'dist/cli.js'), 'explain', png, '--model', model, '--method', 'seed', '--json'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = Math.round(performance.now() - start);
  const rss = Number(/maxrss=(\d+)/.exec(run.stderr)?.[1] ?? 0);
  let maps = 0;
  try {
    const parsed = JSON.parse(run.stdout) as unknown;
    maps = Array.isArray(parsed) ? parsed.length : ((parsed as { results?: unknown[] }).results?.length ?? 0);
  } catch {
    maps = 0;
  }
  const ok = run.status === 0 && maps === SEED.length;
  return { ok, maps, ms, peakRssMB: Math.round(rss / 1024), ...(ok ? {} : { error: (run.stderr.split('\n').find((l) => l.includes(':')) ?? `exit ${run.status}`).slice(0, 300) }) };
}

function writeNoisePng(file: string, w: number, h: number): void {
  const png = new PNG({ width: w, height: h });
  let s = 1;
  for (let i = 0; i < png.data.length; i++) {
    s = (s * 16807) % 2147483647;
    png.data[i] = i % 4 === 3 ? 255 : s % 256;
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

function table(rows: Row[]): string {
  const e = (v?: number) => (v === undefined ? '' : v.toExponential(1));
  const lines = [
    `| family | opset | opens | logits (rel.) | gradient (rel.) | load ms | ${SEED.join(' | ')} | peak RSS MB | CLI seed (ms, peak RSS MB) |`,
    `|${'---|'.repeat(8 + SEED.length)}`,
  ];
  for (const r of rows) {
    const ms = SEED.map((m) => r.methodMs?.[m] ?? '');
    const cli = r.cli ? (r.cli.ok ? `ok (${r.cli.ms}, ${r.cli.peakRssMB})` : `fails: ${r.cli.error}`) : '';
    lines.push(`| ${r.family} | ${r.opset} | ${r.opens ? 'yes' : `no: ${r.error}`} | ${e(r.logitError)} | ${e(r.gradientError)} | ${r.loadMs ?? ''} | ${ms.join(' | ')} | ${r.peakRssMB ?? ''} | ${cli} |`);
  }
  return lines.join('\n');
}

main();
