// The Explain Image panel as the scenarios read it: one snapshot of what it shows (busy or not, the
// predicted label, the model and method in its header, the explained class, the heatmap's pixels, any
// error), and a wait for a snapshot that satisfies a condition, failing with the last snapshot seen.
// The panel's DOM contract: `#app[aria-busy]`, `#prediction`, `canvas#heatmap`, the header buttons
// `.header-link` (model first, then `.method-title` with <sub> subscripts), `.readout` (Σ R), class
// buttons `.class-row[aria-pressed]` holding `.class-name`, and errors as `[role="alert"]`.
import type { Frame } from 'playwright-core';
import { readCanvas, type CanvasPixels } from './pixels';
import type { Workbench } from './workbench';

export interface PanelReading {
  busy: boolean;
  prediction?: string;
  /** Header: the model's name. */
  model?: string;
  /** Header: the method title as text ("LRP-α3β2") and its subscripts (["3", "2"]). */
  method?: string;
  methodSubscripts: string[];
  /** Header: "Σ R = … · logit …" for conservative methods. */
  readout?: string;
  /** The class the heatmap explains, as the pressed row of the class list names it. */
  explained?: string;
  /** The heatmap canvas's accessible description ("Heatmap of … for class 7"). */
  heatmapLabel?: string;
  heatmap?: CanvasPixels;
  alerts: string[];
  /** The note over an out-of-date heatmap ("Computing …", "Cancelled. …"), when shown. */
  stale?: string;
  /** The header's progress of a long run ("SmoothGrad: 96 of 8192 samples"). */
  progress?: string;
  /** The header's backend and time ("wasm-simd · 2 workers · 3.1 ms"). */
  backend?: string;
  /** The model input's caption badge: the preprocessing steps ("cropped · scaled · centred"). */
  steps?: string;
  /** The heatmap's caption ("LRP-α2β1 · class 7 predicted"). */
  caption?: string;
  /** Every class name in the class list, in order. */
  classNames: string[];
  /** "Back to predicted (…)" is offered. */
  backToPredicted: boolean;
}

/** A message the host posted to the panel, as it arrived in the webview: its type, the key of the image
 *  it is about, and the class name (`Object.prototype.toString`) and length of each binary field. */
export interface ReceivedMessage {
  type: string;
  key?: string;
  binary: Record<string, { kind: string; length: number }>;
}

export class ExplainPanelPage {
  private cached: Frame | undefined;

  /** `workbench` may be a getter: a page made before its session starts finds the workbench on first use. */
  constructor(workbench: Workbench | (() => Workbench)) {
    this.workbenchOf = typeof workbench === 'function' ? workbench : () => workbench;
  }

  private readonly workbenchOf: () => Workbench;

  private get workbench(): Workbench {
    return this.workbenchOf();
  }

  /** The panel's content frame (the one holding `canvas#heatmap`); found again after a reload. */
  async frame(timeoutMs = 60_000): Promise<Frame> {
    if (this.cached && !this.cached.isDetached()) return this.cached;
    const found = await this.workbench.findInWebview('canvas#heatmap', timeoutMs);
    if (!found) {
      await this.workbench.screenshot('no-explain-panel');
      throw new Error(`no Explain Image panel (no canvas#heatmap in any webview) after ${timeoutMs} ms; webviews say ${JSON.stringify(await this.workbench.webviewTexts())}`);
    }
    this.cached = found.frame;
    return found.frame;
  }

  /** Forget the frame (after the panel was closed or the window reloaded). */
  forget(): void {
    this.cached = undefined;
  }

