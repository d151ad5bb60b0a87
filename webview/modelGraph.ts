// The explain panel's "Model graph" section: every node of the model as the engine canonised it (name,
// kind, what it is, output shape) and the rule the current method applies there, so a user sees how their
// own model is explained. Collapsible (<details>, closed at first); its open state survives updates. A
// graph of repeated blocks (a transformer's layers, graphBlocks.ts) shows one row per block that opens.
import { CONCEPT_KINDS } from '../src/protocol/concepts';
import type { ModelGraphView } from '../src/protocol/webviewMessages';
import { titleText } from '../src/protocol/methodTitle';
import { el, replaceChildren } from './dom';
import { graphBlocks, type GraphBlock } from './graphBlocks';
import { titleNodes } from './methodTitle';

export interface ModelGraphSection {
  element: HTMLElement;
  update(graph: ModelGraphView | null): void;
}

/** "32×32×3"; a flat vector as its length. */
export function shapeText(shape: number[]): string {
  return shape.join('×');
}

/** The summary line: "Model graph · 24 nodes · rules of LRP-α2β1". */
export function graphSummary(graph: ModelGraphView): string {
  return `Model graph · ${graph.nodes.length} nodes · rules of ${titleText(graph.method.title)}`;
}

/** `onConcepts(node)`: "Concepts here" was pressed on a Dense/Conv node. */
export function createModelGraph(onConcepts?: (node: string) => void): ModelGraphSection {
  const summaryText = el('span', { class: 'graph-summary-text' });
  const summary = el('summary', {}, [summaryText]);
  const body = el('div', { class: 'graph-body' });
  const details = el('details', { class: 'model-graph', attrs: { 'aria-label': 'Model graph' } }, [summary, body]);
  details.hidden = true;

  return {
    element: details,
    update(graph) {
      details.hidden = !graph;
      if (!graph) {
        replaceChildren(body, []);
        return;
      }
      replaceChildren(summaryText, [`Model graph · ${graph.nodes.length} nodes · rules of `, ...titleNodes(graph.method.title)]);
      summaryText.setAttribute('aria-label', graphSummary(graph));
      const head = el('tr', {}, ['Node', 'Kind', 'Output', 'Rule', ''].map((t) => el('th', { attrs: { scope: 'col' }, text: t })));
      const row = (node: ModelGraphView['nodes'][number]) =>
        el('tr', { class: 'graph-node', data: { kind: node.kind } }, [
          el('td', { class: 'node-name', text: node.name, attrs: { title: node.inputs.length ? `reads ${node.inputs.join(', ')}` : 'the model input' } }),
          el('td', { class: 'node-kind', text: node.kind, attrs: { title: node.description } }),
          el('td', { class: 'node-shape', text: shapeText(node.shape) }),
          el('td', { class: 'node-rule', text: node.rule ?? '' }),
          el('td', { class: 'node-concepts' }, [
            onConcepts && CONCEPT_KINDS.includes(node.kind)
              ? el('button', {
                  class: 'text-button concepts-here',
                  data: { node: node.name },
                  text: 'Concepts here',
                  attrs: { title: `The channels of ${node.name} that carry this explanation, with their heatmaps and reference samples` },
                  on: { click: () => onConcepts(node.name) },
                })
              : null,
          ]),
        ]);
      const blocks = graphBlocks(graph.nodes);
      const rows = blocks ? blocks.flatMap((b) => (b.label === null ? b.nodes.map(row) : blockRows(b, row))) : graph.nodes.map(row);
      replaceChildren(body, [
        graph.notes.length ? el('ul', { class: 'graph-notes' }, graph.notes.map((n) => el('li', { text: n }))) : null,
        el('table', { class: 'graph-table' }, [el('thead', {}, [head]), el('tbody', {}, rows)]),
      ]);
    },
  };
}

/** A block's row (a button that shows or hides its nodes, with the rules at its attention ops) and its nodes' rows. */
function blockRows(block: GraphBlock, row: (node: GraphBlock['nodes'][number]) => HTMLElement): HTMLElement[] {
  const nodes = block.nodes.map(row);
  for (const r of nodes) r.hidden = true;
  const toggle = el('button', { class: 'graph-block-toggle', text: `▸ ${block.label} · ${block.nodes.length} nodes`, attrs: { 'aria-expanded': 'false', title: block.path ?? '' } });
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = `${open ? '▾' : '▸'} ${block.label} · ${block.nodes.length} nodes`;
    for (const r of nodes) r.hidden = !open;
  });
  const head = el('tr', { class: 'graph-block', data: { block: block.label ?? '' } }, [
    el('td', { attrs: { colspan: '3' } }, [toggle]),
    el('td', { class: 'block-rules', text: block.attentionRules }),
    el('td', {}),
  ]);
  return [head, ...nodes];
}
