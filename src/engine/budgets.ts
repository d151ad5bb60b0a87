// Every limit on what a model file (or a command line) may make the engine allocate or walk, in one place.
// A model file in a cloned repository is input from a stranger: its sizes are checked against these budgets
// before anything is allocated, and a refusal names the file, the thing and the limit and says what to do.
// The defaults are sized for a 2 GB extension host running two workers: one model's files and weights at most
// 1 GiB, one image's activations at most 512 MB of float32, and every walk over a graph iterative.
// Tests may lower a limit for a moment (BUDGETS is a plain object); the product never changes them.
import * as os from 'os';
import { UserError } from './errors';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export const BUDGETS = {
  /** Bytes of one model read from disk: the model file, its external data, weight shards or archive members. */
  modelBytes: 1 * GiB,
  /** Bytes of JSON a model or card is read from (model.json, a Keras config.json or model_config). */
  jsonBytes: 64 * MiB,
  /** Bytes of a card file or labels.txt. */
  cardBytes: 4 * MiB,
  /** Nesting depth of any JSON a model or card holds (objects and arrays): real Keras configs stay under 40. */
  jsonDepth: 200,
  /** Entries of a zip's central directory (a .keras archive holds three, an .npz one per array). */
  zipEntries: 10_000,
  /** Bytes of a zip's central directory (10,000 entries with long names take ~3 MB). */
  zipDirectoryBytes: 64 * MiB,
  /** Nodes of a graph: ONNX nodes in the file, engine nodes after translation (ResNet-152 has ~500). */
  graphNodes: 20_000,
  /** Longest chain of nodes from the input to any node. */
  graphDepth: 10_000,
  /** Axes of one tensor. */
  tensorRank: 16,
  /** Values one graph node outputs for one image (float32: 128 MB). */
  nodeValues: 2 ** 25,
  /** Values all graph nodes output together for one image (float32: 512 MB). */
  activationValues: 2 ** 27,
  /** Values of the model input a card's inputShape asks for (2048 × 2048 × 3 is 12.6 M). */
  inputValues: 2 ** 24,
  /** Values of a constant computed at load (ConstantOfShape, a broadcast, a Gather…) beyond its largest input. */
  foldedValues: 2 ** 24,
  /** Worker threads per CPU core (the CLI's --workers, the setting explainImage.workers). */
  workersPerCore: 2,
};

export type BudgetName = keyof typeof BUDGETS;

const UNITS: Record<BudgetName, string> = {
  modelBytes: 'bytes',
  jsonBytes: 'bytes',
  cardBytes: 'bytes',
  jsonDepth: 'levels deep',
  zipEntries: 'entries',
  zipDirectoryBytes: 'bytes',
  graphNodes: 'nodes',
  graphDepth: 'nodes in a chain',
  tensorRank: 'axes',
  nodeValues: 'values per image',
  activationValues: 'values per image',
  inputValues: 'values',
  foldedValues: 'values',
  workersPerCore: 'workers per core',
};

/** What the user can do about it, per budget. */
const ADVICE: Partial<Record<BudgetName, string>> = {
  modelBytes: 'the file is damaged, or the model is too large to explain in the editor',
  jsonBytes: 'the file is damaged or not a model',
  cardBytes: 'a card holds a few fields and labels; fix or remove the file',
  jsonDepth: 'the file is damaged or not a model',
  zipEntries: 'the archive is damaged',
  zipDirectoryBytes: 'the archive is damaged',
  graphNodes: 'the file is damaged, or the model is too large to explain in the editor',
  graphDepth: 'the file is damaged, or the model is too deep to explain in the editor',
  tensorRank: 'the file is damaged',
  nodeValues: 'check the padding, resize or input size the model asks for (a damaged or hostile file?)',
  activationValues: 'use a smaller input size (card inputShape) or a smaller model',
  inputValues: 'give a smaller inputShape in the card',
  foldedValues: 'the file is damaged or computes an absurd constant',
};

/** The limit's value and unit as a message states it: "33,554,432 values per image". */
export function describeLimit(name: BudgetName): string {
  return `${formatCount(BUDGETS[name])} ${UNITS[name]}`;
}

/**
 * Throws the UserError of a refused budget unless `amount` ≤ the limit: "<thing> is 10,811,520,000
 * values per image, over the limit of 33,554,432 (…); <advice>". `thing` names what was measured (a node,
 * a tensor, a zip member); `file` the file it comes from.
 */
export function checkBudget(name: BudgetName, amount: number, thing: string, file: string | undefined, advice = ADVICE[name]): void {
  if (amount <= BUDGETS[name]) return;
  throw new UserError(`${thing} is ${formatCount(amount)} ${UNITS[name]}, over the limit of ${formatCount(BUDGETS[name])}${advice ? `; ${advice}` : ''}`, file);
}

/** The product of `dims` without overflowing into nonsense: Infinity when it is not a finite count. */
export function countOf(dims: ArrayLike<number>): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (!(d >= 0) || !Number.isFinite(d)) return Infinity;
    n *= d;
  }
  return Number.isFinite(n) ? n : Infinity;
}

/** The CPU cores this process may use. */
export function cpuCores(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length ?? 1);
}

/** The most worker threads this machine runs for `jobs` jobs: `workersPerCore` × its cores, and no more than the jobs. */
export function maxWorkers(jobs = Infinity): number {
  return Math.max(1, Math.min(BUDGETS.workersPerCore * cpuCores(), jobs));
}

/** 10811520000 → "10,811,520,000"; beyond 10^15 in exponent form. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2);
}
