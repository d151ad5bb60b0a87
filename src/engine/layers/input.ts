// The model's input: node 0 of every network. Nothing flows back past it; the walk's result is the signal
// that arrives here.
import type { FixedKind } from './layerKind';

export const input: FixedKind<'input'> = {
  kind: 'input',
  create: (_spec, c) => c.fail('is an input; inputs are made with GraphBuilder.input'),
  forward: (_node, [x]) => x,
  describe: (node) => `input [${node.shape.join(', ')}]`,
  vjp: () => [],
  relevance: () => [],
  lrpTreatment: () => 'the heatmap: relevance summed over channels',
  gradientTreatment: () => 'the heatmap',
};
