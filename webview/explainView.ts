// The Explain Image panel: header (model, method, Σ R readout, backend), image strip, the original, the
// exact model input, the heatmap with its colour bar, the predictions, and the display toolbar.
// The host owns the state; this view renders each `explain-state` with the originals and results it was
// sent for its images (`image-original`, `image-result`), redraws on its own for a display change, and
// reports what the user does. Elements that hold focus or pixels are built once and updated in place;
// lists are rebuilt with their focus restored (rebuildKeepingFocus).
import type { DisplaySettings } from '../src/protocol/display';
import { titleText } from '../src/protocol/methodTitle';
import type { ExplainViewState, ImageResult, ToWebview } from '../src/protocol/webviewMessages';
import { colorBarElement, colorBarModel } from './colorBar';
import { cropOutline, cropText } from './cropOutline';
import { createConceptsSection } from './conceptsSection';
import { createModelGraph } from './modelGraph';
import { createDisplayControls } from './displayControls';
import { errorBox } from './errorBox';
import { el, rebuildKeepingFocus, replaceChildren, setAttr } from './dom';
import { canvasPng, suggestedFileName } from './exportImage';
import { drawHeatmapFigure } from './heatmapFigureCanvas';
import { readCanvasTheme } from './theme';
import { formatProbability, formatValue } from './format';
import { relevanceScale } from '../src/engine/heatmap/normalize';
import { displayedHeatmap, imageDataOf, inputRgba, integerScale, isNonNegative, upscale, type RgbaImage } from './heatmap/rasterize';
import type { PanelBridge, PersistedExplainState } from './hostBridge';
import { titleNodes } from './methodTitle';
import { exportBlocker, graphToShow, heatmapIsCurrent, noPredictionText, progressText, shownLabels, staleNote, timeText, type ExplainedImage, type ExplainView } from './explainStatus';
import type { ModelGraphView } from '../src/protocol/webviewMessages';

/** Display sizes (CSS px) the integer upscaling aims for. */
const INPUT_SIZE = 224;
/** The original's box (CSS px, .original-image in styles.css). */
const ORIGINAL_SIZE = 168;
const HEATMAP_SIZE = 280;
const THUMB_SIZE = 56;
const TOP_CLASSES = 5;

