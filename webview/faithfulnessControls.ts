// The DOM around the comparison's Faithfulness section: the choices the canvas cannot offer by itself
// (MoRF or LeRF curves, pixel flipping or ROAD, what replaces a removed pixel), "Add ROAD" and "Add dataset
// samples…", the verdict as text for screen readers, and the section's numbers as a table (the canvas
// cannot be read aloud) whose headings sort like the canvas table's. The choices live here; a change
// redraws the canvas (`onChange`), and the baseline goes to the host, which evaluates again.
import type { FlipBaseline } from '../src/protocol/engineJobs';
import type { FaithfulnessView, RandomisationView } from '../src/protocol/faithfulnessView';
import { titleText } from '../src/protocol/methodTitle';
import type { CompareViewState } from '../src/protocol/webviewMessages';
import { el, replaceChildren } from './dom';
import { DEFAULT_CHOICES, tableRows, type EvaluationBar, type SectionChoices } from './faithfulnessSection';
import type { PanelBridge } from './hostBridge';
import { formatRho, SCORE_NAMES } from './scoreFormat';

const BASELINES: Array<{ value: FlipBaseline; text: string; title: string }> = [
  { value: 'black', text: 'Black', title: 'Removed pixels set to black (an 8-bit 0 in every channel)' },
  { value: 'mean', text: 'Mean colour', title: "Removed pixels set to the data set's mean colour (the card's mean; else the image's own)" },
  { value: 'blur', text: 'Blurred', title: 'Removed pixels taken from a blurred copy of the image' },
];

export interface FaithfulnessControls {
  /** The controls, for the bar above the figure. */
  element: HTMLElement;
  /** The visually hidden table of the numbers. */
  table: HTMLElement;
  choices(): SectionChoices;
  /** Sort the tables by a column heading (clicking the active one again turns the order around). */
  sortBy(key: SectionChoices['sort']['key']): void;
  update(state: CompareViewState, bar: EvaluationBar): void;
}

export function createFaithfulnessControls(host: PanelBridge, onChange: () => void): FaithfulnessControls {
  let choices: SectionChoices = { ...DEFAULT_CHOICES };
  let state: CompareViewState | undefined;
  const change = (next: Partial<SectionChoices>) => {
    choices = { ...choices, ...next };
    render();
    onChange();
  };

  const segmented = <T extends string>(label: string, options: Array<{ value: T; text: string; title: string }>, pick: (value: T) => void) => {
    const buttons = options.map((o) =>
      el('button', { class: 'segment', data: { value: o.value }, attrs: { type: 'button', title: o.title, 'aria-pressed': 'false' }, text: o.text, on: { click: () => pick(o.value) } }),
    );
    const group = el('span', { class: 'segmented', attrs: { role: 'group', 'aria-label': label } }, [el('span', { class: 'segmented-label', text: `${label}:` }), ...buttons]);
    const set = (value: T) => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.value === value)));
    return { group, set };
  };
  const order = segmented<SectionChoices['order']>('Curves', [
    { value: 'morf', text: 'MoRF', title: 'Most relevant removed first: a faithful map makes the logit fall fast' },
    { value: 'lerf', text: 'LeRF', title: 'Least relevant removed first: a faithful map keeps the logit up' },
  ], (value) => change({ order: value }));
  const measure = segmented<SectionChoices['measure']>('Measure', [
    { value: 'pixel-flipping', text: 'Pixel flipping', title: 'Removed pixels replaced by the baseline (Samek et al. 2017)' },
    { value: 'road', text: 'ROAD', title: 'Removed pixels imputed from their neighbours, so the curve does not measure the artefact (Rong et al. 2022)' },
  ], (value) => change({ measure: value }));
  const baseline = segmented<FlipBaseline>('Removed pixels', BASELINES, (value) => {
    if (state?.faithfulness?.baseline === value || state?.faithfulness?.status === 'running') return;
    host.post({ type: 'set-faithfulness-baseline', baseline: value });
  });
  const road = el('vscode-button', {
    attrs: { secondary: true, icon: 'add', title: 'Also ROAD: each removed pixel imputed from its neighbours (a sparse linear system per step: seconds per map at 224×224)' },
    text: 'Add ROAD',
    on: { click: () => host.post({ type: 'run-road' }) },
  });
  const addSamples = el('vscode-button', {
    attrs: { secondary: true, icon: 'add', title: 'A verdict needs at least 5 images: add samples of a data set file to the figure' },
    text: 'Add dataset samples…',
    on: { click: () => host.post({ type: 'add-samples' }) },
  });
  const verdict = el('p', { class: 'visually-hidden faithfulness-verdict', attrs: { 'aria-live': 'polite' } });
  const element = el('span', { class: 'faithfulness-controls' }, [order.group, measure.group, baseline.group, road, addSamples, verdict]);
  const table = el('table', { class: 'visually-hidden faithfulness-table' });

  function render(): void {
    const f = state?.faithfulness;
    order.set(choices.order);
    measure.set(choices.measure);
    measure.group.hidden = !f?.road || f.status !== 'done';
    if (f) baseline.set(f.baseline);
    element.hidden = !f || f.status !== 'done';
    const shown = choices.measure === 'road' && f?.road ? f.roadVerdict : f?.verdict;
    verdict.textContent = f?.status === 'done' && shown ? shown.sentence : '';
    replaceChildren(table, state ? scoreTableRows(state, choices, (key) => sortBy(key)) : []);
  }

  function sortBy(key: SectionChoices['sort']['key']): void {
    const descending = choices.sort.key === key ? !choices.sort.descending : key !== 'method';
    change({ sort: { key, descending } });
  }

  return {
    element,
    table,
    choices: () => choices,
    sortBy,
    update(next, bar) {
      state = next;
      road.hidden = !bar.road;
      addSamples.hidden = !bar.addSamples;
      render();
    },
  };
}

