// Where the models shipped with the extension live, and how a user's --model argument is resolved.
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from './errors';
import { isModelFileName } from './import/modelFiles';

/** `models/` of the installed extension or the source checkout: one folder up from dist/ or src/. */
export function bundledModelsDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'models'), path.resolve(__dirname, '..', '..', 'models')];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

/** Ids of the bundled models (folders of models/ holding a model.json). */
export function bundledModelIds(dir = bundledModelsDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => fs.existsSync(path.join(dir, n, 'model.json')))
    .sort();
}

/**
 * A bundled id, a model file (model.json, .onnx, .keras, .h5), or a folder holding model.json or exactly
 * one other model file → the absolute path of the model file.
 */
export function resolveModelPath(spec: string, dir = bundledModelsDir()): string {
  const bundled = path.join(dir, spec, 'model.json');
  if (/^[\w.-]+$/.test(spec) && fs.existsSync(bundled)) return bundled;
  const p = path.resolve(spec);
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
    const inside = path.join(p, 'model.json');
    if (fs.existsSync(inside)) return inside;
    const models = fs.readdirSync(p).filter(isModelFileName);
    if (models.length === 1) return path.join(p, models[0]);
    throw new UserError(
      models.length === 0
        ? 'is a folder without a model file (model.json, .onnx, .keras or .h5)'
        : `is a folder with several model files (${models.sort().join(', ')}); name one of them`,
      spec,
    );
  }
  if (fs.existsSync(p)) return p;
  const ids = bundledModelIds(dir);
  throw new UserError(`no such model file or bundled model (bundled: ${ids.join(', ') || 'none'})`, spec);
}
