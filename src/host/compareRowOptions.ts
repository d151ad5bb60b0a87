// A comparison row's option (its input cell clicked): explain the row's predicted class, or a contrast,
// "why c and not c′?", against any other class, the likeliest first. Pure: the items and what they mean.

export interface RowOption {
  label: string;
  description?: string;
  /** The class contrasted with; undefined: the class alone. */
  contrast: number | undefined;
}

/** The row's options: its class alone, then "Why c and not c′?" for every other class by probability. */
export function rowOptions(target: number, probabilities: ArrayLike<number>, labels: readonly string[], current: number | undefined): RowOption[] {
  const name = (k: number) => labels[k] ?? String(k);
  const others = Array.from({ length: probabilities.length }, (_, k) => k)
    .filter((k) => k !== target)
    .sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  const percent = (k: number) => `${(probabilities[k] * 100).toFixed(1)}%`;
  return [
    { label: `Explain ${name(target)}`, description: `its logit alone${current === undefined ? ' (shown)' : ''}`, contrast: undefined },
    ...others.map((k) => ({ label: `Why ${name(target)} and not ${name(k)}?`, description: `f_${name(target)} − f_${name(k)} · ${percent(k)}${current === k ? ' (shown)' : ''}`, contrast: k })),
  ];
}

/** The row's label under a contrast: "7 (88.6%), not 1". */
export function contrastLabel(label: string, contrast: number, labels: readonly string[]): string {
  return `${label}, not ${labels[contrast] ?? contrast}`;
}
