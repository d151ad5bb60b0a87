// Which method concepts are computed with, and how a channel's share is told: shared by the explain panel
// and the CLI so both say the same numbers.
import { formatMethodSpec, methodTitleText, parseMethodSpec } from '../methods/methodRegistry';
import { runsAs } from '../methods/methodTable';

/** Concepts need an LRP method; this one (the extension's default method) stands in for any other. */
export const DEFAULT_CONCEPT_METHOD = 'lrp-a2b1';

/** The method concepts use when `selected` is chosen: itself when it is an LRP method, else the default,
 *  with a note saying so. */
export function conceptMethodFor(selected: string): { method: string; note?: string } {
  const spec = parseMethodSpec(selected);
  if (runsAs(spec.id, 'lrp')) return { method: formatMethodSpec(spec) };
  const stand = parseMethodSpec(DEFAULT_CONCEPT_METHOD);
  return { method: DEFAULT_CONCEPT_METHOD, note: `${methodTitleText(spec)} is not an LRP method; concepts use ${methodTitleText(stand)}` };
}

/** A channel's share: R_c / Σ_c' |R_c'| (signed; the shares' absolute values add up to 1). */
export function shareOf(relevance: number, absoluteTotal: number): number {
  return absoluteTotal > 0 ? relevance / absoluteTotal : 0;
}
