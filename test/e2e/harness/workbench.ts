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
      // The palette closes when something takes the focus (an image preview that just finished loading):
      // then the click fails, the command did not run, and we open the palette again.
      try {
        await rows.nth(index).click({ timeout: 5000 });
        await this.waitPaletteGone();
        return;
      } catch {
        await this.page.keyboard.press('Escape');
      }
    }
    throw new Error(`the command palette has no "${label}" (it offered: ${JSON.stringify(seen)})`);
  }

  /**
   * After a palette row is clicked the widget keeps the palette's rows for a moment; a command that
   * opens its own quick pick reuses the widget. Wait until the palette's ">" text is gone (the widget
   * closed or shows the command's own pick) so callers never read the palette's rows as the pick's.
   */
  private async waitPaletteGone(timeoutMs = 10_000): Promise<void> {
    const input = this.page.locator(`${quickInput} input`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const showsPalette = await input
        .evaluate((e) => (e as HTMLInputElement).value.startsWith('>') && (e as HTMLElement).offsetParent !== null)
        .catch(() => false);
      if (!showsPalette) return;
      await this.page.waitForTimeout(50);
    }
  }

  private async openPalette(text: string): Promise<void> {
    // An image preview that finishes loading takes the focus, which closes the palette: open it again.
    for (let attempt = 1; ; attempt++) {
      await this.openQuickInput('F1');
      try {
        // F1 opens the palette with ">" typed: keep it, replace the rest.
        await this.page.locator(`${quickInput} input`).fill(`>${text}`, { timeout: 3000 });
        return;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  }

  /**
   * Presses the key that opens a quick input (F1, Control+P) unless one is open. A key pressed while a
   * webview (an image preview, a panel) has the focus may not reach the workbench: then we take the
   * focus back to the main page, and failing that, to the active editor tab, and press it again.
   */
  private async openQuickInput(key: string): Promise<void> {
    const input = this.page.locator(`${quickInput} input`);
    if (await input.isVisible()) return;
    const attempts: Array<() => Promise<unknown>> = [
      () => this.page.locator('.monaco-workbench').focus(),
      () => this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()),
      () => this.page.locator('.editor-group-container.active .tabs-container .tab.active').first().click({ timeout: 2000 }),
    ];
    for (const [i, focus] of attempts.entries()) {
      await focus().catch(() => {});
      await this.page.keyboard.press(key);
      try {
        await input.waitFor({ timeout: i === attempts.length - 1 ? 10_000 : 3000 });
        return;
      } catch (e) {
        if (i === attempts.length - 1) throw e;
      }
    }
  }

  /**
   * The Explorer row of a workspace file, expanding the folders on the way (`sub/dir/file.png`). The
   * Explorer only renders the rows in view: a file out of view is found by scrolling the Explorer
   * (top to bottom) and, failing that, opened with Quick Open, which reveals it in the Explorer
   * (`explorer.autoReveal`; not always, when the file opens in another editor group).
   */
  async explorerRow(relativePath: string, timeoutMs = 20_000): Promise<Locator> {
    const parts = relativePath.split('/');
    await this.page.locator('.explorer-folders-view').waitFor({ timeout: timeoutMs });
    const rowAt = (level: number) =>
      this.page.locator(`${explorerRows}[aria-level="${level}"][aria-label="${parts[level - 1]}"]`).first();
    for (let level = 1; level < parts.length; level++) {
      const folder = rowAt(level);
      // Out of view when the Explorer was scrolled (to a file opened further down): scroll to it.
      if (!(await folder.isVisible())) await this.scrollExplorerTo(folder);
      await folder.waitFor({ timeout: timeoutMs });
      if ((await folder.getAttribute('aria-expanded')) === 'false') await folder.click();
    }
    const row = rowAt(parts.length);
    try {
      await row.waitFor({ timeout: 3000 });
    } catch {
      if (!(await this.scrollExplorerTo(row))) {
        await this.openFile(relativePath);
        await row.waitFor({ timeout: timeoutMs });
      }
    }
    await row.scrollIntoViewIfNeeded();
    return row;
  }

  /** Scrolls the Explorer from the top down until `row` is rendered; false if it never is. */
  private async scrollExplorerTo(row: Locator): Promise<boolean> {
    const list = this.page.locator('.explorer-folders-view .monaco-list').first();
    // To the top: Home in the focused list (a wheel over the list can land on a hover tooltip instead).
    await list.focus();
    await this.page.keyboard.press('Home');
    await list.hover();
    await this.page.mouse.wheel(0, -100_000);
    for (let step = 0; step < 60; step++) {
      await this.page.waitForTimeout(100);
      if ((await row.count()) > 0) return true;
      await this.page.mouse.wheel(0, 300);
    }
    return false;
  }

  /**
   * Right-clicks a file in the Explorer and returns the context menu's entry labels (menu left open).
   * Several files are selected first (click the first, Ctrl+click the others) and the last is
   * right-clicked, so the command gets them all. With `expect`, reopens the menu until that entry shows
   * up or `timeoutMs` passes: menus built before the extension host registered the extension's
   * contributions lack its entries.
   */
  async explorerContextMenu(relativePath: string | string[], expect?: string, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const paths = Array.isArray(relativePath) ? relativePath : [relativePath];
    for (;;) {
      // The rows are found again on every attempt: the Explorer re-renders its virtual list when the file
      // watcher adds a file (a folder written by the test), and a row found before may be gone from view.
      const rows: Locator[] = [];
      for (const p of paths) rows.push(await this.explorerRow(p));
      try {
        await rows[0].click({ timeout: 5000 }); // select it first, as a person would
        for (const row of rows.slice(1)) await row.click({ modifiers: ['Control'], timeout: 5000 });
      } catch (e) {
        if (Date.now() > deadline) throw e;
        continue;
      }
      // A click can land while the Explorer re-renders (a preview opening beside it): check that every
      // row is selected before asking for the menu, else select them again.
      const selected = await Promise.all(rows.map((r) => r.getAttribute('aria-selected').catch(() => null)));
      if (rows.length > 1 && selected.some((v) => v !== 'true') && Date.now() < deadline) {
        await this.page.waitForTimeout(500);
        continue;
      }
      await rows[rows.length - 1].click({ button: 'right' });
      const labels = this.page.locator('.context-view .monaco-menu .action-label');
      await labels.first().waitFor({ timeout: 10_000 });
      const entries = (await labels.allInnerTexts()).map((t) => t.trim()).filter((t) => t.length > 0);
      if (!expect || entries.includes(expect) || Date.now() > deadline) return entries;
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(1000);
    }
  }

  /** Right-clicks a file (or a selection of files) in the Explorer and chooses `entry` from its context menu. */
  async runExplorerContextMenu(relativePath: string | string[], entry: string): Promise<void> {
    const what = Array.isArray(relativePath) ? relativePath.join(' + ') : relativePath;
    const entries = await this.explorerContextMenu(relativePath, entry);
    if (!entries.includes(entry)) {
      await this.page.keyboard.press('Escape');
      throw new Error(
        `the Explorer context menu of ${what} has no "${entry}" entry; it has: ${JSON.stringify(entries)}` +
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
    throw new Error(`choosing "${entry}" in the context menu of ${what} did not close the menu`);
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    const input = this.page.locator(`${quickInput} input`);
    for (let attempt = 1; ; attempt++) {
      await this.openQuickInput('Control+P');
      try {
        await input.fill(relativePath, { timeout: 3000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e; // closed under us (a webview took the focus): open it again
      }
    }
    const name = path.posix.basename(relativePath);
    const row = this.page.locator(quickInputRows).filter({ hasText: name }).first();
    try {
      await row.waitFor({ timeout: 5000 });
    } catch {
      // A file created a moment ago may not be in Quick Open's file list yet: ask again.
      await input.fill('');
      await input.fill(relativePath);
      await row.waitFor({ timeout: 10_000 });
    }
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 10_000 });
  }

  /** Labels of the open editor tabs. */
  async tabLabels(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .label-name').allInnerTexts()).map((t) => t.trim());
  }

  /** The label of the active editor group's active tab. */
  async activeTabLabel(): Promise<string | undefined> {
    const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active .label-name').first();
    return (await tab.count()) > 0 ? (await tab.innerText()).trim() : undefined;
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
          // A frame that is still loading (a webview waiting for its service worker) must not hold up
          // the search of the others: give each frame a second, and look again next round.
          const count = await Promise.race([element.count(), new Promise<number>((r) => setTimeout(() => r(0), 1000))]);
          if (count > 0) return { frame, element };
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

  /** The aria-labels of the rows the open quick pick shows ("label, description, detail, separator"). */
  async quickPickRows(): Promise<string[]> {
    return this.page.locator(quickInputRows).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  /**
   * In the open quick pick (a command's own pick, not the palette), types `filter` (if given) and clicks
   * the first row whose aria-label satisfies `matches`; waits for such a row (items may arrive late).
   * Returns the chosen row's aria-label.
   */
  async chooseQuickPickItem(filter: string | undefined, matches: (ariaLabel: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const input = this.page.locator(`${quickInput} input`);
    await input.waitFor({ timeout: 10_000 });
    if (filter !== undefined) await input.fill(filter);
    let seen: string[] = [];
    const deadline = Date.now() + timeoutMs;
    do {
      seen = await this.quickPickRows();
      const index = seen.findIndex(matches);
      if (index >= 0) {
        try {
          await this.page.locator(quickInputRows).nth(index).click({ timeout: 5000 });
          return seen[index];
        } catch {
          // the list changed under the pointer (items arriving): look again
        }
      }
      await this.page.waitForTimeout(250);
    } while (Date.now() < deadline);
    throw new Error(`the quick pick offers no matching row (it offers: ${JSON.stringify(seen)})`);
  }

  /** The open quick input's text field. */
  quickInputBox(): Locator {
    return this.page.locator(`${quickInput} input`);
  }

  /** The message under the open quick input (an input box's prompt or its validation error). */
  async quickInputMessage(): Promise<string> {
    return (await this.page.locator(`${quickInput} .quick-input-message`).innerText().catch(() => '')).trim();
  }

  /** Is the open input box showing its text as invalid (the validation message is an error)? */
  async quickInputInvalid(): Promise<boolean> {
    return (await this.page.locator(`${quickInput} .monaco-inputbox.error`).count()) > 0;
  }

  /** The text of a status bar entry; extensions' entries have the id `<extension id>.<item id>`. */
  async statusBarText(id: string): Promise<string> {
    return (await this.page.locator(`.statusbar-item[id="${id}"]`).innerText({ timeout: 5000 })).trim();
  }

  /** Clicks an action button in the active editor group's title bar (e.g. a command's icon). */
  async clickEditorTitleAction(label: string): Promise<void> {
    const action = this.page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label="${label}"]`).first();
    await action.waitFor({ timeout: 15_000 });
    await action.click();
  }

  /** Clicks the editor tab whose label is `label` (makes it the active editor). */
  async activateTab(label: string | RegExp): Promise<void> {
    await this.page.locator('.tabs-container .tab').filter({ has: this.page.locator('.label-name', { hasText: label }) }).first().click();
  }

  /**
   * Answers the save dialog. code-server has no native dialogs: VS Code's own "simple file dialog" is a
   * quick input holding the path. We type an absolute path (in an existing folder) and press Enter.
   * Returns the path the dialog proposed.
   */
  async answerSaveDialog(file: string, timeoutMs = 15_000): Promise<string> {
    const input = this.page.locator(`${quickInput} input`);
    await input.waitFor({ timeout: timeoutMs });
    // The dialog fills in its proposal in steps after it opens (the folder, then the name): wait until
    // the value has stayed the same for half a second.
    let proposed = '';
    let stableSince = Date.now();
    for (const until = Date.now() + 5000; Date.now() < until; ) {
      const value = await input.inputValue();
      if (value !== proposed) {
        proposed = value;
        stableSince = Date.now();
      } else if (value && Date.now() - stableSince >= 500) {
        break;
      }
      await this.page.waitForTimeout(100);
    }
    await input.fill(file);
    await this.page.keyboard.press('Enter');
    await this.page.locator(quickInput).waitFor({ state: 'hidden', timeout: timeoutMs });
    return proposed;
  }

  /**
   * Replaces the user settings.json in VS Code's own editor and saves it, then closes that editor. The
   * text is inserted in one piece (no typing), so the editor's bracket and quote auto-closing stay out of it.
   */
  async replaceUserSettings(json: string): Promise<void> {
    await this.runCommand('Preferences: Open User Settings (JSON)');
    // The active group's editor: another text editor open in the window (an untitled document) must not
    // get the keys.
    const editor = this.page.locator('.editor-group-container.active .editor-instance .monaco-editor textarea').first();
    await editor.waitFor({ state: 'attached', timeout: 15_000 });
    await this.page.waitForTimeout(300);
    await editor.focus();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
    await this.page.keyboard.press('Control+S');
    await this.page.waitForTimeout(500);
    await this.runCommand('View: Close Editor');
  }

  /** Saves a screenshot of the whole window as artifacts/e2e/<scenario>-<name>.png; returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${this.scenario}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
