// The display toolbar shared by both views: colour map, normalisation (percentile or max), overlay and
// opacity (explain view only; the opacity may follow |R|), "Use everywhere" and Export. A change goes to the view (which redraws at once) and to the
// host (which keeps it), as a partial DisplaySettings; `update` writes the host's values back without
// firing change events.
import type { ColormapName, DisplaySettings, Normalization } from '../src/protocol/display';
import { COLORMAPS } from '../src/protocol/display';
import { el } from './dom';
import type { PanelBridge } from './hostBridge';

export interface DisplayControls {
  element: HTMLElement;
  update(display: DisplaySettings): void;
  /** `reason`: why Export is off (its tooltip), e.g. "Waiting for the heatmap being computed". */
  setExportEnabled(enabled: boolean, reason?: string): void;
  /** Whether the export carries the colour bar, method, class and scale (else the bare map). */
  exportsLegend(): boolean;
}

interface Options {
  /** Show the overlay checkbox and opacity slider. */
  overlay: boolean;
  /** Offer "With legend" beside Export (a single heatmap; the comparison's figure has its own). */
  exportLegend?: boolean;
  /** "With legend" as the panel last had it (kept across a reload of the webview); default checked. */
  exportLegendChecked?: boolean;
  /** Told when "With legend" is ticked or cleared (the view persists it). */
  onExportLegendChange?(): void;
  /** Told of each change, and so is the host. */
  host: PanelBridge;
  onChange(change: Partial<DisplaySettings>): void;
  onExport(): void;
}

/** Names in the colour-map picker. */
const COLORMAP_LABELS: Record<ColormapName, string> = {
  bwr: 'Blue – white – red',
  gray: 'Gray',
  coldnhot: 'Cold and hot',
  viridis: 'Viridis',
};

/** The textfield accepts 50–100: below the median the "robust maximum" stops meaning anything. */
export const PERCENTILE_RANGE = { min: 50, max: 100 };

