// The bar above the grid: filter by true and predicted class, "Misclassified only", the sort, "Go to #",
// the count of samples shown, and "Compare Methods" for the selection.
import { MAX_COMPARE_SAMPLES } from '../../src/protocol/datasetMessages';
import { el } from '../dom';
import { countLabel, SORT_KEYS, type FilterSpec, type SortKey } from './sampleFilter';

const SORT_LABELS: Record<SortKey, string> = {
  index: 'File order',
  'confidence-asc': 'Confidence, lowest first',
  'confidence-desc': 'Confidence, highest first',
  'loss-desc': 'Loss, highest first',
};

export interface FilterBarOptions {
  hasLabels: boolean;
  count: number;
  spec: FilterSpec;
  onChange(spec: FilterSpec): void;
  onJump(sample: number): void;
  onCompare(): void;
}

export class FilterBar {
  readonly element: HTMLElement;
  private spec: FilterSpec;
  private readonly trueClass: HTMLElementTagNameMap['vscode-single-select'];
  private readonly predictedClass: HTMLElementTagNameMap['vscode-single-select'];
  private readonly misclassified: HTMLElementTagNameMap['vscode-checkbox'];
  private readonly sort: HTMLElementTagNameMap['vscode-single-select'];
  private readonly jump: HTMLElementTagNameMap['vscode-textfield'];
  private readonly jumpNote: HTMLElement;
  private readonly filterCount: HTMLElement;
  private readonly selectionCount: HTMLElement;
  private readonly compare: HTMLElementTagNameMap['vscode-button'];
  private classNames: string[] = [];

  constructor(private readonly options: FilterBarOptions) {
    this.spec = { ...options.spec };
    const { hasLabels } = options;

    this.trueClass = el('vscode-single-select', { id: 'true-class', attrs: { 'aria-label': 'True class', disabled: !hasLabels } });
    this.trueClass.addEventListener('change', () => this.update({ trueClass: classValue(this.trueClass.value) }));

    this.predictedClass = el('vscode-single-select', { id: 'predicted-class', attrs: { 'aria-label': 'Predicted class' } });
    this.predictedClass.addEventListener('change', () => this.update({ predictedClass: classValue(this.predictedClass.value) }));

    this.misclassified = el('vscode-checkbox', { id: 'misclassified-only', attrs: { label: 'Misclassified only', disabled: !hasLabels } });
    this.misclassified.checked = this.spec.misclassifiedOnly;
    this.misclassified.addEventListener('change', () => this.update({ misclassifiedOnly: this.misclassified.checked }));

    this.sort = el('vscode-single-select', { id: 'sort', attrs: { 'aria-label': 'Sort' } });
    this.sort.append(
      ...SORT_KEYS.map((key) =>
        el('vscode-option', { attrs: { value: key, selected: key === this.spec.sort, disabled: key === 'loss-desc' && !hasLabels } }, [SORT_LABELS[key]]),
      ),
    );
    this.sort.addEventListener('change', () => {
      const key = this.sort.value as SortKey;
      if (SORT_KEYS.includes(key)) this.update({ sort: key });
    });

    this.jump = el('vscode-textfield', {
      id: 'jump-to',
      attrs: { type: 'number', min: 0, max: options.count - 1, placeholder: 'Go to #', 'aria-label': 'Go to sample index' },
    });
    this.jump.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.jumpTo();
    });
    this.jumpNote = el('span', { id: 'jump-note', class: 'muted', attrs: { 'aria-live': 'polite' } });

    this.filterCount = el('span', { id: 'filter-count', attrs: { 'aria-live': 'polite' } });
    this.selectionCount = el('span', { id: 'selection-count', class: 'muted' });
    this.compare = el('vscode-button', { id: 'compare', attrs: { disabled: true, title: 'Select samples (Ctrl/Cmd-click, Shift-click) to compare' } }, [
      'Compare Methods',
    ]);
    this.compare.addEventListener('click', () => {
      if (!this.compare.disabled) options.onCompare();
    });

    this.element = el('div', { class: 'filter-bar', attrs: { role: 'toolbar', 'aria-label': 'Filters' } }, [
      labelled('Label', this.trueClass),
      labelled('Predicted', this.predictedClass),
      this.misclassified,
      labelled('Sort', this.sort),
      el('span', { class: 'jump' }, [this.jump, this.jumpNote]),
      el('span', { class: 'spacer' }),
      this.filterCount,
      this.selectionCount,
      this.compare,
    ]);
    this.setClassNames([]);
  }

  /** The class lists: the model's class names when known, else the numbers the labels use. */
  setClassNames(names: string[]): void {
    if (names.length === this.classNames.length && names.every((n, i) => n === this.classNames[i])) return;
    this.classNames = names;
    const options = (current: number | null, any: string) => [
      el('vscode-option', { attrs: { value: '', selected: current === null } }, [any]),
      ...names.map((name, k) =>
        el('vscode-option', { attrs: { value: String(k), selected: current === k } }, [name === String(k) ? name : `${k} · ${name}`]),
      ),
    ];
    this.trueClass.replaceChildren(...options(this.spec.trueClass, 'Any'));
    this.predictedClass.replaceChildren(...options(this.spec.predictedClass, 'Any'));
  }

  setCount(shown: number): void {
    this.filterCount.textContent = countLabel(shown);
  }

  setSelectionSize(n: number): void {
    this.selectionCount.textContent = n > 1 ? `${n.toLocaleString('en-US')} selected` : '';
    this.compare.disabled = n === 0 || n > MAX_COMPARE_SAMPLES;
    this.compare.title =
      n === 0
        ? 'Select samples (Ctrl/Cmd-click, Shift-click) to compare'
        : n > MAX_COMPARE_SAMPLES
          ? `Select at most ${MAX_COMPARE_SAMPLES} samples to compare`
          : `Compare methods on the ${n === 1 ? 'selected sample' : `${n} selected samples`}`;
  }

  setJumpNote(text: string): void {
    this.jumpNote.textContent = text;
  }

  private jumpTo(): void {
    const value = Number(this.jump.value);
    if (this.jump.value.trim() === '' || !Number.isInteger(value) || value < 0 || value >= this.options.count) {
      this.setJumpNote(`Enter an index from 0 to ${this.options.count - 1}`);
      return;
    }
    this.setJumpNote('');
    this.options.onJump(value);
  }

  private update(change: Partial<FilterSpec>): void {
    this.spec = { ...this.spec, ...change };
    this.options.onChange(this.spec);
  }
}

function classValue(value: string): number | null {
  return value === '' ? null : Number(value);
}

function labelled(text: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'labelled' }, [el('span', { class: 'muted', text }), control]);
}
