// The explain panel's Concepts section (CRP): a node's most relevant channels for the image and class shown,
// each with its share of the relevance, its conditional heatmap (drawn as the panel draws heatmaps: same
// colour map, normalisation and overlay) and its reference samples from a data set (the crop of each
// sample's input around the channel's peak, and the same crop of its conditional heatmap). The host owns
// the numbers; this draws them and reports Choose data set / Cancel / Close.
import type { ConceptChannelView, ConceptsView, ReferenceStatus, ReferenceTile } from '../src/protocol/concepts';
import type { DisplaySettings } from '../src/protocol/display';
import { el, replaceChildren } from './dom';
import { formatValue } from './format';
import { displayedHeatmap, inputRgba, integerScale, upscale } from './heatmap/rasterize';
import { drawRgba } from './drawRgba';
import type { PanelBridge } from './hostBridge';
import { titleNodes } from './methodTitle';

/** CSS px the conditional heatmaps and the reference crops aim for. */
const MAP_SIZE = 112;
const TILE_SIZE = 48;

export interface ConceptsSection {
  element: HTMLElement;
  update(view: ConceptsView | null): void;
  /** The display changed: redraw the maps. */
  redraw(): void;
}

/** "12.3%"; a negative share keeps its sign. */
export function shareText(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

/** The line about the reference samples. */
export function referenceText(status: ReferenceStatus): string {
  switch (status.state) {
    case 'none':
      return 'Reference samples: open a data set file, or choose one.';
    case 'searching':
      return `Searching ${status.dataset} for reference samples: ${status.done.toLocaleString('en-US')} of ${status.total.toLocaleString('en-US')} samples`;
    case 'done':
      return `Reference samples from ${status.dataset}: the samples where each channel is most relevant (${status.searched.toLocaleString('en-US')} searched)`;
    case 'cancelled':
      return `Search of ${status.dataset} cancelled.`;
    case 'failed':
      return `Reference samples from ${status.dataset} failed: ${status.message}`;
  }
}

export function createConceptsSection(host: PanelBridge, display: () => DisplaySettings | undefined): ConceptsSection {
  const element = el('section', { class: 'concepts', id: 'concepts', attrs: { 'aria-label': 'Concepts', hidden: true } });
  let view: ConceptsView | null = null;

  function render(): void {
    element.hidden = !view;
    if (!view) {
      replaceChildren(element, []);
      return;
    }
    const v = view;
    const layer = v.layer;
    const status = v.references;
    const facts = layer.kind
      ? el('span', { class: 'muted concepts-facts' }, [
          `${layer.kind} · ${layer.shape.join('×')} · `,
          ...titleNodes(v.methodTitle),
          ` · class ${v.targetLabel}${v.target === v.predicted ? ' (predicted)' : ''} · Σ R_c = ${formatValue(v.total)}`,
        ])
      : null;
    replaceChildren(element, [
      el('header', { class: 'concepts-header' }, [
        el('h2', { text: `Concepts of ${layer.name}` }),
        facts,
        el('span', { class: 'spacer' }),
        v.state === 'computing' ? el('vscode-progress-ring', { class: 'busy-ring', attrs: { 'aria-label': 'Computing concepts' } }) : null,
        el('button', { class: 'text-button', id: 'concepts-close', text: 'Close', attrs: { title: 'Close the Concepts section' }, on: { click: () => host.post({ type: 'concepts-action', action: 'close' }) } }),
      ]),
      v.note ? el('p', { class: 'note concepts-note', text: v.note }) : null,
      v.error ? el('p', { class: 'error', attrs: { role: 'alert' }, text: v.error }) : null,
      el('div', { class: 'concepts-references', id: 'concepts-references', data: { state: status.state } }, [
        el('span', { class: 'muted', text: referenceText(status) }),
        status.state === 'searching'
          ? el('vscode-progress-bar', { attrs: { 'aria-label': 'Reference search progress', max: status.total, value: status.done } })
          : null,
        status.state === 'searching'
          ? el('vscode-button', { id: 'concepts-cancel', attrs: { secondary: true }, text: 'Cancel', on: { click: () => host.post({ type: 'concepts-action', action: 'cancel' }) } })
          : el('button', {
              class: 'text-button',
              id: 'concepts-choose-dataset',
              text: status.state === 'none' ? 'Choose data set…' : 'Another data set…',
              on: { click: () => host.post({ type: 'concepts-action', action: 'choose-dataset' }) },
            }),
      ]),
      el('ol', { class: 'concept-list', attrs: { 'aria-label': `The ${v.channels.length} most relevant channels` } }, v.channels.map((ch) => channelItem(v, ch))),
    ]);
  }

  function channelItem(v: ConceptsView, ch: ConceptChannelView): HTMLElement {
    const shown = display();
    const map = el('canvas', { class: 'concept-map pixelated', attrs: { role: 'img', 'aria-label': `Conditional heatmap of channel ${ch.channel}` } });
    if (shown) drawRgba(map, displayedHeatmap(ch.map, v.shape, v.input, shown, integerScale(v.shape[1], v.shape[0], MAP_SIZE)));
    const bar = el('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, [el('span', { class: 'bar-fill' })]);
    (bar.firstChild as HTMLElement).style.width = `${Math.min(100, Math.abs(ch.share) * 100)}%`;
    return el('li', { class: 'concept', data: { channel: String(ch.channel), share: String(ch.share), relevance: String(ch.relevance) } }, [
      el('div', { class: 'concept-head' }, [
        el('span', { class: 'concept-name', text: `channel ${ch.channel}` }),
        bar,
        el('span', { class: 'concept-share', text: shareText(ch.share), attrs: { title: `R_c = ${formatValue(ch.relevance)} of Σ|R_c| over the node's ${v.layer.channels} channels` } }),
      ]),
      el('div', { class: 'concept-body' }, [
        el('figure', { class: 'concept-figure' }, [map, el('figcaption', { text: `R = ${formatValue(ch.relevance)}` })]),
        ch.references.length ? el('div', { class: 'concept-refs', attrs: { 'aria-label': `Reference samples of channel ${ch.channel}` } }, ch.references.map((r) => tile(r))) : null,
      ]),
    ]);
  }

  function tile(r: ReferenceTile): HTMLElement {
    const [, , w, h] = r.crop;
    const k = integerScale(w, h, TILE_SIZE);
    const image = el('canvas', { class: 'pixelated' });
    drawRgba(image, upscale(inputRgba({ width: w, height: h, channels: r.channels, pixels: r.pixels }), k));
    const shown = display();
    const heat = el('canvas', { class: 'pixelated' });
    if (shown) drawRgba(heat, displayedHeatmap(r.heatmap, [h, w], undefined, { ...shown, overlay: false }, k));
    return el('div', { class: 'concept-ref', data: { sample: String(r.sample) }, attrs: { title: `#${r.sample} · R_c = ${formatValue(r.relevance)} · predicted ${r.predicted} · crop ${w}×${h} at (${r.crop[0]}, ${r.crop[1]})` } }, [
      image,
      heat,
      el('span', { class: 'ref-index', text: `#${r.sample}` }),
    ]);
  }

  return {
    element,
    update(next) {
      view = next;
      render();
    },
    redraw: render,
  };
}
