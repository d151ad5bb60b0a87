// Which nodes of a network have concepts (CRP): the nodes whose output channels are learnt features, the
// Dense and Conv layers and attention products (CONCEPT_KINDS, protocol/concepts.ts, which the webview reads too). A
// node's channels are the last axis of its output (NHWC maps: the feature maps; vectors: the units); its
// positions are the rest of the output (h·w for a map, 1 for a vector).
import { UserError } from '../errors';
import type { GraphNode, Network } from '../graph/nodes';
import { CONCEPT_KINDS } from '../../protocol/concepts';

export function hasConcepts(node: Pick<GraphNode, 'kind'>): boolean {
  return CONCEPT_KINDS.includes(node.kind);
}

export interface ConceptNode {
  index: number;
  node: GraphNode;
  channels: number;
  /** Positions per channel: h·w of a map, 1 of a vector. */
  positions: number;
}

/** The node called `name`, checked: it exists and has concepts. The message lists the nodes that do. */
export function conceptNode(network: Network, name: string): ConceptNode {
  const index = network.nodes.findIndex((n) => n.name === name);
  const offered = network.nodes.filter(hasConcepts).map((n) => n.name);
  const list = offered.length ? `; nodes with concepts: ${offered.join(', ')}` : '';
  if (index < 0) throw new UserError(`the model has no node "${name}"${list}`);
  const node = network.nodes[index];
  if (!hasConcepts(node)) throw new UserError(`node "${name}" is a ${node.kind} node; concepts are the channels of Dense, Conv and attention (A·V) nodes${list}`);
  const channels = node.shape[node.shape.length - 1];
  return { index, node, channels, positions: node.shape.slice(0, -1).reduce((a, b) => a * b, 1) };
}
