// What a person does in the workbench, as Playwright calls: run a command from the palette, right-click
// a file in the Explorer, open a file, look inside a webview, take a screenshot. Selectors are VS Code
// 1.100's (code-server 4.100.3); each helper waits for what it needs instead of sleeping.
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Locator, Page } from 'playwright-core';
import { artifactsDir } from './paths';

const explorerRows = '.explorer-folders-view .monaco-list-row';
const quickInput = '.quick-input-widget';
const quickInputRows = '.quick-input-widget .quick-input-list .monaco-list-row';

function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

export class Workbench {
  constructor(
    readonly page: Page,
    /** Screenshots are named `<scenario>-<name>.png`. */
    readonly scenario: string,
  ) {}

  /** Waits until the workbench shows the opened folder's files in the Explorer. */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
    await this.page.waitForSelector(explorerRows, { timeout: timeoutMs });
  }

  /**
   * Opens the command palette with `text` typed and returns the labels it offers, after waiting for
   * `expect` among them (if given). The palette lists the commands known when it opens, so while the
   * extension host is still registering contributions we close and reopen it. Closes it unless `keepOpen`.
   */
  async paletteEntries(text: string, expect?: string, keepOpen = false, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.openPalette(text);
      const rows = this.page.locator(quickInputRows);
      let found = true;
      try {
        await (expect ? rows.filter({ hasText: expect }) : rows).first().waitFor({ timeout: 5000 });
      } catch {
        found = false;
      }
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
      if (found || Date.now() > deadline) {
        if (!keepOpen) await this.page.keyboard.press('Escape');
        return labels;
      }
      await this.page.keyboard.press('Escape');
    }
  }

  /**
   * Runs a command by its palette label (e.g. "Explain Image: Explain Image"): F1, type, pick the row.
   * Retries while the extension host is still registering contributions.
   */
  async runCommand(label: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      await this.openPalette(label);
      const rows = this.page.locator(quickInputRows);
      // "Explain Image: Explain Image" must not pick "Explain Image: Explain Images in …".
      const isThis = (aria: string) => aria === label || aria.startsWith(`${label},`);
      try {
        await rows.filter({ hasText: label }).first().waitFor({ timeout: 5000 });
      } catch {
        // not offered (yet)
      }
      seen = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      const index = seen.findIndex(isThis);
      if (index < 0) {
        await this.page.keyboard.press('Escape');
        continue;
      }
      // The command may open a quick pick of its own in the same widget, so do not wait for it to close.
      await rows.nth(index).click();
      return;
    }
    throw new Error(`the command palette has no "${label}" (it offered: ${JSON.stringify(seen)})`);
  }

  private async openPalette(text: string): Promise<void> {
    const input = this.page.locator(`${quickInput} input`);
    if (!(await input.isVisible())) {
      await this.page.locator('.monaco-workbench').focus().catch(() => {});
      await this.page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
    }
    // F1 opens the palette with ">" typed: keep it, replace the rest.
    await input.fill(`>${text}`);
  }

  /**
   * The Explorer row of a workspace file, expanding the folders on the way (`sub/dir/file.png`). The
   * Explorer only renders the rows in view; a file further down is opened with Quick Open, which
   * reveals and selects it in the Explorer (`explorer.autoReveal`).
   */
  async explorerRow(relativePath: string, timeoutMs = 20_000): Promise<Locator> {
    const parts = relativePath.split('/');
    await this.page.locator('.explorer-folders-view').waitFor({ timeout: timeoutMs });
    const rowAt = (level: number) =>
      this.page.locator(`${explorerRows}[aria-level="${level}"][aria-label="${parts[level - 1]}"]`).first();
    for (let level = 1; level < parts.length; level++) {
      const folder = rowAt(level);
      await folder.waitFor({ timeout: timeoutMs });
      if ((await folder.getAttribute('aria-expanded')) === 'false') await folder.click();
    }
    const row = rowAt(parts.length);
    try {
      await row.waitFor({ timeout: 3000 });
    } catch {
      await this.openFile(relativePath);
      await row.waitFor({ timeout: timeoutMs });
    }
    await row.scrollIntoViewIfNeeded();
    return row;
  }

  /**
   * Right-clicks a file in the Explorer and returns the context menu's entry labels (menu left open).
   * With `expect`, reopens the menu until that entry shows up or `timeoutMs` passes: menus built
   * before the extension host registered the extension's contributions lack its entries.
   */
  async explorerContextMenu(relativePath: string, expect?: string, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const row = await this.explorerRow(relativePath);
    for (;;) {
      await row.click(); // select it first, as a person would
      await row.click({ button: 'right' });
      const labels = this.page.locator('.context-view .monaco-menu .action-label');
      await labels.first().waitFor({ timeout: 10_000 });
      const entries = (await labels.allInnerTexts()).map((t) => t.trim()).filter((t) => t.length > 0);
      if (!expect || entries.includes(expect) || Date.now() > deadline) return entries;
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(1000);
    }
  }

  /** Right-clicks a file in the Explorer and chooses `entry` from its context menu. */
  async runExplorerContextMenu(relativePath: string, entry: string): Promise<void> {
    const entries = await this.explorerContextMenu(relativePath, entry);
    if (!entries.includes(entry)) {
      await this.page.keyboard.press('Escape');
      throw new Error(
        `the Explorer context menu of ${relativePath} has no "${entry}" entry; it has: ${JSON.stringify(entries)}` +
          ` (package.json must contribute it under contributes.menus["explorer/context"])`,
      );
    }
    // A menu ignores a click that comes right after it opened (so that releasing the right button on an
    // entry does not choose it): hover first, and click again while the menu stays open.
    const item = this.page.locator('.context-view .monaco-menu .action-label').filter({ hasText: exactText(entry) }).first();
    const menu = this.page.locator('.context-view .monaco-menu');
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!(await item.isVisible())) return;
      await item.hover();
      await this.page.waitForTimeout(200);
      await item.click().catch(() => {}); // the menu may close between the check and the click
      try {
        await menu.waitFor({ state: 'hidden', timeout: 2000 });
        return;
      } catch {
        // still open: try again
      }
    }
    throw new Error(`choosing "${entry}" in the context menu of ${relativePath} did not close the menu`);
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.locator('.monaco-workbench').focus().catch(() => {});
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator(`${quickInput} input`);
    await input.waitFor({ timeout: 10_000 });
    await input.fill(relativePath);
    const name = path.posix.basename(relativePath);
    await this.page.locator(quickInputRows).filter({ hasText: name }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 10_000 });
  }

  /** Labels of the open editor tabs. */
  async tabLabels(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .label-name').allInnerTexts()).map((t) => t.trim());
  }

  /**
   * The frame inside a webview that holds `selector`. A webview is an iframe (the host page) holding
   * another iframe (the content), so we search every frame of the page until one has the element.
   */
  async findInWebview(selector: string, timeoutMs = 30_000): Promise<{ frame: Frame; element: Locator } | undefined> {
    const deadline = Date.now() + timeoutMs;
    do {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || frame.isDetached()) continue;
        const element = frame.locator(selector).first();
        try {
          if ((await element.count()) > 0) return { frame, element };
        } catch {
          // the frame navigated or went away while we looked
        }
      }
      await this.page.waitForTimeout(250);
    } while (Date.now() < deadline);
    return undefined;
  }

  /** The text of every webview content frame, for failure messages. */
  async webviewTexts(): Promise<string[]> {
    const texts: string[] = [];
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame() || !/webview/.test(frame.url())) continue;
      const text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (text.trim()) texts.push(text.trim().slice(0, 500));
    }
    return texts;
  }

  /** Saves a screenshot of the whole window as artifacts/e2e/<scenario>-<name>.png; returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${this.scenario}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
