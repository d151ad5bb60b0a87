// LRP composites (Zennit's `composites.py`): which rule goes on which Dense/Conv node is data in each LRP
// method's record (methodTable.ts); this makes the named rules (rules.ts) with the spec's parameters.
// Every other node kind propagates as its layer module says (layers/<kind>.ts).
import type { LinearNode } from '../graph/nodes';
import type { AttentionRule } from '../layers/layerKind';
import type { MethodSpec } from '../types';
import { runsAs, type RuleName } from './methodTable';
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

/** Each rule a composite names, made with the spec's parameters; `bounded` says whether the request gave
 *  input bounds: z^B needs them, and without them the first layer falls back to w² (deep Taylor's rule
 *  for unbounded inputs). */
const RULES: Record<RuleName, (params: Record<string, number>, bounded: boolean) => Rule> = {
  z: () => zRule,
  epsilon: (p) => epsilonRule(p.epsilon),
  gamma: (p) => gammaRule(p.gamma),
  'alpha-beta': (p) => alphaBetaRule(p.alpha, p.beta),
  'z-plus': () => zPlusRule,
  flat: () => flatRule,
  box: (_p, bounded) => (bounded ? zBoxRule : wSquareRule),
  // AttnLRP's choice: LRP-γ where the spec gives γ > 0, LRP-ε otherwise.
  'epsilon-or-gamma': (p) => (p.gamma > 0 ? gammaRule(p.gamma) : epsilonRule(p.epsilon)),
};

/** The composite of an LRP method (its record in methodTable.ts), with the spec's parameters. */
export function compositeFor(spec: MethodSpec, bounded: boolean): Composite {
  const runs = runsAs(spec.id, 'lrp');
  if (!runs) throw new Error(`${spec.id} is not an LRP method`);
  const made = new Map<RuleName, Rule>();
  const rule = (name: RuleName) => made.get(name) ?? made.set(name, RULES[name](spec.params, bounded)).get(name)!;
  const [first, convolution, dense] = [rule(runs.composite.first), rule(runs.composite.convolution), rule(runs.composite.dense)];
  return (_node, place) => (place.first ? first : place.convolution ? convolution : dense);
}

/** An LRP method's rule at softmax and matmul nodes (its record's `attention`, AttnLRP unless it says). */
export function attentionRuleOf(spec: MethodSpec): AttentionRule {
  const runs = runsAs(spec.id, 'lrp');
  if (!runs) throw new Error(`${spec.id} is not an LRP method`);
  return runs.attention ?? 'attnlrp';
}
