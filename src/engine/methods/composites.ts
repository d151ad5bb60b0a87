// Which rule goes on which Dense/Conv node, per LRP method (Zennit's `composites.py`). Rules themselves
// live in rules.ts; every other node kind propagates as its layer module says (layers/<kind>.ts).
import type { LinearNode } from '../graph/nodes';
import type { MethodId, MethodSpec } from '../types';
import {
  alphaBetaRule,
  epsilonRule,
  flatRule,
  gammaRule,
  wSquareRule,
  zBoxRule,
  zPlusRule,
  zRule,
  type Rule,
} from './rules';

/** Where a node sits and what it is: a first Dense/Conv (its input is the model input through input maps
 *  only, METHODS.md) sees pixels and gets the input-domain rules; composites tell convolutions apart. */
export interface LayerPlace {
  first: boolean;
  convolution: boolean;
}

export type Composite = (node: LinearNode, place: LayerPlace) => Rule;

export const LRP_METHODS: ReadonlySet<MethodId> = new Set<MethodId>([
  'deep-taylor',
  'lrp-ab',
  'lrp-z',
  'lrp-epsilon',
  'lrp-gamma',
  'epsilon-plus-flat',
  'epsilon-gamma-box',
]);

/**
 * The composite of an LRP method. `bounded` says whether the request gave input bounds: the z^B rule needs
 * them, and without them the first layer falls back to w² (deep Taylor's rule for unbounded inputs).
 */
export function compositeFor(spec: MethodSpec, bounded: boolean): Composite {
  const p = spec.params;
  const inputRule = bounded ? zBoxRule : wSquareRule;
  switch (spec.id) {
    case 'lrp-z':
      return () => zRule;
    case 'lrp-epsilon': {
      const rule = epsilonRule(p.epsilon);
      return () => rule;
    }
    case 'lrp-gamma': {
      const rule = gammaRule(p.gamma);
      return () => rule;
    }
    case 'lrp-ab': {
      // The seed figure applies αβ to every layer, the first included.
      const rule = alphaBetaRule(p.alpha, p.beta);
      return () => rule;
    }
    case 'deep-taylor':
      return (_layer, { first }) => (first ? inputRule : zPlusRule);
    case 'epsilon-plus-flat': {
      const dense = epsilonRule(p.epsilon);
      return (_node, { first, convolution }) => (first ? flatRule : convolution ? zPlusRule : dense);
    }
    case 'epsilon-gamma-box': {
      const dense = epsilonRule(p.epsilon);
      const conv = gammaRule(p.gamma);
      return (_node, { first, convolution }) => (first ? inputRule : convolution ? conv : dense);
    }
    default:
      throw new Error(`${spec.id} is not an LRP method`);
  }
}
