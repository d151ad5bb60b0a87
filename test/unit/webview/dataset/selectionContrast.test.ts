// The selected-sample highlight of the dataset grid must be visible in every theme: the colour that marks
// a selected cell (its ring, from dataset.css) against the editor background, by the WCAG contrast ratio,
// with VS Code's variables from the theme fixtures. 3:1 is WCAG's minimum for non-text marks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { THEMES } from '../themes';

const css = fs.readFileSync(path.resolve(__dirname, '../../../../webview/dataset/dataset.css'), 'utf8');

/** The declarations of the first rule whose selector is exactly `selector`. */
function rule(selector: string): Record<string, string> {
  const match = new RegExp(`(^|\\})\\s*${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\{([^}]*)\\}`, 'm').exec(css.replace(/\/\*[\s\S]*?\*\//g, ''));
  assert.ok(match, `no "${selector}" rule in dataset.css`);
  return Object.fromEntries(
    match[2]
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.slice(0, d.indexOf(':')).trim(), d.slice(d.indexOf(':') + 1).trim()]),
  );
}

function resolveVar(value: string, vars: Record<string, string>): string {
  const m = /var\(--vscode-([\w-]+)(?:,\s*([^)]+))?\)/.exec(value);
  if (!m) return value;
  return vars[m[1]] ?? (m[2] ? resolveVar(m[2], vars) : '');
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test('the selected cell ring stands out from the editor background in dark, light and high contrast', () => {
  const selected = rule('.cell.selected');
  const ring = /inset\s+0\s+0\s+0\s+(\d+)px\s+(var\([^)]*\))/.exec(selected['box-shadow'] ?? '');
  assert.ok(ring, `.cell.selected has no inset ring: ${JSON.stringify(selected)}`);
  assert.ok(Number(ring[1]) >= 2, 'the ring is at least 2px wide');
  for (const [name, theme] of Object.entries(THEMES)) {
    const colour = resolveVar(ring[2], theme.vars);
    const background = theme.vars['editor-background'];
    assert.match(colour, /^#[0-9a-f]{6}$/i, `${name}: the ring colour resolves (${colour})`);
    const ratio = contrast(colour, background);
    assert.ok(ratio >= 3, `${name}: ring ${colour} on ${background} has contrast ${ratio.toFixed(2)}:1, below 3:1`);
  }
  // What the ring fixes: the selection background alone is too faint in the light theme.
  const light = THEMES.light.vars;
  assert.ok(contrast(light['list-inactiveSelectionBackground'], light['editor-background']) < 1.5);
});

test('the selection count keeps its room, so the toolbar does not move when "N selected" appears', () => {
  const count = rule('#selection-count');
  assert.equal(count.display, 'inline-block');
  assert.match(count['min-width'] ?? '', /^\d+ch$/);
  // "16 selected" at most for a comparison, "60,000 selected" for a whole file: 15 characters.
  assert.ok(Number.parseInt(count['min-width']) >= '60,000 selected'.length);
});
