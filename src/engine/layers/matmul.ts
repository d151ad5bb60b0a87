// The matrix product of two activations, O = A·B over the last two axes with the leading (batch-free) axes
// batched: attention's Q·Kᵀ (`transposeB`) and A·V, per head. A product with a constant matrix is a Dense
// layer instead (the composite's rule), never this kind.
// Gradient family: the exact VJPs, ∂/∂A = g·Bᵀ and ∂/∂B = Aᵀ·g.
// LRP (METHODS.md, "Gates, normalisation layers and attention"):
// - AttnLRP: the ε-rule over the sum O_jp = Σ_i A_ji B_ip with each product split evenly between its two
//   factors: R(A_ji) = Σ_p A_ji B_ip / (2·(O_jp + ε₀·sign)) · R_jp, and R(B_ip) alike. It conserves.
// - CP-LRP: when one operand is attention weights (a softmax output, graph/analysis.ts) it is held constant:
//   it gets nothing and O is a linear map of the other, R(V_ip) = Σ_j A_ji V_ip / (O_jp + ε₀·sign) · R_jp.
//   A product of two other activations is split as in AttnLRP.
import * as tf from '@tensorflow/tfjs';
import type { MatmulNode } from '../graph/nodes';
import { byAttentionRule } from './attentionRules';
import type { FixedKind } from './layerKind';
import { perImage, stabilise } from './signals';

export const matmul: FixedKind<'matmul'> = {
  kind: 'matmul',
  create(spec, c) {
    const [a, b] = c.inputShapes;
    const transposeA = spec.transposeA ?? false;
    const transposeB = spec.transposeB ?? false;
    if (c.inputShapes.length !== 2) c.fail(`has ${c.inputShapes.length} input(s); it multiplies two`);
    if (a.length < 2 || a.length !== b.length) c.fail(`multiplies [${a}] by [${b}]; two operands of one rank ≥ 2 (batch not counted) are needed`);
    const lead = a.slice(0, -2);
    if (lead.some((d, i) => d !== b[i])) c.fail(`multiplies [${a}] by [${b}]; their leading axes must be equal`);
    const [m, k] = transposeA ? [a[a.length - 1], a[a.length - 2]] : a.slice(-2);
    const [k2, n] = transposeB ? [b[b.length - 1], b[b.length - 2]] : b.slice(-2);
    if (k !== k2) c.fail(`multiplies [${a}]${transposeA ? 'ᵀ' : ''} by [${b}]${transposeB ? 'ᵀ' : ''}; the inner sizes ${k} and ${k2} differ`);
    return { kind: 'matmul', transposeA, transposeB, shape: [...lead, m, n] };
  },
  forward: (node, [a, b]) => tf.matMul(a, b, node.transposeA, node.transposeB),
  describe: (node) => `matrix product A${node.transposeA ? 'ᵀ' : ''}·B${node.transposeB ? 'ᵀ' : ''} of two activations → [${node.shape.join(', ')}]`,
  vjp: (c, g) => operandVjps(c.node, [repeatRows(c.input(0), c.blocks), repeatRows(c.input(1), c.blocks)], g),
  relevance: (c, r) =>
    byAttentionRule(c, r, (rule, rBlocks, blocks) => {
      const held = rule === 'cp-lrp' ? c.attentionWeightsInput : null;
      // The uniform rule gives each factor half of the ε-rule's share; CP-LRP gives the free operand all of it.
      const s = perImage(tf.div, rBlocks, stabilise(c.output()), blocks);
      const operands = [repeatRows(c.input(0), blocks), repeatRows(c.input(1), blocks)];
      const vjps = operandVjps(c.node, operands, held === null ? tf.mul(s, 0.5) : s);
      return vjps.map((v, k) => (k === held ? null : tf.mul(v, operands[k])));
    }),
  lrpTreatment: (_node, _before, { rule, attentionWeightsInput }) =>
    rule === 'cp-lrp' && attentionWeightsInput !== null
      ? `CP-LRP: attention weights (input ${attentionWeightsInput + 1}) held constant, all to the other operand (ε₀-rule)`
      : 'AttnLRP: ε₀-rule, each product split evenly between its factors (uniform rule)',
  gradientTreatment: () => 'exact gradient: g·Bᵀ and Aᵀ·g',
};

/** Each operand's VJP of O = op(A)·op(B) for the signal `g`, the operands given with g's rows. */
function operandVjps(node: MatmulNode, [a, b]: tf.Tensor[], g: tf.Tensor): tf.Tensor[] {
  const { transposeA: ta, transposeB: tb } = node;
  // ∂/∂op(A) = g·op(B)ᵀ and ∂/∂op(B) = op(A)ᵀ·g, transposed back where the operand is read transposed.
  const da = ta ? tf.matMul(b, g, tb, true) : tf.matMul(g, b, false, !tb);
  const db = tb ? tf.matMul(g, a, true, ta) : tf.matMul(a, g, !ta, false);
  return [da, db];
}

/** An activation (the call's rows once) repeated for every block of a stacked signal. */
function repeatRows(t: tf.Tensor, blocks: number): tf.Tensor {
  return blocks === 1 ? t : tf.concat(new Array<tf.Tensor>(blocks).fill(t), 0);
}
