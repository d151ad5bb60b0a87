// `models` and `methods`: what the CLI can use, as a table or JSON.
import * as fs from 'fs';
import * as path from 'path';
import { bundledModelIds, bundledModelsDir } from '../engine/bundledModels';
import { expandMethodList, formatMethodSpec, listMethods } from '../engine/methods/methodRegistry';
import type { ModelCard } from '../protocol/model';
import type { Options } from './options';

export function modelsCommand(opts: Options): number {
  const dir = bundledModelsDir();
  const rows = bundledModelIds(dir).map((id) => {
    const cardPath = path.join(dir, id, 'card.json');
    const card = fs.existsSync(cardPath) ? (JSON.parse(fs.readFileSync(cardPath, 'utf8')) as Partial<ModelCard>) : {};
    return { id, path: path.join(dir, id, 'model.json'), name: card.name ?? id, dataset: card.dataset, accuracy: card.accuracy, inputShape: card.inputShape };
  });
  if (opts.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
  } else {
    for (const r of rows) {
      const acc = r.accuracy !== undefined ? `${(r.accuracy * 100).toFixed(2)}%` : '?';
      process.stdout.write(`${r.id.padEnd(14)} ${String(r.dataset ?? '').padEnd(13)} accuracy ${acc.padEnd(7)} input ${r.inputShape?.join('×') ?? '?'}\n`);
    }
    process.stdout.write('Any other model: --model path/to/model.json | model.onnx | model.keras | model.h5\n');
  }
  return 0;
}

export function methodsCommand(opts: Options): number {
  const methods = listMethods();
  if (opts.json) {
    process.stdout.write(JSON.stringify(methods) + '\n');
    return 0;
  }
  for (const m of methods) {
    const params = m.params.map((p) => `${p.name}=${p.default}`).join(', ');
    process.stdout.write(`${m.id.padEnd(22)} ${m.description}${params ? `  [${params}]` : ''}\n`);
    if (m.presets?.length) process.stdout.write(`${''.padEnd(22)} presets: ${m.presets.join(', ')}\n`);
  }
  process.stdout.write(`${'seed'.padEnd(22)} the seed figure's seven methods: ${expandMethodList('seed').map(formatMethodSpec).join(', ')}\n`);
  return 0;
}
