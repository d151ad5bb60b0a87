// Which factor of a product is a gate (METHODS.md, "Gates, normalisation layers and attention"): the output
// of a sigmoid, hard sigmoid or softmax whose input does not depend elementwise on the other factor, i.e.
// the two are not elementwise functions of one tensor; the other factor reaches the gate only through ops
// that mix values (a pooling, a convolution, a dense layer), as in squeeze-excite: x ⊙ σ(W₂ relu(W₁ GAP(x))).
// x ⊙ σ(x) (SiLU), relu(c) ⊙ σ(2c + 1), or σ(a) ⊙ σ(b) (both gates) have none. Decided once at build;
// layers/product.ts reads it.
import type { GraphNode, ProductNode } from './nodes';

/** Kinds whose output element depends on the input elements at the same position only. */
const ELEMENTWISE = new Set<GraphNode['kind']>(['relu', 'clip', 'leakyRelu', 'activation', 'prelu', 'affine', 'add', 'product']);

/** Kinds that only move values: a gate may be reshaped or transposed on its way to the product. */
const MOVES = new Set<GraphNode['kind']>(['reshape', 'transpose']);

/** `nodes` with every product's `gate` set (a new array; nodes other than products are the same objects). */
export function markGates(nodes: GraphNode[]): GraphNode[] {
  return nodes.map((node) => {
    if (node.kind !== 'product') return node;
    const gates = node.inputs.map((j, k) => isGate(nodes, j, node.inputs[1 - k]));
    const gate: ProductNode['gate'] = gates[0] === gates[1] ? null : gates[0] ? 0 : 1;
    return { ...node, gate };
  });
}

/** Whether node `j` (one factor) is a gate of a product whose other factor is node `other`. */
function isGate(nodes: GraphNode[], j: number, other: number): boolean {
  let source = j;
  while (MOVES.has(nodes[source].kind)) source = nodes[source].inputs[0];
  const node = nodes[source];
  const squashes = node.kind === 'activation' && (node.fn === 'sigmoid' || node.fn === 'hardSigmoid');
  if (!squashes) return false;
  const sources = elementwiseSources(nodes, node.inputs[0]);
  return ![...elementwiseSources(nodes, other)].some((k) => sources.has(k));
}

/** Node `j` and every node it is computed from through elementwise kinds only (those included). */
function elementwiseSources(nodes: GraphNode[], j: number): Set<number> {
  const seen = new Set<number>();
  const stack = [j];
  while (stack.length) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    if (ELEMENTWISE.has(nodes[k].kind)) stack.push(...nodes[k].inputs);
  }
  return seen;
}
