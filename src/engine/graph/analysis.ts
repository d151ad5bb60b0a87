// Facts about a network's graph that the forward pass and the backward walks need, computed once per
// network: who reads each node, which Dense/Conv has its ReLU fused into it, and where the "input side"
// ends (METHODS.md: the first layers are the Dense/Conv layers whose input is the model input through
// input maps only).
import { isLinear, type Network } from './nodes';

export interface GraphFacts {
  /** readers[i]: the nodes that read node i, in order. */
  readers: number[][];
  /** For a Dense/Conv whose only reader is a ReLU: that ReLU's index (they run as one fused op). */
  fusedRelu: Map<number, number>;
  /** No Dense/Conv lies on any path from the input to this node (the input itself included). */
  beforeFirstLinear: boolean[];
  /** Dense/Conv nodes whose input is before the first linear layers: the "first layers" of the rules. */
  firstLinear: boolean[];
  /** For a matmul node: which input holds attention weights (a softmax output, through reshapes and
   *  transposes only), the operand CP-LRP holds constant; null for other nodes and when neither does. */
  attentionWeightsInput: Array<number | null>;
}

const cache = new WeakMap<Network, GraphFacts>();

export function graphFacts(network: Network): GraphFacts {
  let facts = cache.get(network);
  if (!facts) {
    facts = analyse(network);
    cache.set(network, facts);
  }
  return facts;
}

function analyse({ nodes }: Network): GraphFacts {
  const readers = nodes.map(() => [] as number[]);
  nodes.forEach((node, i) => node.inputs.forEach((j) => readers[j].push(i)));
  const fusedRelu = new Map<number, number>();
  nodes.forEach((node, i) => {
    if (isLinear(node) && readers[i].length === 1 && nodes[readers[i][0]].kind === 'relu') fusedRelu.set(i, readers[i][0]);
  });
  const beforeFirstLinear = nodes.map(() => false);
  const firstLinear = nodes.map(() => false);
  nodes.forEach((node, i) => {
    if (i === 0) beforeFirstLinear[i] = true;
    else if (isLinear(node)) firstLinear[i] = beforeFirstLinear[node.inputs[0]];
    else beforeFirstLinear[i] = node.inputs.every((j) => beforeFirstLinear[j]);
  });
  const softmaxOutput = (j: number): boolean => {
    const node = nodes[j];
    return node.kind === 'softmax' || ((node.kind === 'reshape' || node.kind === 'transpose') && softmaxOutput(node.inputs[0]));
  };
  const attentionWeightsInput = nodes.map((node) => {
    if (node.kind !== 'matmul') return null;
    const k = node.inputs.findIndex(softmaxOutput);
    return k < 0 ? null : k;
  });
  return { readers, fusedRelu, beforeFirstLinear, firstLinear, attentionWeightsInput };
}
