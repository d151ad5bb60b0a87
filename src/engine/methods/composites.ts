// Which rule goes on which Dense/Conv2D layer, per LRP method (Zennit's `composites.py`). Rules themselves
// live in rules.ts; non-linear layers (ReLU, pooling, reshape) are handled by the propagation walker.
import type { MethodId, MethodSpec } from '../types';
import type { LinearLayer } from './layerOps';
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

/** Where a layer sits: the first Dense/Conv2D sees pixels and gets the input-domain rules. */
export interface LayerPlace {
  first: boolean;
}

export type Composite = (layer: LinearLayer, place: LayerPlace) => Rule;

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
      return (layer, { first }) => (first ? flatRule : layer.kind === 'conv2d' ? zPlusRule : dense);
    }
    case 'epsilon-gamma-box': {
      const dense = epsilonRule(p.epsilon);
      const conv = gammaRule(p.gamma);
      return (layer, { first }) => (first ? inputRule : layer.kind === 'conv2d' ? conv : dense);
    }
    default:
      throw new Error(`${spec.id} is not an LRP method`);
  }
}