/**
 * The section's numbers as a table, a row per method in the section's order, as written (mean ± standard
 * error, where the verdict puts it; ρ of |R| per step once checked). The headings are buttons that sort.
 */
export function scoreTableRows(
  state: { columns: CompareViewState['columns']; faithfulness?: FaithfulnessView; randomisation?: RandomisationView },
  choices: SectionChoices = DEFAULT_CHOICES,
  sort?: (key: SectionChoices['sort']['key']) => void,
): HTMLElement[] {
  const f = state.faithfulness;
  if (!f || f.status !== 'done') return [];
  const shown = choices.measure === 'road' && f.road ? 'road' : 'pixel-flipping';
  const r = state.randomisation?.status === 'done' ? state.randomisation : undefined;
  const heading = (key: SectionChoices['sort']['key'], text: string) =>
    el('th', { attrs: { scope: 'col', 'aria-sort': choices.sort.key === key ? (choices.sort.descending ? 'descending' : 'ascending') : 'none' } }, [
      sort ? el('button', { attrs: { type: 'button' }, data: { sort: key }, text, on: { click: () => sort(key) } }) : text,
    ]);
  const head = el('tr', {}, [
    heading('method', 'Method'),
    ...SCORE_NAMES.map((s) => heading(s.key, `${s.label} ± s.e.`)),
    el('th', { text: 'Verdict' }),
    ...(r ? r.stepNames.map((n) => el('th', { text: `ρ of |R|, ${n}` })) : []),
  ]);
  const verdict = shown === 'road' ? f.roadVerdict : f.verdict;
  const caption = el('caption', { text: `Faithfulness (${shown === 'road' ? 'ROAD' : 'pixel flipping'}), K = ${f.steps}, ${f.images} images. ${verdict?.sentence ?? ''}` });
  const rows = tableRows(state.columns, f.columns, shown, verdict, choices.sort).map((row) =>
    el('tr', { data: { column: String(row.column) } }, [
      el('th', { attrs: { scope: 'row' }, text: titleText(row.title) }),
      ...row.scores.map((text) => el('td', { text })),
      el('td', { text: row.standing }),
      ...(r ? r.stepNames.map((_, i) => el('td', { text: r.columns[row.column] ? formatRho(r.columns[row.column]![i]) : '–' })) : []),
    ]),
  );
  return [caption, head, ...rows];
}
