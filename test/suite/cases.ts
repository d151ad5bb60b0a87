// Integration cases that run inside the extension host, against the `vscode` API: the extension
// activates, registers every command it contributes, "Explain Image" on a PNG opens its webview panel,
// and every `explainImage.*` setting it declares is readable with its declared default.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SuiteCase } from './runner';

const EXTENSION_ID = 'explain-image.explain-image';

function theExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  return extension;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  do {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() < deadline);
  return undefined;
}

interface Manifest {
  contributes?: {
    commands?: Array<{ command: string }>;
    configuration?: ConfigurationSection | ConfigurationSection[];
  };
}
interface ConfigurationSection {
  properties?: Record<string, { default?: unknown }>;
}

function manifest(): Manifest {
  return theExtension().packageJSON as Manifest;
}

export const cases: SuiteCase[] = [
  {
    name: 'the extension activates',
    async run() {
      const extension = theExtension();
      await extension.activate();
      assert.equal(extension.isActive, true);
    },
  },
  {
    name: 'every contributed command is registered, explainImage.explain among them',
    async run() {
      await theExtension().activate();
      const registered = new Set(await vscode.commands.getCommands(true));
      const contributed = (manifest().contributes?.commands ?? []).map((c) => c.command);
      assert.ok(contributed.includes('explainImage.explain'), 'package.json contributes explainImage.explain');
      assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
    },
  },
  {
    name: '"Explain Image" on a PNG opens its webview panel',
    async run() {
      const [png] = await vscode.workspace.findFiles('**/*.png', undefined, 1);
      assert.ok(png, 'the test workspace has no PNG');
      await vscode.commands.executeCommand('explainImage.explain', png, [png]);
      const isPanel = (tab: vscode.Tab) =>
        tab.input instanceof vscode.TabInputWebview && (/explainImage/i.test(tab.input.viewType) || /Explain Image/.test(tab.label));
      const panel = await until(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(isPanel), 30_000);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
      assert.ok(panel, `no Explain Image webview tab opened; tabs: ${JSON.stringify(tabs)}`);
    },
  },
  {
    name: 'every declared explainImage.* setting is readable with its declared default',
    async run() {
      const declared = manifest().contributes?.configuration;
      const sections = Array.isArray(declared) ? declared : declared ? [declared] : [];
      const properties = Object.assign({}, ...sections.map((s) => s.properties ?? {})) as Record<string, { default?: unknown }>;
      const config = vscode.workspace.getConfiguration('explainImage');
      assert.equal(typeof config.get, 'function');
      for (const [key, spec] of Object.entries(properties)) {
        assert.ok(key.startsWith('explainImage.'), `setting ${key} is outside the explainImage.* namespace`);
        const inspected = vscode.workspace.getConfiguration().inspect(key);
        assert.ok(inspected, `${key} cannot be inspected`);
        if ('default' in spec) assert.deepEqual(inspected.defaultValue, spec.default, `${key} default`);
        assert.deepEqual(config.get(key.slice('explainImage.'.length)), inspected.defaultValue, `${key} value`);
      }
    },
  },
];
