// The comparison figure (the seed figure): rows are images, column 0 the model input, then one column
// per method or model. The figure itself is ONE canvas, laid out by the engine's figure layout (the CLI's
// `compare --out` has the same) at the cell size that fits the panel's width or at the zoom chosen
// (figureFit.ts); Export draws the same figure again at full resolution. DOM around it holds the
// toolbar, progress and Cancel, and shimmering placeholders over the cells still being computed. A
// methods comparison then gets its Faithfulness section on the same canvas, under the figure
// (faithfulnessSection.ts), with its progress, Cancel and buttons in a bar above the figure and its
// numbers also as a table for screen readers.
import type { FigureLayout, Rect } from '../src/engine/figure/layout';
import type { FaithfulnessView } from '../src/protocol/faithfulnessView';
import { titleText } from '../src/protocol/methodTitle';
import type { CompareViewState, ToWebview } from '../src/protocol/webviewMessages';
import { colorBarModel } from './colorBar';
import { createDisplayControls } from './displayControls';
import { el, rebuildKeepingFocus, replaceChildren } from './dom';
import { errorBox } from './errorBox';
import { canvasPng, suggestedFileName } from './exportImage';
import { drawComparisonCanvas } from './faithfulnessCanvas';
import { createFaithfulnessControls } from './faithfulnessControls';
import { evaluationBar, type SectionLayout } from './faithfulnessSection';
import { canvasMeasure, figureText, layoutFigure } from './figureCanvas';
import { cellSizeAt, exportCellSize, fitCellSize, ZOOMS, type FigureZoom } from './figureFit';
import { formatValue } from './format';
import { modelLoadText } from './modelLoadText';
import type { PanelBridge } from './hostBridge';
import { readCanvasTheme, watchTheme } from './theme';

