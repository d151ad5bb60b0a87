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
  const modelsDir = path.join(repoRoot, 'models');
  if (!fs.existsSync(modelsDir)) return [];
  const cards = (fs.readdirSync(modelsDir, { recursive: true }) as string[]).filter((f) => path.basename(f) === 'card.json');
  const labels = new Set<string>();
  for (const card of cards) {
    const parsed = JSON.parse(fs.readFileSync(path.join(modelsDir, card), 'utf8')) as { labels?: unknown };
    if (Array.isArray(parsed.labels)) for (const label of parsed.labels) labels.add(String(label));
  }
  return [...labels];
}
