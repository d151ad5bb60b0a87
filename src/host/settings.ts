// The `explainImage.*` settings, read once into a typed object per use.
import * as vscode from 'vscode';
import type { PreprocessMode } from '../protocol/preprocess';
import { COLORMAPS, type ColormapName, type DisplaySettings } from '../protocol/display';
import { SEED_METHODS } from '../engine/methods/methodTable';
import { maxWorkers } from '../engine/budgets';
import { MAX_THREADS } from '../engine/wasmThreads';

export interface Settings {
  model: string;
  method: string;
  display: DisplaySettings;
  preprocess: PreprocessMode;
  /** Engine workers and XNNPACK threads per worker; 0 = automatic (engine/pool/poolShape.ts). */
  workers: number;
  threads: number;
  compareMethods: string[];
  compareModels: string[];
  /** K of the comparison's pixel flipping (explainImage.faithfulness.steps). */
  faithfulnessSteps: number;
}

/** The settings the panels' display follows (explain panel and comparison). */
export const DISPLAY_SETTINGS = ['colormap', 'normalization', 'percentile', 'overlay', 'overlayOpacity'].map((k) => `explainImage.${k}`);

/**
 * Settings that make the extension parse files they name. In an untrusted workspace their workspace
 * values are ignored (package.json lists them in `restrictedConfigurations`; VS Code does the same).
 */
export const RESTRICTED_SETTINGS = ['model', 'compare.models'];

/** A setting's value, without the workspace's own value while the workspace is not trusted. */
function trustedValue<T>(c: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  if (vscode.workspace.isTrusted || !RESTRICTED_SETTINGS.includes(key)) return c.get<T>(key, fallback);
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('explainImage');
  const colormap = c.get<string>('colormap', 'bwr');
  const normalization = c.get<string>('normalization', 'percentile');
  const percentile = clamp(c.get<number>('percentile', 99.5), 50, 100);
  const preprocess = c.get<string>('preprocess', 'auto');
  return {
    model: trustedValue<string>(c, 'model', 'mnist-cnn') || 'mnist-cnn',
    method: c.get<string>('method', 'lrp-a2b1') || 'lrp-a2b1',
    display: {
      colormap: (COLORMAPS as readonly string[]).includes(colormap) ? (colormap as ColormapName) : 'bwr',
      normalization: normalization === 'max' ? { kind: 'max' } : { kind: 'percentile', p: percentile },
      overlay: c.get<boolean>('overlay', false),
      opacity: clamp(c.get<number>('overlayOpacity', 0.6), 0, 1),
    },
    preprocess: preprocess === 'fit' || preprocess === 'none' ? preprocess : 'auto',
    // 0 = automatic; at most BUDGETS.workersPerCore per core (a setting of 1,000,000 must not start 2,000 threads).
    workers: Math.floor(clamp(c.get<number>('workers', 0), 0, maxWorkers())),
    threads: Math.floor(clamp(c.get<number>('threads', 0), 0, MAX_THREADS)),
    compareMethods: nonEmpty(c.get<string[]>('compare.methods', [...SEED_METHODS]), [...SEED_METHODS]),
    compareModels: trustedValue<string[]>(c, 'compare.models', []),
    faithfulnessSteps: Math.max(1, Math.floor(clamp(c.get<number>('faithfulness.steps', 20), 1, 100_000))),
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo;
}

function nonEmpty(list: string[] | undefined, fallback: string[]): string[] {
  return Array.isArray(list) && list.length > 0 ? list.map(String) : fallback;
}
