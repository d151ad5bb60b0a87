// Bundles the extension host, the engine worker, the CLI and the webview into dist/, and copies the
// files they load from disk at run time (tfjs .wasm binaries and the threaded build's pthread scripts,
// the figure font, webview UI assets).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const watch = process.argv.includes('--watch');
const dist = path.join(__dirname, 'dist');

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'info',
  // tfjs probes for optional node-only packages it does not need.
  external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
};

const webviewBundle = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap: true,
  logLevel: 'info',
};

const builds = [
  { ...nodeBundle, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...nodeBundle, entryPoints: ['src/engine/pool/engineWorker.ts'], outfile: 'dist/worker.js' },
  {
    ...nodeBundle,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  { ...webviewBundle, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
  { ...webviewBundle, entryPoints: ['webview/dataset/main.ts'], outfile: 'dist/dataset.js' },
].filter((b) => fs.existsSync(b.entryPoints[0]));

/** Files loaded from disk at run time, copied beside the bundles. */
function copyAssets() {
  fs.mkdirSync(dist, { recursive: true });
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(dist, f));
  }
  writeThreadedFiles(path.join(wasmDir, '..', 'wasm-out'));
  // libwebp compiled to wasm: its own loader breaks once bundled, so the engine loads it from dist/.
  fs.copyFileSync(require.resolve('@cwasm/webp/webp.wasm'), path.join(dist, 'webp.wasm'));
  const font = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  fs.copyFileSync(font, path.join(dist, 'DejaVuSans.ttf'));
  const codicons = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join(dist, f));
}

/**
 * The threaded wasm build's pthread scripts as files beside the .wasm (src/engine/wasmThreads.ts says why):
 * emscripten's module factory as tfjs ships it, and its pthread worker script with our prelude. Written
 * here, so an installed extension (whose folder may be read-only) never writes them at run time.
 */
function writeThreadedFiles(wasmOut) {
  require('tsx/cjs');
  const { THREADED_FILES, pthreadWorkerText } = require('./src/engine/wasmThreads.ts');
  const { wasmWorkerContents } = require(path.join(wasmOut, THREADED_FILES.worker));
  fs.copyFileSync(path.join(wasmOut, THREADED_FILES.factory), path.join(dist, THREADED_FILES.factory));
  fs.writeFileSync(path.join(dist, THREADED_FILES.worker), pthreadWorkerText(wasmWorkerContents));
}

async function main() {
  copyAssets();
  if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
