// A transformer's model graph is hundreds of nodes in repeated blocks (ViT's encoder_layer_0…11, Swin's
// features.1.0…): the panel lists them by block, each block one row that opens, with the rules at its
// attention ops (softmax, matrix products of two activations) in that row. The block of a node is read from
// its name, the path torch.onnx.export writes ("/encoder/layers/encoder_layer_3/self_attention/MatMul"):
// the deepest path segment that names a layer, block or stage by number.
import type { NodeInfo } from '../src/protocol/model';

export interface GraphBlock {
  /** The block's path ("/encoder/layers/encoder_layer_3"), or null for nodes outside any block. */
  path: string | null;
  /** Its last segment ("encoder_layer_3"), or null. */
  label: string | null;
  nodes: NodeInfo[];
  /** "softmax: …; matmul: …" for the attention ops in it, each distinct rule once ('' when none). */
  attentionRules: string;
}

const BLOCK_SEGMENT = /(layer|block|stage|features)s?[._-]?\d+([._]\d+)*$/i;
const ATTENTION_KINDS = new Set(['softmax', 'matmul']);

/** The block path of a node name, or null. */
export function blockOf(name: string): string | null {
  const segments = name.split('/');
  for (let k = segments.length - 2; k >= 0; k--) if (BLOCK_SEGMENT.test(segments[k])) return segments.slice(0, k + 1).join('/');
  return null;
}

/**
 * Consecutive nodes of one block together, in graph order; null for a graph without attention (a CNN's list
 * stays flat) or with fewer than two blocks.
 */
export function graphBlocks(nodes: NodeInfo[]): GraphBlock[] | null {
  if (!nodes.some((n) => ATTENTION_KINDS.has(n.kind))) return null;
  const groups: GraphBlock[] = [];
  for (const node of nodes) {
    const path = blockOf(node.name);
    const last = groups[groups.length - 1];
    if (last && last.path === path) last.nodes.push(node);
    else groups.push({ path, label: path === null ? null : path.slice(path.lastIndexOf('/') + 1), nodes: [node], attentionRules: '' });
  }
  if (groups.filter((g) => g.path !== null).length < 2) return null;
  for (const g of groups) {
    const rules = new Map<string, Set<string>>();
    for (const n of g.nodes) if (ATTENTION_KINDS.has(n.kind) && n.rule) rules.set(n.kind, (rules.get(n.kind) ?? new Set()).add(n.rule));
    g.attentionRules = [...rules].map(([kind, set]) => `${kind}: ${[...set].join(' / ')}`).join('; ');
  }
  return groups;
}