export function mountExplainView(root: HTMLElement, host: PanelBridge): (message: ToWebview) => void {
  let state: ExplainView | undefined;
  let showAllClasses = false;
  /** The last graph the host sent; listed only while it is the header's model's. */
  let graph: ModelGraphView | null = null;
  // Per image key: its original as a blob: URL, and what the last run found for it.
  const originals = new Map<string, string>();
  const results = new Map<string, ImageResult>();

  const saved = host.savedState() as Partial<PersistedExplainState> | undefined;
  const controls = createDisplayControls({
    overlay: true,
    exportLegend: true,
    exportLegendChecked: saved?.exportLegend !== false,
    onExportLegendChange: () => persist(),
    host,
    onChange: (change) => {
      if (!state) return;
      // Redraw at once; the host keeps the new display and sends no maps for it.
      state = { ...state, display: { ...state.display, ...change } };
      renderImage();
      conceptsSection.redraw();
      persist();
    },
    onExport: () => void exportHeatmap(),
  });

  const header = el('header', { class: 'panel-header' });
  const alertBox = el('div', { class: 'alert-slot' });
  const strip = el('div', { class: 'image-strip', attrs: { role: 'listbox', 'aria-label': 'Images', 'aria-orientation': 'horizontal' } });

  const originalImg = el('img', { class: 'original-image' });
  // Small originals (28×28 digits) are upscaled as crisp pixels; photos are scaled smoothly.
  originalImg.addEventListener('load', () => originalImg.classList.toggle('small', originalImg.naturalWidth < 168 && originalImg.naturalHeight < 168));
  const originalCaption = el('figcaption', { text: 'Original' });
  // The part of the original the model sees, when preprocessing cropped it (torchvision's centre crop).
  const cropBox = el('div', { class: 'crop-region', attrs: { 'aria-hidden': 'true' } });
  const originalFigure = el('figure', { class: 'view-figure original-figure' }, [el('div', { class: 'figure-frame original-frame' }, [originalImg, cropBox]), originalCaption]);
  const inputCanvas = el('canvas', { class: 'pixelated', attrs: { role: 'img' } });
  const inputCaption = el('figcaption');
  const inputFigure = el('figure', { class: 'view-figure' }, [el('div', { class: 'figure-frame' }, [inputCanvas]), inputCaption]);
  const heatmapCanvas = el('canvas', { id: 'heatmap', class: 'pixelated', attrs: { role: 'img' } });
  const heatmapFrame = el('div', { class: 'figure-frame heatmap-frame' }, [heatmapCanvas]);
  const colorBarSlot = el('div', { class: 'colorbar-slot' });
  const heatmapCaption = el('figcaption');
  const pixelReadout = el('div', { class: 'pixel-readout' });
  const heatmapFigure = el('figure', { class: 'view-figure heatmap-figure' }, [heatmapFrame, colorBarSlot, pixelReadout, heatmapCaption]);
  heatmapCanvas.addEventListener('mousemove', (event) => showPixel(event));
  heatmapCanvas.addEventListener('mouseleave', () => showPixel());
  const imageError = el('div', { class: 'image-error-slot' });
  const staleSlot = el('div', { class: 'stale-slot', attrs: { 'aria-live': 'polite' } });
  const figures = el('section', { class: 'figures', attrs: { 'aria-label': 'Image and heatmap' } }, [originalFigure, inputFigure, heatmapFigure]);
  const predictions = el('section', { class: 'predictions', attrs: { 'aria-label': 'Predictions' } });
  const graphSection = createModelGraph((layer) => host.post({ type: 'show-concepts', layer }));
  const conceptsSection = createConceptsSection(host, () => state?.display);

  root.replaceChildren(
    el('div', { class: 'explain-view' }, [
      header,
      alertBox,
      strip,
      el('div', { class: 'toolbar-row' }, [controls.element]),
      el('div', { class: 'explain-body' }, [el('div', { class: 'figures-column' }, [imageError, staleSlot, figures, conceptsSection.element, graphSection.element]), predictions]),
    ]),
  );

  function selectedImage(): ExplainedImage | undefined {
    return state?.images[state.selected];
  }

  function render(): void {
    if (!state) return;
    root.setAttribute('aria-busy', String(state.busy));
    renderHeader();
    renderAlert();
    renderStrip();
    controls.update(state.display);
    renderImage();
    renderPredictions();
    renderGraph();
  }

  /** The graph section, rebuilt only when what it lists changes. */
  let listedGraph: ModelGraphView | null = null;
  function renderGraph(): void {
    const next = graphToShow(graph, state);
    if (next === listedGraph) return;
    listedGraph = next;
    graphSection.update(next);
  }

  function renderHeader(): void {
    if (!state) return;
    const s = state;
    const image = selectedImage();
    const heatmap = image?.heatmap;
    const progress = progressText(s);
    rebuildKeepingFocus(header, () =>
      replaceChildren(header, [
        el('button', {
          class: 'header-link',
          data: { focusKey: 'pick-model' },
          attrs: { title: 'Choose another model', 'aria-label': `Model: ${s.model.name}. Choose another model` },
          on: { click: () => host.post({ type: 'pick-model' }) },
        }, [el('span', { class: 'codicon codicon-circuit-board', attrs: { 'aria-hidden': 'true' } }), s.model.name, el('span', { class: 'codicon codicon-chevron-down', attrs: { 'aria-hidden': 'true' } })]),
        el('span', { class: 'header-separator', text: '/', attrs: { 'aria-hidden': 'true' } }),
        el('button', {
          class: 'header-link method-title',
          data: { focusKey: 'pick-method' },
          attrs: { title: 'Choose another method', 'aria-label': `Method: ${titleText(s.method.title)}. Choose another method` },
          on: { click: () => host.post({ type: 'pick-method' }) },
        }, [el('span', { class: 'codicon codicon-beaker', attrs: { 'aria-hidden': 'true' } }), el('span', {}, titleNodes(s.method.title)), el('span', { class: 'codicon codicon-chevron-down', attrs: { 'aria-hidden': 'true' } })]),
        // Σ R only for a heatmap of the method in the header: another run's would be read as this one's.
        s.method.conservative && heatmap && heatmapIsCurrent(s, image)
          ? el('span', {
              class: 'readout',
              attrs: { title: 'Sum of the relevance over all pixels, and the explained logit f_c(x): conservative rules keep them close' },
              text:
                heatmap.contrastLogit === undefined
                  ? `Σ R = ${formatValue(heatmap.relevanceSum)} · logit ${formatValue(heatmap.logit)}`
                  : `Σ R = ${formatValue(heatmap.relevanceSum)} · f_c − f_c′ ${formatValue(heatmap.logit - heatmap.contrastLogit)}`,
            })
          : null,
        el('span', { class: 'spacer' }),
        s.busy ? el('vscode-progress-ring', { class: 'busy-ring', attrs: { 'aria-label': 'Explaining' } }) : null,
        progress
          ? el('span', {
              class: 'run-progress',
              text: progress,
              attrs: {
                role: 'progressbar',
                'aria-valuemin': 0,
                'aria-valuemax': s.loading ? s.loading.bytesTotal : s.progress!.total,
                'aria-valuenow': s.loading ? s.loading.bytesRead : s.progress!.done,
                'aria-label': progress,
              },
            })
          : null,
        s.busy
          ? el('vscode-button', { attrs: { secondary: true, icon: 'debug-stop', 'data-focus-key': 'cancel' }, text: 'Cancel', on: { click: () => host.post({ type: 'cancel' }) } })
          : null,
        s.backend ? el('span', { class: 'backend', text: timeText(s, image), attrs: { title: 'Backend that computed the heatmap shown, and its time' } }) : null,
      ]),
    );
  }

  function renderAlert(): void {
    if (!state) return;
    const message = state.error;
    rebuildKeepingFocus(alertBox, () => replaceChildren(alertBox, [message ? errorBox(message, () => host.post({ type: 'retry' })) : null]));
  }

  function renderStrip(): void {
    if (!state) return;
    const s = state;
    strip.hidden = s.images.length < 2;
    if (strip.hidden) return;
    const select = (index: number) => {
      if (index === s.selected) return;
      state = { ...s, selected: index };
      render();
      persist();
      host.post({ type: 'select-image', index });
    };
    rebuildKeepingFocus(strip, () =>
      replaceChildren(
        strip,
        s.images.map((image, index) => {
          const selected = index === s.selected;
          const thumb = el('div', {
            class: `thumb${selected ? ' selected' : ''}${image.error ? ' failed' : ''}`,
            data: { focusKey: `thumb-${index}` },
            attrs: { role: 'option', 'aria-selected': String(selected), tabindex: selected ? 0 : -1, title: image.error ?? image.name, 'aria-label': image.error ? `${image.name} (failed: ${image.error})` : image.name },
            on: {
              click: () => select(index),
              keydown: (event) => {
                const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
                if (step) {
                  event.preventDefault();
                  const next = Math.min(s.images.length - 1, Math.max(0, index + step));
                  select(next);
                  strip.querySelector<HTMLElement>(`[data-focus-key="thumb-${next}"]`)?.focus();
                } else if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  select(index);
                }
              },
            },
          }, [thumbnail(image), el('span', { class: 'thumb-name', text: image.name })]);
          return thumb;
        }),
      ),
    );
  }

  function renderImage(): void {
    if (!state) return;
    const image = selectedImage();
    const failed = image?.error;
    // The engine's message usually starts with the file's path ("sub/broken.png: not an image …"); name
    // the image only when it does not.
    const message = failed && image && !startsWithPathOf(failed, image.name) ? `${image.name}: ${failed}` : failed;
    replaceChildren(imageError, [message ? errorBox(message, () => host.post({ type: 'retry' })) : null]);
    const stale = failed ? undefined : staleNote(state, image);
    // Rebuilt only when it says something else: a new element would restart its delayed appearance.
    const staleKey = `${stale}|${state.busy}|${state.cancelled}`;
    if (staleSlot.dataset.key !== staleKey) rebuildKeepingFocus(staleSlot, () =>
      replaceChildren(staleSlot, [
        stale
          ? el('div', { class: `stale-note${state!.busy ? ' busy' : ''}` }, [
              el('span', { class: `codicon ${state!.busy ? 'codicon-history' : 'codicon-debug-pause'}`, attrs: { 'aria-hidden': 'true' } }),
              el('span', { class: 'stale-text', text: stale }),
              state!.cancelled ? el('vscode-button', { attrs: { secondary: true, icon: 'refresh', 'data-focus-key': 'retry-stale' }, text: 'Retry', on: { click: () => host.post({ type: 'retry' }) } }) : null,
            ])
          : null,
      ]),
    );
    staleSlot.dataset.key = staleKey;
    figures.hidden = !image || Boolean(failed);
    if (!image || failed) {
      // Nothing is drawn, so there is nothing to export (the canvas still holds the last image's map).
      controls.setExportEnabled(false);
      return;
    }

    originalFigure.hidden = !image.originalSrc;
    if (image.originalSrc && originalImg.getAttribute('src') !== image.originalSrc) originalImg.src = image.originalSrc;
    originalImg.alt = `Original image ${image.name}${image.frames ? `, frame 1 of ${image.frames}` : ''}`;
    const crop = image.source ? cropOutline(image.source, ORIGINAL_SIZE, ORIGINAL_SIZE) : null;
    cropBox.hidden = !crop || !image.originalSrc;
    if (crop) {
      cropBox.style.left = `${crop.x}px`;
      cropBox.style.top = `${crop.y}px`;
      cropBox.style.width = `${crop.width}px`;
      cropBox.style.height = `${crop.height}px`;
    }
    const cropNote = crop && image.source ? cropText(image.source) : undefined;
    replaceChildren(originalCaption, [
      'Original',
      image.source ? ` · ${image.source.width}×${image.source.height}` : null,
      cropNote ? el('span', { class: 'note crop-note', text: 'crop outlined', attrs: { title: `The outline is the centre crop: ${cropNote}` } }) : null,
      image.frames ? el('span', { class: 'note frame-note', text: `frame 1 of ${image.frames}`, attrs: { title: 'An animated GIF: its first frame is the one explained' } }) : null,
    ]);
    if (cropNote) originalImg.alt += `; ${cropNote}`;

    if (image.input) {
      const { width, height, channels } = image.input;
      drawRgba(inputCanvas, upscale(inputRgba(image.input), integerScale(width, height, INPUT_SIZE)));
      // Only the steps the engine says it applied, in its order.
      const steps = image.steps?.length ? image.steps.join(' · ') : '';
      const kind = channels === 3 ? 'RGB' : 'grey';
      inputCanvas.setAttribute('aria-label', `Model input of ${image.name}, ${width}×${height} ${kind} pixels${steps ? `, ${image.steps!.join(', ')}` : ', used as it is'}`);
      replaceChildren(inputCaption, [
        `Model input · ${width}×${height} ${kind}`,
        steps ? el('span', { class: 'note steps-note', text: steps, attrs: { title: 'What was done to the image to make the model input, in order' } }) : null,
      ]);
    }
    inputFigure.hidden = !image.input;

    renderHeatmap(image, state.display);
  }

  function renderHeatmap(image: ExplainedImage, display: DisplaySettings): void {
    if (!state) return;
    const heatmap = image.heatmap;
    heatmapFrame.classList.toggle('stale', Boolean(heatmap) && !heatmapIsCurrent(state, image));
    const blocker = exportBlocker(state, image);
    controls.setExportEnabled(!blocker, blocker);
    if (!heatmap) {
      heatmapFrame.classList.add('placeholder');
      // Keep the heatmap's place at its future size (the model input's) while it is computed.
      const w = image.input?.width ?? 28;
      const h = image.input?.height ?? 28;
      const k = integerScale(w, h, HEATMAP_SIZE);
      heatmapCanvas.width = w * k;
      heatmapCanvas.height = h * k;
      heatmapCanvas.setAttribute('aria-label', state.busy ? 'Heatmap being computed' : 'No heatmap');
      replaceChildren(heatmapCaption, [state.busy ? 'Computing…' : 'No heatmap']);
      replaceChildren(colorBarSlot, []);
      showPixel();
      return;
    }
    heatmapFrame.classList.remove('placeholder');
    const [height, width] = heatmap.shape;
    drawRgba(heatmapCanvas, displayedHeatmap(heatmap.relevance, heatmap.shape, image.input, display, integerScale(width, height, HEATMAP_SIZE)));
    // The caption names the run the heatmap came from, which is not the header's while a new run is busy.
    const title = state.shown?.method.title ?? state.method.title;
    const classLabel = shownLabels(state)[heatmap.target] ?? String(heatmap.target);
    const method = titleText(title);
    const contrastName = heatmap.contrast === undefined ? undefined : (shownLabels(state)[heatmap.contrast] ?? String(heatmap.contrast));
    const what = contrastName === undefined ? `for class ${classLabel}` : `of why ${classLabel} and not ${contrastName} (f_${classLabel} − f_${contrastName})`;
    heatmapCanvas.setAttribute('aria-label', `Heatmap of ${method} ${what}${display.overlay ? ', over the model input' : ''}`);
    const contrastLabel = heatmap.contrast === undefined ? undefined : (shownLabels(state)[heatmap.contrast] ?? String(heatmap.contrast));
    replaceChildren(heatmapCaption, [
      // A contrastive map is titled by its question: it explains f_c − f_c′, not class c.
      contrastLabel === undefined
        ? el('span', {}, [...titleNodes(title), ` · class ${classLabel}`])
        : el('span', { class: 'contrast-title' }, [...titleNodes(title), ` · why ${classLabel} and not ${contrastLabel}?`]),
      contrastLabel !== undefined
        ? el('button', { class: 'text-button', id: 'clear-contrast', text: 'Clear contrast', attrs: { title: `Explain class ${classLabel} alone` }, on: { click: () => host.post({ type: 'select-contrast', contrast: null }) } })
        : heatmap.target === image.predicted
          ? el('span', { class: 'note', text: 'predicted' })
          : el('span', { class: 'note target-note', text: 'chosen target' }),
    ]);
    const scale = relevanceScale(heatmap.relevance, display.normalization);
    const how = display.normalization.kind === 'percentile' ? `${display.normalization.p}th percentile of |R|` : 'max |R|';
    replaceChildren(colorBarSlot, [colorBarElement(colorBarModel(display.colormap, isNonNegative(heatmap.relevance)), `ends at ±${formatValue(scale)} (${how})`)]);
    showPixel();
  }

  /** The relevance (and input value) under the pointer, or a hint when the pointer is elsewhere. */
  function showPixel(event?: MouseEvent): void {
    const image = selectedImage();
    const heatmap = image?.heatmap;
    if (!heatmap) {
      pixelReadout.textContent = '';
      return;
    }
    if (!event) {
      pixelReadout.textContent = 'Point at the heatmap to read R at a pixel';
      return;
    }
    const [height, width] = heatmap.shape;
    const box = heatmapCanvas.getBoundingClientRect();
    const x = Math.min(width - 1, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * width)));
    const y = Math.min(height - 1, Math.max(0, Math.floor(((event.clientY - box.top) / box.height) * height)));
    const r = heatmap.relevance[y * width + x];
    const input = image.input;
    const value = input && input.width === width && input.height === height ? input.pixels.slice((y * width + x) * input.channels, (y * width + x + 1) * input.channels).join(', ') : undefined;
    pixelReadout.textContent = `Pixel (${x}, ${y}): R = ${r >= 0 ? '+' : ''}${r.toPrecision(3)}${value !== undefined ? ` · input ${value}` : ''}`;
  }

  function renderPredictions(): void {
    if (!state) return;
    const s = state;
    const image = selectedImage();
    rebuildKeepingFocus(predictions, () => {
      if (!image?.scores || image.predicted === undefined) {
        replaceChildren(predictions, [
          el('h2', { text: 'Prediction' }),
          el('p', { class: 'muted', id: 'no-prediction', text: noPredictionText(s, image) }),
          // Cancelled before anything was shown: Retry is here, not over a heatmap.
          s.cancelled && !s.busy && !image?.error
            ? el('vscode-button', { id: 'retry-cancelled', attrs: { secondary: true, icon: 'refresh', 'data-focus-key': 'retry-cancelled' }, text: 'Retry', on: { click: () => host.post({ type: 'retry' }) } })
            : null,
        ]);
        return;
      }
      const explained = image.heatmap?.target ?? s.target ?? image.predicted;
      const labels = shownLabels(s);
      const predictedLabel = labels[image.predicted] ?? String(image.predicted);
      const trueLabel = image.trueLabel;
      const trueName = trueLabel !== undefined ? (labels[trueLabel] ?? String(trueLabel)) : undefined;
      const predictedScore = image.scores.find((c) => c.index === image.predicted);
      let shown = showAllClasses ? image.scores : image.scores.slice(0, TOP_CLASSES);
      if (!shown.some((c) => c.index === explained)) shown = [...shown, ...image.scores.filter((c) => c.index === explained)];
      const choose = (index: number) => {
        const target = index === image.predicted ? null : index;
        if (target === s.target) return;
        state = { ...s, target };
        persist();
        host.post({ type: 'select-target', target });
      };
      replaceChildren(predictions, [
        el('h2', { text: 'Prediction' }),
        el('div', { class: 'prediction-summary' }, [
          el('span', { id: 'prediction', text: predictedLabel }),
          el('span', { class: 'prediction-probability', text: predictedScore ? formatProbability(predictedScore.probability) : '' }),
        ]),
        trueName !== undefined
          ? el('div', { class: `true-label${trueLabel === image.predicted ? ' right' : ' wrong'}` }, [
              el('span', { class: `codicon ${trueLabel === image.predicted ? 'codicon-pass' : 'codicon-error'}`, attrs: { 'aria-hidden': 'true' } }),
              el('span', { id: 'true-label', text: `Label in the file: ${trueName}` }),
            ])
          : null,
        image.hint
          ? el('div', { class: 'mismatch-hint', attrs: { role: 'note' } }, [
              el('span', { class: 'codicon codicon-info', attrs: { 'aria-hidden': 'true' } }),
              el('span', { class: 'hint-text', text: image.hint }),
              el('button', { class: 'text-button', data: { focusKey: 'hint-model' }, text: 'Select Model…', on: { click: () => host.post({ type: 'pick-model' }) } }),
            ])
          : null,
        el('div', { class: 'class-list', attrs: { role: 'group', 'aria-label': 'Classes: choose which one to explain' } },
          shown.map((score) => {
            const explainedName = labels[explained] ?? String(explained);
            const contrasted = image.heatmap?.contrast === score.index;
            return el('div', { class: `class-entry${contrasted ? ' contrasted' : ''}` }, [
              el('button', {
                class: `class-row${score.index === explained ? ' explained' : ''}${score.index === image.predicted ? ' predicted' : ''}`,
                data: { focusKey: `class-${score.index}` },
                attrs: {
                  'aria-pressed': String(score.index === explained),
                  'aria-label': `${score.label}, ${formatProbability(score.probability)}${score.index === image.predicted ? ', predicted' : ''}. Explain this class`,
                  title: `Explain class ${score.label} (its own logit)`,
                },
                on: { click: () => choose(score.index) },
              }, [
                el('span', { class: 'class-name', text: score.label }),
                probabilityBar(score.probability),
                el('span', { class: 'class-probability', text: formatProbability(score.probability) }),
              ]),
              // "Why c and not c′?": the map of f_c − f_c′ for the class explained now against this one.
              score.index !== explained
                ? el('button', {
                    class: 'contrast-button',
                    data: { focusKey: `contrast-${score.index}`, contrast: String(score.index) },
                    attrs: {
                      'aria-pressed': String(contrasted),
                      'aria-label': `Why ${explainedName} and not ${score.label}?`,
                      title: `Why ${explainedName} and not ${score.label}? Explains f_${explainedName} − f_${score.label}`,
                    },
                    text: 'vs',
                    on: { click: () => host.post({ type: 'select-contrast', contrast: contrasted ? null : score.index }) },
                  })
                : el('span', { class: 'contrast-button-space', attrs: { 'aria-hidden': 'true' } }),
            ]);
          }),
        ),
        el('div', { class: 'prediction-actions' }, [
          image.scores.length > TOP_CLASSES
            ? el('button', {
                class: 'text-button',
                data: { focusKey: 'toggle-classes' },
                text: showAllClasses ? `Top ${TOP_CLASSES} only` : `All ${image.scores.length} classes`,
                attrs: { 'aria-expanded': String(showAllClasses) },
                on: { click: () => { showAllClasses = !showAllClasses; renderPredictions(); } },
              })
            : null,
          trueLabel !== undefined && trueLabel !== explained && trueLabel < image.scores.length
            ? el('button', { class: 'text-button', id: 'explain-true-class', data: { focusKey: 'explain-true-class' }, on: { click: () => choose(trueLabel) } }, [
                el('span', { class: 'codicon codicon-tag', attrs: { 'aria-hidden': 'true' } }),
                `Explain the true class (${trueName})`,
              ])
            : null,
          explained !== image.predicted
            ? el('button', { class: 'text-button', data: { focusKey: 'back-to-predicted' }, on: { click: () => choose(image.predicted as number) } }, [
                el('span', { class: 'codicon codicon-target', attrs: { 'aria-hidden': 'true' } }),
                `Back to predicted (${predictedLabel})`,
              ])
            : null,
        ]),
      ]);
    });
  }

  function persist(): void {
    if (!state) return;
    host.saveState({
      view: 'explain',
      images: state.images.map((i) => i.name),
      selected: state.selected,
      target: state.target,
      display: state.display,
      model: state.model.id,
      method: state.method.spec,
      exportLegend: controls.exportsLegend(),
      restore: state.restore,
    });
  }

  /**
   * The heatmap as a PNG for the host, in reply to its request or offered (the Export button): a figure
   * with the method, class, colour bar and scale around the map as shown, or (With legend unchecked) the
   * map's canvas alone.
   */
  async function exportHeatmap(inReplyTo?: number): Promise<void> {
    const image = selectedImage();
    const target = image?.heatmap && state ? (shownLabels(state)[image.heatmap.target] ?? String(image.heatmap.target)) : '';
    const suggestedName = suggestedFileName([image?.name ?? 'heatmap', state?.shown?.method.spec ?? state?.method.spec ?? '', target ? `class-${target}` : '']);
    let canvas = heatmapCanvas;
    delete heatmapCanvas.dataset.exportMap;
    delete heatmapCanvas.dataset.exportBar;
    if (controls.exportsLegend() && image?.heatmap && state) {
      const { heatmap } = image;
      const labels = shownLabels(state);
      const contrast = heatmap.contrast === undefined ? undefined : (labels[heatmap.contrast] ?? String(heatmap.contrast));
      const { display } = state;
      const how = display.normalization.kind === 'percentile' ? `${display.normalization.p}th percentile of |R|` : 'max |R|';
      const figure = drawHeatmapFigure(heatmapCanvas, {
        method: state.shown?.method.title ?? state.method.title,
        what: contrast === undefined ? `class ${target}` : `why ${target} and not ${contrast}?`,
        scale: `Colour bar ends at ±${formatValue(relevanceScale(heatmap.relevance, display.normalization))} (${how})${display.overlay ? `, over the model input at ${Math.round(display.opacity * 100)}%${display.opacityByRelevance ? ' × |R|' : ''}` : ''}`,
        nonNegative: isNonNegative(heatmap.relevance),
      }, display.colormap, readCanvasTheme());
      canvas = figure.canvas;
      // Where the map sits in the exported figure (tests compare its pixels with the panel's).
      const { x, y, width, height } = figure.layout.map;
      heatmapCanvas.dataset.exportMap = [x, y, width, height].join(',');
      const { bar } = figure.layout;
      heatmapCanvas.dataset.exportBar = [bar.x, bar.y, bar.width, bar.height].join(',');
    }
    host.post({ type: 'export', png: await canvasPng(canvas), suggestedName, ...(inReplyTo === undefined ? {} : { inReplyTo }) });
  }

  /** The host's state with the originals and results held for its images. */
  function compose(host: ExplainViewState): ExplainView {
    const keys = new Set(host.images.map((i) => i.key));
    // Images no longer listed: their data goes.
    for (const key of [...originals.keys()]) if (!keys.has(key)) setOriginal(key, undefined);
    for (const key of [...results.keys()]) if (!keys.has(key)) results.delete(key);
    return { ...host, images: host.images.map((image) => ({ ...image, ...results.get(image.key), originalSrc: originals.get(image.key) })) };
  }

  function setOriginal(key: string, url: string | undefined): void {
    const old = originals.get(key);
    if (old) URL.revokeObjectURL(old);
    if (url) originals.set(key, url);
    else originals.delete(key);
  }

  return (message) => {
    switch (message.type) {
      case 'explain-state':
        state = compose(message.state);
        render();
        persist();
        break;
      // Kept for the state that follows (the host always sends one after them).
      case 'image-original':
        setOriginal(message.key, message.original ? URL.createObjectURL(new Blob([message.original.bytes as Uint8Array<ArrayBuffer>], { type: message.original.mimeType })) : undefined);
        break;
      case 'image-result':
        if (message.result) results.set(message.key, message.result);
        else results.delete(message.key);
        break;
      case 'model-graph':
        graph = message.graph;
        renderGraph();
        break;
      case 'concepts':
        conceptsSection.update(message.view);
        break;
      case 'display':
        if (!state) break;
        state = { ...state, display: message.display };
        controls.update(state.display);
        renderImage();
        conceptsSection.redraw();
        persist();
        break;
      case 'request-export':
        void exportHeatmap(message.messageId);
        break;
    }
  };
}