  async read(): Promise<PanelReading> {
    const frame = await this.frame();
    const text = async (selector: string) => {
      const element = frame.locator(selector).first();
      return (await element.count()) > 0 ? (await element.innerText({ timeout: 2000 })).trim() : undefined;
    };
    const heatmap = frame.locator('canvas#heatmap');
    const visibleHeatmap = (await heatmap.count()) > 0 && (await heatmap.isVisible());
    return {
      busy: (await frame.locator('#app').getAttribute('aria-busy')) === 'true',
      prediction: await text('#prediction'),
      model: await text('.panel-header .header-link:not(.method-title)'),
      method: (await text('.panel-header .method-title'))?.replace(/\s+/g, ' ').trim(),
      methodSubscripts: await frame.locator('.panel-header .method-title sub').allInnerTexts(),
      readout: await text('.panel-header .readout'),
      explained: await text('.class-row[aria-pressed="true"] .class-name'),
      heatmapLabel: (await heatmap.getAttribute('aria-label').catch(() => null)) ?? undefined,
      heatmap: visibleHeatmap ? await readCanvas(heatmap) : undefined,
      alerts: (await frame.locator('[role="alert"]').allInnerTexts()).map((t) => t.trim()),
      stale: await text('.stale-note .stale-text'),
      progress: await text('.panel-header .run-progress'),
      backend: await text('.panel-header .backend'),
      steps: await text('.steps-note'),
      caption: (await text('.heatmap-figure figcaption'))?.replace(/\s+/g, ' '),
      classNames: (await frame.locator('.class-row .class-name').allInnerTexts()).map((t) => t.trim()),
      backToPredicted: (await frame.locator('[data-focus-key="back-to-predicted"]').count()) > 0,
    };
  }

  /** From now on, note every message the host posts to the panel (read with `received`). Sent as source
   *  text, as timedClassClick in the scenario is. */
  async recordMessages(): Promise<void> {
    const frame = await this.frame();
    await frame.evaluate(`(() => {
      window.__received = [];
      const binary = {};
      const walk = (value, path) => {
        if (ArrayBuffer.isView(value)) binary[path] = { kind: Object.prototype.toString.call(value), length: value.length };
        else if (Array.isArray(value)) value.forEach((v, i) => walk(v, path + '.' + i));
        else if (value && typeof value === 'object') for (const k of Object.keys(value)) walk(value[k], path ? path + '.' + k : k);
      };
      window.addEventListener('message', (event) => {
        const m = event.data;
        if (!m || typeof m.type !== 'string') return;
        for (const k of Object.keys(binary)) delete binary[k];
        walk(m, '');
        window.__received.push({ type: m.type, key: m.key, binary: { ...binary } });
      });
    })()`);
  }

  /** The messages noted since `recordMessages`. */
  async received(): Promise<ReceivedMessage[]> {
    return (await (await this.frame()).evaluate('window.__received || []')) as ReceivedMessage[];
  }

  /** Polls the panel until `condition` holds; throws with what it showed last (and a screenshot). */
  async waitUntil(what: string, condition: (r: PanelReading) => boolean, timeoutMs = 60_000): Promise<PanelReading> {
    const deadline = Date.now() + timeoutMs;
    let last: PanelReading | undefined;
    let lastError: unknown;
    do {
      try {
        // A reading is several DOM queries in a row, so one can mix two states of the panel (the new header
        // with the last heatmap's readout); accept it only when the next reading agrees with it.
        last = await this.read();
        if (condition(last)) {
          const again = await this.read();
          if (condition(again) && sameReading(last, again)) return again;
          last = again;
        }
      } catch (e) {
        // the frame may be replaced while we read (reload); find it again
        lastError = e;
        this.forget();
      }
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    const shot = await this.workbench.screenshot(`timeout-${what.replace(/[^\w]+/g, '-').slice(0, 60)}`);
    const seen = last ? JSON.stringify({ ...last, heatmap: last.heatmap && { ...last.heatmap } }) : `nothing (${String(lastError)})`;
    throw new Error(`the Explain Image panel did not show ${what} within ${timeoutMs} ms; it showed ${seen} (screenshot ${shot})`);
  }
}

function sameReading(a: PanelReading, b: PanelReading): boolean {
  return (
    a.busy === b.busy &&
    a.method === b.method &&
    a.model === b.model &&
    a.readout === b.readout &&
    a.prediction === b.prediction &&
    a.explained === b.explained &&
    a.stale === b.stale &&
    a.backend === b.backend &&
    JSON.stringify(a.classNames) === JSON.stringify(b.classNames) &&
    JSON.stringify(a.heatmap) === JSON.stringify(b.heatmap)
  );
}
