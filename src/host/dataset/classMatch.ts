// Which of the model's classes each label of the file means. When the file knows its class names (CIFAR's
// meta files, class folders) and the model card has names too, they are matched by name, so a folder whose
// classes sort differently from the model's training order still counts mistakes right; otherwise label
// value k is the model's class k. The browser says which. No `vscode` import.

/** A label value of the file with no class of the model. */
export const NO_CLASS = 255;

export interface ClassMatch {
  by: 'name' | 'index';
  /** label value → model class (NO_CLASS when none); absent when it is the identity. */
  map?: Uint8Array;
  /** One line for the UI. */
  note: string;
}

/** Names compared without case, spaces, '-' and '_' ("Pickup_Truck" = "pickup truck"). */
function key(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** A card's labels that are only "0", "1", ... name nothing. */
function hasNames(labels: readonly string[] | undefined): labels is string[] {
  return !!labels && labels.length > 0 && !labels.every((l, k) => l.trim() === String(k));
}

export function matchClasses(fileNames: readonly string[] | undefined, modelNames: readonly string[]): ClassMatch {
  if (!hasNames(fileNames) || !hasNames(modelNames)) {
    const why = hasNames(fileNames) ? 'the model has no class names' : 'the file has no class names';
    return { by: 'index', note: `labels matched to the model's classes by index (${why})` };
  }
  const modelIndex = new Map<string, number>();
  modelNames.forEach((name, k) => {
    if (!modelIndex.has(key(name))) modelIndex.set(key(name), k);
  });
  const map = new Uint8Array(256).fill(NO_CLASS);
  const missing: string[] = [];
  fileNames.forEach((name, v) => {
    const k = modelIndex.get(key(name));
    if (k === undefined || k > 254) missing.push(name);
    else map[v] = k;
  });
  if (missing.length === fileNames.length) {
    return { by: 'index', note: `labels matched to the model's classes by index (none of the file's class names is one of the model's)` };
  }
  const identity = missing.length === 0 && fileNames.every((_, v) => map[v] === v);
  const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, +${missing.length - 5}` : '');
  const note =
    `labels matched to the model's classes by name` +
    (missing.length ? ` (${missing.length} of the file's ${fileNames.length} classes are no class of the model: ${shown})` : '');
  return identity ? { by: 'name', note } : { by: 'name', map, note };
}

/** The file's labels as model classes. */
export function mapLabels(labels: Uint8Array, map: Uint8Array): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = map[labels[i]];
  return out;
}

/**
 * A sample's label as the model's class, as the panels need it (they name it with the model's labels and
 * explain it as a class): mapped by class name when the run matched names, none when the model lacks it.
 */
export function modelClassOf(label: number | undefined, labelMap: Uint8Array | undefined): number | undefined {
  if (label === undefined || !labelMap) return label;
  return labelMap[label] === NO_CLASS ? undefined : labelMap[label];
}
