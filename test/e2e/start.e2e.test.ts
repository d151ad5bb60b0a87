// The README's "run the product" command, as a user follows it: `npm start` (the bootstrap half needs root
// and is what the rest of the suite already stands on) prints a URL; opened in a browser it shows VS Code
// with the bundled samples, and right-clicking mnist-7-0000.png → Explain Image shows the heatmap of a 7.
// `npm start` builds, packages and installs the extension itself (into .cache/start/), so this takes a
// minute or two longer than the other scenarios.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from './harness/codeServer';
import { ExplainPanelPage } from './harness/explainPanel';
import { contributedCommand } from './harness/manifest';
import { repoRoot } from './harness/paths';
import { findChromium } from './harness/prerequisites';
import { chromiumArgs, e2eSkip, waitFor } from './harness/session';
import { Workbench } from './harness/workbench';

const skip = e2eSkip();

describe('npm start (the README\'s command)', { timeout: 10 * 60_000 }, () => {
  let start: ChildProcess | undefined;
  let browser: Browser | undefined;
  let output = '';

  after(async () => {
    await browser?.close().catch(() => {});
    // npm and the script under it are one process group: Ctrl-C to all of it, as a terminal would.
    if (start?.pid && start.exitCode === null) {
      process.kill(-start.pid, 'SIGINT');
      const exited = await waitFor(() => (start!.exitCode !== null || start!.signalCode !== null ? true : undefined), 20_000);
      if (!exited) process.kill(-start.pid, 'SIGKILL');
    }
  });

  it('prints a URL that opens VS Code on the samples, where a right-click explains the 7', { skip }, async () => {
    const port = await freePort();
    start = spawn('npm', ['start', '--', '--port', String(port)], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const url = await waitFor(() => /Open (http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output)?.[1], 6 * 60_000);
    assert.ok(url, `npm start printed no URL to open (exit ${start.exitCode}):\n${output.slice(-3000)}`);
    assert.ok(url.startsWith(`http://127.0.0.1:${port}/`), url);

    browser = await chromium.launch({ executablePath: findChromium()!, args: chromiumArgs });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const workbench = new Workbench(page, 'start');
    await workbench.waitReady();
    await workbench.runExplorerContextMenu('mnist-7-0000.png', contributedCommand('explainImage.explain').title);
    const reading = await new ExplainPanelPage(workbench).waitUntil(
      'the heatmap of the 7',
      (r) => !r.busy && !!r.prediction?.includes('7') && (r.heatmap?.nonBackground ?? 0) > 0.005 * (r.heatmap?.width ?? 0) * (r.heatmap?.height ?? 0),
      120_000,
    );
    assert.match(reading.prediction ?? '', /\b7\b/);
    await workbench.screenshot('explained');
  });
});
