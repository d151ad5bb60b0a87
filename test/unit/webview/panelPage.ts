// The bundled webview in Debian's Chromium under the panel's real CSP, with a stand-in for acquireVsCodeApi
// and VS Code's theme variables: the page and its message helpers, shared by the webview browser tests.
// Each test file calls `usePanelPages()` once (it bundles, serves and starts Chromium before its tests).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import type { FromWebview, ToWebview } from '../../../src/protocol/webviewMessages';
import { bundle, launchChromium, noChromium, PAGE_TYPED_HELPERS, serve, tagTyped, untagTyped } from './browser';
import { THEMES, type ThemeName } from './themes';

const repo = path.resolve(__dirname, '../../..');
export const out = path.join(repo, 'artifacts/webview');
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serve>> | undefined;
let origin = '';

export const skip = noChromium;

/** Where the pages, the bundle and the screenshots of the calling file go (each file its own: files may run at once). */
let pageDir = out;

/** Registers the bundle, the server and Chromium around the calling file's tests; `dir` under artifacts/webview/. */
export function usePanelPages(dir?: string): void {
  before(async () => {
    if (skip) return;
    if (dir) pageDir = path.join(out, dir);
    fs.mkdirSync(pageDir, { recursive: true });
    // The webview bundle into artifacts/, so the test never touches dist/.
    await bundle({ webview: path.join(repo, 'webview/main.ts') }, path.join(pageDir, 'dist'));
    const codicons = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
    for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join(pageDir, 'dist', f));
    server = await serve(pageDir);
    origin = server.origin;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

/** The host's HTML shell (src/host/webviewHtml.ts) with a fake acquireVsCodeApi and theme variables. */
function writePage(view: 'explain' | 'compare', theme: ThemeName): string {
  const csp = [
    "default-src 'none'",
    `img-src ${origin} data: blob:`,
    `style-src ${origin} 'nonce-${NONCE}'`,
    `font-src ${origin}`,
    `script-src 'nonce-${NONCE}'`,
  ].join('; ');
  const { kind, vars } = THEMES[theme];
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="csp-nonce" content="${NONCE}">
<style nonce="${NONCE}">:root { ${Object.entries(vars).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ')} }</style>
<link rel="stylesheet" href="${origin}/dist/codicon.css" id="vscode-codicon-stylesheet" nonce="${NONCE}">
<link rel="stylesheet" href="${origin}/dist/webview.css" nonce="${NONCE}">
<script nonce="${NONCE}">
  window.__posted = []; window.__state = window.__initialState; window.__csp = [];${PAGE_TYPED_HELPERS}
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    setState: (s) => { window.__state = s; },
    getState: () => window.__state,
  });
</script>
</head>
<body data-view="${view}" class="vscode-${kind}" data-vscode-theme-kind="vscode-${kind}">
<div id="app" role="main" aria-busy="true">Loading…</div>
<script nonce="${NONCE}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
  const name = `${view}-${theme}.html`;
  fs.writeFileSync(path.join(pageDir, name), html);
  return `${origin}/${name}`;
}

export interface Opened {
  page: Page;
  errors: string[];
}

/** `savedState`: what getState returns, as VS Code gives a webview its state back after a reload. */
export async function open(view: 'explain' | 'compare', theme: ThemeName, width = 1100, height = 760, savedState?: unknown): Promise<Opened> {
  const page = await browser!.newPage({ viewport: { width, height } });
  if (savedState !== undefined) await page.addInitScript((s) => ((window as any).__initialState = s), savedState);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(writePage(view, theme));
  await page.waitForFunction(() => (window as any).__posted.some((m: FromWebview) => m.type === 'ready'));
  return { page, errors };
}

// Typed arrays cross page.evaluate as tagged plain arrays, typed again on the other side (as VS Code
// delivers them to a webview, and from it to the host).
export const send = (page: Page, message: ToWebview) => page.evaluate((m) => window.postMessage((window as any).__untag(m), '*'), tagTyped(message));
export const sendAll = async (page: Page, messages: ToWebview[]) => {
  for (const m of messages) await send(page, m);
};
export const posted = async (page: Page) => untagTyped(await page.evaluate(() => (window as any).__tag((window as any).__posted))) as FromWebview[];
export const cspViolations = (page: Page) => page.evaluate(() => (window as any).__csp as string[]);

export async function lastPosted<T extends FromWebview['type']>(page: Page, type: T): Promise<Extract<FromWebview, { type: T }>> {
  await page.waitForFunction((t) => (window as any).__posted.some((m: FromWebview) => m.type === t), type);
  const all = await posted(page);
  return all.filter((m) => m.type === type).pop() as Extract<FromWebview, { type: T }>;
}

export function decodePng(png: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(png));
}

export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
}


/** The RGBA bytes of rectangle [x, y, width, height] of a decoded PNG. */
export function cropRgba(png: PNG, [x, y, width, height]: number[]): Buffer {
  const out = Buffer.alloc(width * height * 4);
  for (let row = 0; row < height; row++) png.data.copy(out, row * width * 4, ((y + row) * png.width + x) * 4, ((y + row) * png.width + x + width) * 4);
  return out;
}

/** Where the last export put the map in its figure ("x,y,width,height" on canvas#heatmap), if it was a figure. */
export async function exportedMapRect(page: Page): Promise<number[] | undefined> {
  const value = await page.getAttribute('#heatmap', 'data-export-map');
  return value ? value.split(',').map(Number) : undefined;
}