/** Does `message` start with "<name>: " or "<some/path/><name>: "? */
function startsWithPathOf(message: string, name: string): boolean {
  const colon = message.indexOf(': ');
  if (colon < 0) return false;
  const head = message.slice(0, colon);
  return head === name || head.endsWith(`/${name}`) || head.endsWith(`\\${name}`);
}

function drawRgba(canvas: HTMLCanvasElement, image: RgbaImage): void {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(imageDataOf(image), 0, 0);
}

function thumbnail(image: ExplainedImage): HTMLElement {
  if (image.error) return el('span', { class: 'thumb-image thumb-failed' }, [el('span', { class: 'codicon codicon-error', attrs: { 'aria-hidden': 'true' } })]);
  if (image.input) {
    const canvas = el('canvas', { class: 'thumb-image pixelated', attrs: { 'aria-hidden': 'true' } });
    drawRgba(canvas, upscale(inputRgba(image.input), integerScale(image.input.width, image.input.height, THUMB_SIZE)));
    return canvas;
  }
  if (image.originalSrc) return el('img', { class: 'thumb-image', attrs: { src: image.originalSrc, alt: '' } });
  return el('span', { class: 'thumb-image thumb-pending' });
}

function probabilityBar(p: number): HTMLElement {
  const fill = el('span', { class: 'bar-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, p * 100))}%`;
  return el('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, [fill]);
}