export function createDisplayControls(settings: Options): DisplayControls {
  let current: DisplaySettings | undefined;
  const options = {
    ...settings,
    onChange: (change: Partial<DisplaySettings>) => {
      settings.onChange(change);
      settings.host.post({ type: 'set-display', display: change });
    },
  };

  const colormap = el('vscode-single-select', { attrs: { label: 'Colour map', 'data-focus-key': 'colormap' } },
    COLORMAPS.map((name) => el('vscode-option', { attrs: { value: name }, text: COLORMAP_LABELS[name] })),
  ) as HTMLElement & { value: string };
  colormap.addEventListener('change', () => options.onChange({ colormap: colormap.value as ColormapName }));

  const normKind = el('vscode-single-select', { attrs: { label: 'Normalisation' } }, [
    el('vscode-option', { attrs: { value: 'percentile' }, text: 'Percentile of |R|' }),
    el('vscode-option', { attrs: { value: 'max' }, text: 'Maximum of |R|' }),
  ]) as HTMLElement & { value: string };
  const percentile = el('vscode-textfield', {
    class: 'percentile-field',
    attrs: { type: 'number', min: PERCENTILE_RANGE.min, max: PERCENTILE_RANGE.max, step: 0.1, label: 'Percentile' },
  }) as HTMLElement & { value: string; invalid: boolean };
  const percentileValue = (): number | null => {
    const text = String(percentile.value ?? '').trim();
    const p = Number(text);
    return text !== '' && Number.isFinite(p) && p >= PERCENTILE_RANGE.min && p <= PERCENTILE_RANGE.max ? p : null;
  };
  // An invalid value is not applied: the field says the valid range and which value stays in use.
  const percentileNote = el('span', { class: 'field-note', id: 'percentile-note', attrs: { role: 'status', 'aria-live': 'polite' } });
  const inUse = () => (current?.normalization.kind === 'percentile' ? current.normalization.p : 99.5);
  const checkPercentile = () => {
    const p = percentileValue();
    percentile.invalid = p === null;
    percentileNote.textContent = p === null ? `Enter a number from ${PERCENTILE_RANGE.min} to ${PERCENTILE_RANGE.max}; still using ${inUse()}` : '';
    percentile.setAttribute('aria-describedby', 'percentile-note');
    return p;
  };
  percentile.addEventListener('input', () => checkPercentile());
  percentile.addEventListener('blur', () => {
    // Leaving the field with an invalid value puts the value in use back, and says so until the next edit.
    if (percentileValue() === null) {
      const note = percentileNote.textContent;
      percentile.value = String(inUse());
      percentile.invalid = false;
      percentileNote.textContent = note ? `${note.replace(/; still using .*/, '')}; kept ${inUse()}` : '';
    }
  });
  normKind.addEventListener('change', () => {
    const normalization: Normalization = normKind.value === 'max' ? { kind: 'max' } : { kind: 'percentile', p: percentileValue() ?? 99.5 };
    percentile.hidden = normalization.kind === 'max';
    options.onChange({ normalization });
  });
  percentile.addEventListener('change', () => {
    const p = checkPercentile();
    if (p !== null) options.onChange({ normalization: { kind: 'percentile', p } });
  });

  const overlay = el('vscode-checkbox', { attrs: { label: 'Overlay on input' } }) as HTMLElement & { checked: boolean };
  overlay.addEventListener('change', () => {
    opacity.disabled = !overlay.checked;
    byRelevance.disabled = !overlay.checked;
    options.onChange({ overlay: overlay.checked });
  });
  const opacity = el('input', {
    class: 'opacity-slider',
    attrs: { type: 'range', min: 0, max: 100, step: 5, 'aria-label': 'Heatmap opacity' },
  });
  const opacityValue = el('span', { class: 'opacity-value', attrs: { 'aria-hidden': 'true' } });
  opacity.addEventListener('input', () => {
    opacityValue.textContent = `${opacity.value}%`;
    options.onChange({ opacity: Number(opacity.value) / 100 });
  });
  // The opacity per pixel scaled by |R| / scale: the input shows through where nothing is relevant.
  const byRelevance = el('vscode-checkbox', {
    attrs: { id: 'opacity-by-relevance', label: 'Opacity follows |R|', title: 'Each pixel\'s opacity is the slider\'s times |R| / scale (the colour bar\'s end), so the input shows through where nothing is relevant' },
  }) as HTMLElement & { checked: boolean; disabled: boolean };
  byRelevance.addEventListener('change', () => options.onChange({ opacityByRelevance: byRelevance.checked }));

  const exportButton = el('vscode-button', { attrs: { icon: 'desktop-download', title: 'Save what is shown as a PNG' }, text: 'Export PNG' }) as HTMLElement & {
    disabled: boolean;
  };
  exportButton.addEventListener('click', () => {
    if (!exportButton.disabled) options.onExport();
  });

  // The display chosen here for every open panel and the workspace's settings (the host holds it: each
  // change above was posted before this can be clicked).
  const everywhere = el('vscode-button', {
    attrs: { id: 'use-everywhere', secondary: true, icon: 'layers', title: 'Apply these display choices to every open panel and save them in the workspace settings' },
    text: 'Use everywhere',
    on: { click: () => settings.host.post({ type: 'use-display-everywhere' }) },
  });

  // Checked: the PNG is a figure (method, class, map, colour bar, scale); unchecked: the map alone.
  const legend = el('vscode-checkbox', {
    attrs: { id: 'export-legend', label: 'With legend', title: 'Export the method, class, colour bar and scale with the map; unchecked, the map alone' },
    on: { change: () => options.onExportLegendChange?.() },
  }) as HTMLElement & { checked: boolean };
  legend.checked = options.exportLegendChecked ?? true;

  const group = (label: string, ...controls: HTMLElement[]) =>
    el('div', { class: 'control-group' }, [el('span', { class: 'control-label', text: label }), ...controls]);

  const element = el('div', { class: 'display-controls', attrs: { role: 'toolbar', 'aria-label': 'Display' } }, [
    group('Colours', colormap),
    group('Scale', normKind, percentile, percentileNote),
    options.overlay ? el('div', { class: 'control-group' }, [overlay, opacity, opacityValue, byRelevance]) : null,
    el('span', { class: 'spacer' }),
    everywhere,
    options.exportLegend ? legend : null,
    exportButton,
  ]);

  return {
    element,
    update(display) {
      if (current && JSON.stringify(current) === JSON.stringify(display)) return;
      current = display;
      colormap.value = display.colormap;
      normKind.value = display.normalization.kind;
      percentile.hidden = display.normalization.kind !== 'percentile';
      percentileNote.hidden = percentile.hidden;
      if (display.normalization.kind === 'percentile' && document.activeElement !== percentile) {
        percentile.value = String(display.normalization.p);
        percentile.invalid = false;
      }
      overlay.checked = display.overlay;
      opacity.disabled = !display.overlay;
      opacity.value = String(Math.round(display.opacity * 100));
      opacityValue.textContent = `${opacity.value}%`;
      byRelevance.checked = display.opacityByRelevance === true;
      byRelevance.disabled = !display.overlay;
    },
    exportsLegend: () => !options.exportLegend || legend.checked,
    setExportEnabled(enabled, reason) {
      exportButton.disabled = !enabled;
      exportButton.title = enabled ? 'Save what is shown as a PNG' : (reason ?? 'Nothing to export yet');
    },
  };
}