export function mountCompareView(root: HTMLElement, host: PanelBridge): (message: ToWebview) => void {
  let state: CompareViewState | undefined;
  let drawPending = false;
  let lastLayout: FigureLayout | undefined;
  let lastSection: SectionLayout | undefined;
  const section = createFaithfulnessControls(host, () => scheduleDraw());
  let zoom: FigureZoom = 'fit';

  const controls = createDisplayControls({
    overlay: false,
    host,
    onChange: (change) => {
      if (!state) return;
      state = { ...state, display: { ...state.display, ...change } };
      scheduleDraw();
      persist();
    },
    onExport: () => void exportFigure(),
  });

  const alertBox = el('div', { class: 'alert-slot' });
  // Progress lives in the header so the figure does not jump when the run ends.
  const progressFill = el('span', { class: 'progress-fill' });
  const progressBar = el('span', { class: 'progress-track', attrs: { role: 'progressbar', 'aria-label': 'Heatmaps computed', 'aria-valuemin': 0 } }, [progressFill]);
  const progressText = el('span', { class: 'progress-text' });
  const cancelButton = el('vscode-button', { attrs: { secondary: true, icon: 'debug-stop' }, text: 'Cancel', on: { click: () => host.post({ type: 'cancel' }) } });
  const progressRow = el('div', { class: 'progress-row' }, [progressBar, progressText, cancelButton]);
  const backendText = el('span', { class: 'backend' });
  const viewTitle = el('h1', { class: 'figure-title' });
  const counts = el('span', { class: 'muted' });
  const header = el('header', { class: 'panel-header' }, [viewTitle, counts, el('span', { class: 'spacer' }), progressRow, backendText]);
  // The Faithfulness section's bar: what its evaluation does, its progress and Cancel, and its buttons.
  const evalFill = el('span', { class: 'progress-fill' });
  const evalTrack = el('span', { class: 'progress-track', attrs: { role: 'progressbar', 'aria-label': 'Faithfulness evaluated', 'aria-valuemin': 0 } }, [evalFill]);
  const evalText = el('span', { class: 'evaluation-text' });
  const evalCancel = el('vscode-button', { attrs: { secondary: true, icon: 'debug-stop' }, text: 'Cancel', on: { click: () => host.post({ type: 'cancel-evaluation' }) } });
  const evalRerun = el('vscode-button', { attrs: { secondary: true, icon: 'refresh' }, text: 'Evaluate again', on: { click: () => host.post({ type: 'run-faithfulness' }) } });
  const evalRandomise = el('vscode-button', {
    attrs: { secondary: true, icon: 'beaker', title: 'Re-explains every image with the top layers re-drawn at random, one after another: several times the cost of the figure' },
    text: 'Randomisation check',
    on: { click: () => host.post({ type: 'run-randomisation' }) },
  });
  const evaluationRow = el('div', { class: 'evaluation-row' }, [evalText, evalTrack, evalCancel, evalRerun, evalRandomise, section.element]);
  const scoreTable = section.table;
  const canvas = el('canvas', { id: 'figure', attrs: { role: 'img' } });
  const placeholders = el('div', { class: 'placeholders', attrs: { 'aria-hidden': 'true' } });
  const stack = el('div', { class: 'figure-stack' }, [canvas, placeholders]);
  const scroller = el('div', { class: 'figure-scroller' }, [stack]);
  const zoomSelect = el('vscode-single-select', { id: 'figure-zoom', attrs: { label: 'Zoom', title: 'Cell size: fit the panel\'s width, or map pixels per screen pixel (the figure then scrolls)' } },
    ZOOMS.map(({ zoom: z, label }) => el('vscode-option', { attrs: { value: String(z) }, text: label })),
  ) as HTMLElement & { value: string };
  zoomSelect.addEventListener('change', () => {
    zoom = zoomSelect.value === 'fit' ? 'fit' : Number(zoomSelect.value);
    scroller.classList.toggle('zoomed', zoom !== 'fit');
    scheduleDraw();
  });

  root.replaceChildren(
    el('div', { class: 'compare-view' }, [header, alertBox, el('div', { class: 'toolbar-row' }, [el('div', { class: 'figure-toolbar' }, [controls.element, zoomSelect])]), evaluationRow, scroller, scoreTable]),
  );

  new ResizeObserver(() => scheduleDraw()).observe(scroller);
  canvas.addEventListener('mousemove', (event) => {
    const box = canvas.getBoundingClientRect();
    const [x, y] = [event.clientX - box.left, event.clientY - box.top];
    const heading = lastSection && headerAt(lastSection, x, y);
    canvas.title = heading ? `Sort by ${heading === 'method' ? 'method' : heading}` : state && lastLayout ? cellTooltip(state, lastLayout, x, y) : '';
    canvas.style.cursor = (state && lastLayout && cellAt(lastLayout, x, y)) || heading || (lastLayout && inputRowAt(lastLayout, x, y) !== undefined) ? 'pointer' : '';
  });
  // A heatmap cell clicked opens that image with that column's method (or model) in the explain panel.
  canvas.addEventListener('click', (event) => {
    const box = canvas.getBoundingClientRect();
    const [x, y] = [event.clientX - box.left, event.clientY - box.top];
    const cell = lastLayout && cellAt(lastLayout, x, y);
    if (cell) host.post({ type: 'open-cell', row: cell.row, column: cell.column });
    // A table heading of the Faithfulness section sorts; a row's input cell offers its contrast options.
    const heading = lastSection && headerAt(lastSection, x, y);
    if (heading) section.sortBy(heading);
    const row = lastLayout && state?.kind === 'methods' ? inputRowAt(lastLayout, x, y) : undefined;
    if (row !== undefined) host.post({ type: 'row-options', row });
  });
  watchTheme(() => scheduleDraw());
  // Canvas text needs the VS Code font loaded before it is measured.
  void document.fonts?.ready.then(() => scheduleDraw());

  function render(): void {
    if (!state) return;
    const s = state;
    // The figure's own title is drawn on the canvas (so it is exported); this names the view.
    viewTitle.textContent = s.kind === 'methods' ? 'Compare methods' : 'Compare models';
    counts.textContent = `${s.columns.length} ${s.kind} · ${plural(s.rows.length, 'image')}`;
    backendText.textContent = s.backend;
    rebuildKeepingFocus(alertBox, () => replaceChildren(alertBox, [s.error ? errorBox(s.error, () => host.post({ type: 'retry' })) : null]));
    controls.update(s.display);
    renderProgress();
    scheduleDraw();
  }

  function renderProgress(): void {
    if (!state) return;
    const { done, total } = state.progress;
    progressRow.hidden = !state.running;
    backendText.hidden = state.running || !state.backend;
    progressBar.setAttribute('aria-valuemax', String(total));
    progressBar.setAttribute('aria-valuenow', String(done));
    progressFill.style.width = `${total > 0 ? (100 * Math.min(done, total)) / total : 0}%`;
    progressText.textContent = state.loading ? modelLoadText(state.loading) : `${done} / ${total}`;
    controls.setExportEnabled(filledCellsPerRow(state).some((n) => n > 0));
    renderEvaluation();
  }

  function renderEvaluation(): void {
    if (!state) return;
    const bar = evaluationBar(state);
    evaluationRow.hidden = bar.hidden;
    evalText.textContent = bar.text;
    evalTrack.hidden = !bar.progress;
    if (bar.progress) {
      evalTrack.setAttribute('aria-valuemax', String(bar.progress.total));
      evalTrack.setAttribute('aria-valuenow', String(bar.progress.done));
      evalFill.style.width = `${bar.progress.total > 0 ? (100 * Math.min(bar.progress.done, bar.progress.total)) / bar.progress.total : 0}%`;
    }
    evalCancel.hidden = !bar.cancel;
    evalRerun.hidden = !bar.rerun;
    evalRandomise.hidden = !bar.randomise;
    evaluationRow.dataset.faithfulness = state.faithfulness?.status ?? '';
    evaluationRow.dataset.randomisation = state.randomisation?.status ?? '';
    section.update(state, bar);
  }

  function scheduleDraw(): void {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      draw();
    });
  }

  function draw(): void {
    if (!state) return;
    const theme = readCanvasTheme();
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const measure = canvasMeasure(ctx, theme.fontFamily);
    const s = state;
    const mapSize = mapSizeOf(s);
    const cellSize = cellSizeAt(zoom, () => fitCellSize((cell) => figureText(s, cell), mapSize, scroller.clientWidth, measure), mapSize);
    const layout = layoutFigure(s, cellSize, measure);
    const drawn = drawComparisonCanvas(canvas, state, layout, theme, window.devicePixelRatio || 1, measure, section.choices());
    lastLayout = layout;
    lastSection = drawn;
    canvas.dataset.cellSize = String(cellSize);
    canvas.dataset.mapSize = String(mapSize);
    // The numbers as computed (not as written), for tests and for anyone reading the DOM.
    canvas.dataset.faithfulness = state.faithfulness ? JSON.stringify(numbersOf(state.faithfulness)) : '';
    canvas.dataset.randomisation = state.randomisation ? JSON.stringify(state.randomisation) : '';
    canvas.dataset.sectionTop = drawn ? String(drawn.top) : '';
    // What the section draws, for tests: the curves shown and the randomisation axis as written.
    canvas.dataset.sectionCharts = drawn ? JSON.stringify(drawn.charts.map((c) => ({ kind: c.kind, order: c.order, series: c.layout.lines.length, bands: c.layout.bands.length, xTicks: c.layout.texts.filter((t) => t.y > c.layout.plot.y + c.layout.plot.height && t.text !== '').map((t) => t.text) }))) : '';
    canvas.dataset.sectionMeasure = drawn?.measure ?? '';
    canvas.dataset.filledCells = JSON.stringify(filledCellsPerRow(state));
    // Where each heatmap cell is, in CSS px from the canvas's corner: tests click them.
    canvas.dataset.cellRects = JSON.stringify(layout.cells.map((row) => row.map((c) => [c.x, c.y, c.width, c.height])));
    canvas.setAttribute('aria-label', describe(state));
    placePlaceholders(layout);
  }

  function placePlaceholders(layout: FigureLayout): void {
    if (!state) return;
    const s = state;
    const boxes: HTMLElement[] = [];
    layout.inputCells.forEach((inputCell, r) => {
      if (s.rows[r].error) return;
      [inputCell, ...layout.cells[r]].forEach((rect, k) => {
        const pending = k === 0 ? !s.rows[r].input : !s.rows[r].cells[k - 1];
        if (!pending) return;
        const box = el('div', { class: `cell-placeholder${s.running ? ' running' : ''}` });
        box.style.left = `${rect.x}px`;
        box.style.top = `${rect.y}px`;
        box.style.width = `${rect.width}px`;
        box.style.height = `${rect.height}px`;
        boxes.push(box);
      });
    });
    placeholders.replaceChildren(...boxes);
  }

  function persist(): void {
    if (state) host.saveState({ view: 'compare', display: state.display, restore: state.restore });
  }

  /** The figure as a PNG for the host: in reply to its request, or offered (the Export button). */
  async function exportFigure(inReplyTo?: number): Promise<void> {
    const suggestedName = suggestedFileName([state?.title ?? 'figure', 'compare', state?.kind ?? '']);
    host.post({ type: 'export', png: await canvasPng(fullResolution()), suggestedName, ...(inReplyTo === undefined ? {} : { inReplyTo }) });
  }

  /** The figure (and its section) drawn again with cells at full resolution, one PNG pixel per CSS pixel. */
  function fullResolution(): HTMLCanvasElement {
    const ctx = canvas.getContext('2d');
    if (!state || !ctx || !lastLayout) return canvas;
    const theme = readCanvasTheme();
    const measure = canvasMeasure(ctx, theme.fontFamily);
    const shownCell = Number(canvas.dataset.cellSize);
    const cellSize = exportCellSize(shownCell, mapSizeOf(state));
    const out = document.createElement('canvas');
    drawComparisonCanvas(out, state, layoutFigure(state, cellSize, measure), theme, 1, measure, section.choices());
    return out;
  }

  return (message) => {
    switch (message.type) {
      case 'compare-state':
        state = message.state;
        render();
        persist();
        break;
      case 'compare-row': {
        const row = state?.rows[message.row];
        if (!state || !row) return;
        row.name = message.name;
        row.input = message.input ?? row.input;
        row.label = message.label ?? row.label;
        row.cells = message.cells.slice(0, state.columns.length);
        state.progress = message.progress;
        renderProgress();
        scheduleDraw();
        break;
      }
      case 'compare-status':
        if (!state) return;
        state = { ...state, running: message.running, progress: message.progress, backend: message.backend, error: message.error, loading: message.loading };
        render();
        break;
      case 'compare-faithfulness':
        if (!state) return;
        state = { ...state, faithfulness: message.faithfulness ?? undefined };
        renderEvaluation();
        scheduleDraw();
        break;
      case 'compare-randomisation':
        if (!state) return;
        state = { ...state, randomisation: message.randomisation ?? undefined };
        renderEvaluation();
        scheduleDraw();
        break;
      case 'display':
        if (!state) return;
        state = { ...state, display: message.display };
        controls.update(state.display);
        scheduleDraw();
        persist();
        break;
      case 'request-export':
        if (state) draw();
        void exportFigure(message.messageId);
        break;
    }
  };
}

