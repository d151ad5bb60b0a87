// What the browser tests share: Debian's Chromium driven by playwright-core, a local static server for
// the bundles they build with the webview's own esbuild options, and typed arrays carried across
// page.evaluate (which takes and gives plain JSON) as tagged arrays.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Why the browser tests are skipped here, or false. */
export const noChromium = !fs.existsSync(CHROMIUM) && `${CHROMIUM} is missing`;

/** Bundles `entries` (name → entry file) into `outDir` with the options of esbuild.js's webview build. */
export async function bundle(entries: Record<string, string>, outDir: string): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: entries, outdir: outDir, logLevel: 'warning' });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

/** Serves the files under `root` on 127.0.0.1. */
export async function serve(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    // A VS Code webview never asks for a favicon; a plain page does.
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = path.join(root, pathname);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const TYPED = { Uint8Array, Int32Array, Float32Array } as const;

/** Typed arrays as { __typed, values } so they survive page.evaluate. */
export function tagTyped(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return { __typed: value.constructor.name, values: Array.from(value as Uint8Array) };
  if (Array.isArray(value)) return value.map(tagTyped);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagTyped(v)]));
  return value;
}

/** The typed arrays tagTyped tagged, typed again. */
export function untagTyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untagTyped);
  if (value && typeof value === 'object') {
    const tagged = value as { __typed?: keyof typeof TYPED; values?: number[] };
    if (tagged.__typed) return TYPED[tagged.__typed].from(tagged.values!);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untagTyped(v)]));
  }
  return value;
}

/** The same two functions for a page (page.evaluate cannot take closures over Node code), as
 *  window.__tag and window.__untag: put this in a <script> before the page's own. */
export const PAGE_TYPED_HELPERS = `
  window.__untag = (v) => Array.isArray(v) ? v.map(window.__untag) : v && typeof v === 'object' ? (v.__typed ? window[v.__typed].from(v.values) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, window.__untag(x)]))) : v;
  window.__tag = (v) => ArrayBuffer.isView(v) ? { __typed: v.constructor.name, values: Array.from(v) } : Array.isArray(v) ? v.map(window.__tag) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, window.__tag(x)])) : v;
`;
