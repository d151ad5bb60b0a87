// A person's first use: right-click a PNG in the Explorer, choose "Explain Image", and a webview panel
// opens beside it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contributedCommand } from './harness/manifest';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();

describe('Explorer context menu', { timeout: 5 * 60_000 }, () => {
  const session = useSession('explorer');

  it('offers "Explain Image" on a PNG and opens a webview panel', { skip }, async () => {
    const s = session();
    const png = s.workspace.images.find((f) => f.toLowerCase().endsWith('.png'));
    assert.ok(png, `the workspace has no PNG (it has ${JSON.stringify(s.workspace.images)})`);
    const { title } = contributedCommand('explainImage.explain');

    const entries = await s.workbench.explorerContextMenu(png, title);
    await s.workbench.screenshot('context-menu');
    await s.page.keyboard.press('Escape');
    assert.ok(entries.includes(title), `the context menu of ${png} offers ${JSON.stringify(entries)}, not "${title}"`);

    const framesBefore = new Set(s.page.frames());
    const tabsBefore = new Set(await s.workbench.tabLabels());
    await s.workbench.runExplorerContextMenu(png, title);
    // The panel's title is the extension's choice ("Explain: <file>"): look for a new tab that says Explain.
    const tab = await waitFor(
      async () => (await s.workbench.tabLabels()).find((t) => !tabsBefore.has(t) && /explain/i.test(t)),
      30_000,
    );
    const webviewFrame = await waitFor(
      () => s.page.frames().find((f) => !framesBefore.has(f) && /\/webview\/browser\/pre\//.test(f.url())),
      30_000,
    );
    await s.workbench.screenshot('panel');
    assert.ok(tab, `no new "Explain…" editor tab opened; tabs: ${JSON.stringify(await s.workbench.tabLabels())}`);
    assert.ok(webviewFrame, 'no webview frame appeared in the page');
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
  });
});