/** The view's numbers as computed (every column's summary, the verdicts), for tests and the DOM. */
function numbersOf(f: FaithfulnessView) {
  return { ...f };
}

/** The Faithfulness table heading under a point of the canvas, if any. */
function headerAt(section: SectionLayout, x: number, y: number) {
  return section.headers.find((h) => inside(h.rect, x, y))?.key;
}

/** The row whose input cell is under a point of the canvas, if any. */
function inputRowAt(layout: FigureLayout, x: number, y: number): number | undefined {
  const row = layout.inputCells.findIndex((c) => inside(c, x, y));
  return row >= 0 ? row : undefined;
}

/** The side of the figure's largest map (its inputs and heatmaps), 28 before any has come. */
function mapSizeOf(state: CompareViewState): number {
  const size = Math.max(
    0,
    ...state.rows.flatMap((row) => [row.input ? Math.max(row.input.width, row.input.height) : 0, ...row.cells.map((c) => (c?.heatmap ? Math.max(...c.heatmap.shape) : 0))]),
  );
  return size > 1 ? size : 28;
}

const inside = (c: Rect, x: number, y: number) => x >= c.x && x < c.x + c.width && y >= c.y && y < c.y + c.height;

/** The cell under a point of the canvas: column −1 is the input, 0.. the state's columns. */
function cellUnder(layout: FigureLayout, x: number, y: number): { row: number; column: number } | undefined {
  for (let r = 0; r < layout.inputCells.length; r++) {
    if (inside(layout.inputCells[r], x, y)) return { row: r, column: -1 };
    const column = layout.cells[r].findIndex((c) => inside(c, x, y));
    if (column >= 0) return { row: r, column };
  }
  return undefined;
}

