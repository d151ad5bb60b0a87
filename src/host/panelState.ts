// Pure pieces of the panels' state, kept apart from the vscode API so unit tests can pin them: what a
// method is called and whether Σ R means something, what its progress counts, and how a panel's display
// follows a settings change.
import { methodTitle, parseMethodSpec } from '../engine/methods/methodRegistry';
import { methodRecord } from '../engine/methods/methodTable';
import type { MethodSummary } from '../protocol/webviewMessages';
import type { DisplaySettings } from '../protocol/display';

export function methodSummary(spec: string): MethodSummary {
  try {
    const parsed = parseMethodSpec(spec);
    return { spec, title: methodTitle(parsed), conservative: methodRecord(parsed.id).conservative };
  } catch {
    // An invalid stored spec shows as typed; the explain run reports the error.
    return { spec, title: [{ text: spec }], conservative: false };
  }
}

/** What a method's progress counts, for the methods that report progress. */
export function progressUnit(spec: string): string | undefined {
  try {
    return methodRecord(parseMethodSpec(spec).id).progress?.unit;
  } catch {
    return undefined;
  }
}

/** The display after a settings change: the changed settings' values, the panel's own choices for the rest. */
export function followSettings(current: DisplaySettings, fromSettings: DisplaySettings, changed: (key: string) => boolean): DisplaySettings {
  const next = { ...current };
  if (changed('explainImage.colormap')) next.colormap = fromSettings.colormap;
  if (changed('explainImage.normalization') || changed('explainImage.percentile')) next.normalization = fromSettings.normalization;
  if (changed('explainImage.overlay')) next.overlay = fromSettings.overlay;
  if (changed('explainImage.overlayOpacity')) next.opacity = fromSettings.opacity;
  if (changed('explainImage.overlayByRelevance')) {
    if (fromSettings.opacityByRelevance === undefined) delete next.opacityByRelevance;
    else next.opacityByRelevance = fromSettings.opacityByRelevance;
  }
  return next;
}


/** The display as the `explainImage.*` settings that hold it (key → value), for "Use everywhere". The
 *  percentile is written only with the percentile normalisation (a "max" keeps the one set before). */
export function displaySettingValues(display: DisplaySettings): Array<[string, unknown]> {
  return [
    ['colormap', display.colormap],
    ['normalization', display.normalization.kind],
    ...(display.normalization.kind === 'percentile' ? [['percentile', display.normalization.p] as [string, unknown]] : []),
    ['overlay', display.overlay],
    ['overlayOpacity', display.opacity],
    ['overlayByRelevance', display.opacityByRelevance === true],
  ];
}
