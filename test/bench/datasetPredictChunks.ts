// Samples per prediction job on colour data: wall time, CPU time and peak RSS of predicting a whole
// 50,000-sample CIFAR-10-size batch (shapes images, the shapes ResNet fixture, 2 workers) as the dataset
// browser does (predictDataset over EngineService), one child process per run, chunk sizes alternated so
// the machine's load hits them alike.
//   node --import tsx test/bench/datasetPredictChunks.ts [--chunks 63,250] [--rounds 2] [--count 50000] [--json out.json]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openDataset } from '../../src/engine/data/datasetFile';
import { predictDataset } from '../../src/host/dataset/predictDataset';
import { EngineService } from '../../src/host/engineService';
import { shapesDataset } from '../../scripts/fixtures/shapesData';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '63,250' },
    rounds: { type: 'string', default: '2' },
    count: { type: 'string', default: '50000' },
    child: { type: 'string' },
    json: { type: 'string' },
  },
});
const DIST = path.resolve(__dirname, '../../dist');
const MODEL = path.resolve(__dirname, '../fixtures/onnx/shapes-resnet/shapes-resnet.onnx');
const count = Number(values.count);

function writeBatch(): string {
  const file = path.join(os.tmpdir(), `explain-image-bench-cifar-${count}`, 'data_batch_1.bin');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const distinct = 500;
  const { images, labels } = shapesDataset(distinct, 32, 32, 31);
  const records = Buffer.alloc(distinct * 3073);
  for (let i = 0; i < distinct; i++) {
    records[i * 3073] = labels[i];
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) records[i * 3073 + 1 + c * 1024 + p] = images[(i * 1024 + p) * 3 + c];
  }
  const fd = fs.openSync(file, 'w');
  for (let k = 0; k < count / distinct; k++) fs.writeSync(fd, records);
  fs.closeSync(fd);
  return file;
}

async function child(chunk: number, file: string): Promise<void> {
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  const engine = new EngineService({ workers: () => 2, workerScript: path.join(DIST, 'worker.js'), wasmDir: DIST });
  const dataset = await openDataset(file);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await predictDataset(engine, dataset, { path: MODEL }, { chunkSize: chunk });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage.rss());
  let correct = 0;
  for (let i = 0; i < dataset.count; i++) if (result.predicted[i] === dataset.labels![i]) correct++;
  await dataset.close();
  await engine.dispose();
  console.log(JSON.stringify({ chunk, wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000), peakRssMb: Math.round(peak / 2 ** 20), accuracy: correct / count }));
}

async function main(): Promise<void> {
  const file = writeBatch();
  if (values.child) return child(Number(values.child), file);
  const chunks = values.chunks!.split(',').map(Number);
  const runs: unknown[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const chunk of round % 2 ? [...chunks].reverse() : chunks) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', String(chunk), '--count', String(count)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const line = JSON.parse(r.stdout.trim().split('\n').pop()!);
      console.log(JSON.stringify({ round, ...line, loadAverage: os.loadavg()[0] }));
      runs.push({ round, ...line });
    }
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ model: 'shapes-resnet', count, workers: 2, runs }, null, 2));
}

void main();