/** The heatmap cell (not the input column) under a point of the canvas. */
export function cellAt(layout: FigureLayout, x: number, y: number): { row: number; column: number } | undefined {
  const cell = cellUnder(layout, x, y);
  return cell && cell.column >= 0 ? cell : undefined;
}

/** What the cell under the pointer shows, for the canvas's tooltip (errors are only readable here). */
function cellTooltip(state: CompareViewState, layout: FigureLayout, x: number, y: number): string {
  const under = cellUnder(layout, x, y);
  if (!under) return '';
  const row = state.rows[under.row];
  if (under.column < 0) return row.label ? `${row.name}: model input, predicted ${row.label}` : `${row.name}: model input`;
  const column = titleText(state.columns[under.column].title);
  const cell = row.cells[under.column];
  if (row.error) return `${row.name}: ${row.error}`;
  if (!cell) return `${row.name} · ${column}: ${state.running ? 'computing…' : 'not computed'}`;
  if (cell.error) return `${row.name} · ${column}: ${cell.error}`;
  const h = cell.heatmap;
  return h ? `${row.name} · ${column}: class ${h.target}, Σ R = ${formatValue(h.relevanceSum)}, logit ${formatValue(h.logit)}${cell.label ? `, predicted ${cell.label}` : ''}. Click to open in the explain panel` : '';
}

/** How many cells of each row hold a heatmap (exposed as data-filled-cells for tests). */
export function filledCellsPerRow(state: CompareViewState): number[] {
  return state.rows.map((row) => row.cells.filter((cell) => cell?.heatmap).length);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(state: CompareViewState): string {
  const columns = state.columns.map((c) => titleText(c.title)).join(', ');
  const rows = state.rows.map((r) => (r.label ? `${r.name} → ${r.label}` : r.name)).join('; ');
  return `Comparison figure ${state.title}: columns input, ${columns}; rows ${rows}. ${colorBarModel(state.display.colormap, false).description}.`;
}
