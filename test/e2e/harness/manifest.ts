// What the scenarios expect, read from the repository rather than repeated in the tests: the command
// titles package.json contributes and the class labels of the bundled models.
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './paths';

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
}

/** package.json as the VSIX ships it. */
export function readManifest(): unknown {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
}

/** The command palette shows "<category>: <title>"; menus show the title alone. */
export function contributedCommand(id: string): { title: string; paletteLabel: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    contributes?: { commands?: CommandContribution[] };
  };
  const command = manifest.contributes?.commands?.find((c) => c.command === id);
  if (!command) throw new Error(`package.json contributes no command ${id}`);
  return { title: command.title, paletteLabel: command.category ? `${command.category}: ${command.title}` : command.title };
}

/** Every class label of every bundled model (`models/**\/card.json`). */
export function bundledModelLabels(): string[] {
  return [...new Set(bundledCards().flatMap((c) => c.labels.map(String)))];
}

interface ModelCardLabels {
  dataset?: string;
  labels: string[];
}

function bundledCards(): ModelCardLabels[] {
  const modelsDir = path.join(repoRoot, 'models');
  if (!fs.existsSync(modelsDir)) return [];
  return (fs.readdirSync(modelsDir, { recursive: true }) as string[])
    .filter((f) => path.basename(f) === 'card.json')
    .map((f) => JSON.parse(fs.readFileSync(path.join(modelsDir, f), 'utf8')) as ModelCardLabels)
    .filter((c) => Array.isArray(c.labels));
}

/**
 * A sample to explain and, when its name tells, its true label. Samples are named
 * `<dataset>-<class>-<test index>.png` (models/samples/README.md); a sample of a data set that a
 * bundled model was trained on is preferred, MNIST's first test image (a 7) first of all.
 */
export function sampleToExplain(images: string[]): { file: string; trueLabel?: string } | undefined {
  const pngs = images.filter((f) => /\.png$/i.test(f));
  const cards = bundledCards();
  const named = pngs
    .map((file) => ({ file, match: /(?:^|\/)([a-z]+)-(\d+)-(\d+)\.png$/i.exec(file) }))
    .filter((s) => s.match)
    .map(({ file, match }) => {
      const card = cards.find((c) => c.dataset?.toLowerCase().replace(/[^a-z]/g, '') === match![1].toLowerCase());
      return { file, card, index: Number(match![3]), label: card?.labels[Number(match![2])] };
    })
    .filter((s) => s.label !== undefined)
    .sort((a, b) => a.index - b.index);
  if (named.length > 0) return { file: named[0].file, trueLabel: named[0].label };
  return pngs.length > 0 ? { file: pngs[0] } : undefined;
}

/** Does `text` name `label` as a word of its own (so "7" is not found in "97.7 %")? */
export function namesLabel(text: string, label: string): boolean {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}.,])${escaped}(?![\\p{L}\\p{N}.,%])`, 'u').test(text);
}
