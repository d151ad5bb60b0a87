// One e2e session: a fresh code-server (own user data, own copy of the installed extension, a temp
// workspace of samples) and a headless Chromium showing its workbench. `stop()` ends both and keeps a
// final screenshot and the logs in artifacts/e2e/; a watchdog ends them too if a test hangs.
import { after, before } from 'node:test';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { installExtension, startCodeServer, tempDir, type CodeServer } from './codeServer';
import { copyExtensionsDir, sharedExtensionsDir } from './extension';
import { copyLogs, extensionErrors, extensionHostLog, outputChannelLog } from './logs';
import { artifactsDir, extensionId } from './paths';
import { prepareE2E } from './prepare';
import { findChromium, missingPrerequisites } from './prerequisites';
import { Workbench } from './workbench';
import { prepareWorkspace, type Workspace } from './workspace';

/** Flags checked on Debian 12's Chromium in a container: no sandbox (root), no GPU, no network chatter. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Set by test/runAll.mjs after it ran `prepareE2E` once for all scenario files. */
const PREPARED = 'EXPLAIN_IMAGE_E2E_PREPARED';
/** Set by test/runAll.mjs: why e2e cannot run on this machine (scenarios are skipped with it). */
const SKIP = 'EXPLAIN_IMAGE_E2E_SKIP';
/** Set by test/runAll.mjs: preparing failed for a reason that is a bug (scenarios fail with it). */
const BROKEN = 'EXPLAIN_IMAGE_E2E_BROKEN';

/** The reason to skip e2e scenarios on this machine, or `false`. Use as `it(name, { skip: e2eSkip() }, ...)`. */
export function e2eSkip(): string | false {
  return process.env[SKIP] || missingPrerequisites() || false;
}

export interface SessionOptions {
  /** Extra environment for code-server and its extension host. */
  env?: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** More VSIX files to install into this session's copy of the extensions folder. */
  extraVsix?: string[];
  /** Kill everything and exit if the session is still running after this long (default 10 min). */
  watchdogMs?: number;
  /** Workspace trust on (the window asks); see restricted.e2e.test.ts. */
  workspaceTrust?: boolean;
  /** Called with the workspace folder before code-server opens it (workspace settings, files). */
  prepareWorkspace?: (dir: string) => void;
}

export interface Session {
  server: CodeServer;
  browser: Browser;
  page: Page;
  workbench: Workbench;
  workspace: Workspace;
  /** The extension host log so far. */
  hostLog(): string;
  /** Error entries of the extension host log that name Explain Image. */
  extensionErrors(): string[];
  /** The "Explain Image" output channel (or another channel), `undefined` until it is created. */
  outputChannel(name?: string): string | undefined;
  /** Browser console errors seen so far (workbench and webviews). */
  consoleErrors: string[];
  /**
   * Changes the user's settings.json as a user would, in VS Code's editor ("Preferences: Open User Settings
   * (JSON)", edit, save); null removes a key. (code-server does not notice the file written behind its back.)
   */
  updateSettings(patch: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startSession(scenario: string, options: SessionOptions = {}): Promise<Session> {
  if (process.env[BROKEN]) throw new Error(process.env[BROKEN]);
  if (process.env[PREPARED] !== '1') await prepareE2E((line) => console.log(`[e2e] ${line}`));

  const scratch = tempDir(`explain-image-e2e-${scenario}-`);
  const workspace = prepareWorkspace();
  options.prepareWorkspace?.(workspace.dir);
  const cleanups: Array<() => Promise<void> | void> = [
    () => workspace.remove(),
    () => fs.rmSync(scratch, { recursive: true, force: true }),
  ];
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(watchdog);
    await browser?.close().catch(() => {});
    await server?.stop();
    if (server) copyLogs(server.userDataDir, path.join(artifactsDir, scenario, 'logs'));
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  const watchdogMs = options.watchdogMs ?? 10 * 60_000;
  const watchdog = setTimeout(() => {
    console.error(`[e2e] ${scenario}: still running after ${watchdogMs} ms; stopping code-server and Chromium`);
    void stopAll().finally(() => process.exit(1));
  }, watchdogMs);
  watchdog.unref();

  try {
    const extensionsDir = copyExtensionsDir(sharedExtensionsDir, path.join(scratch, 'extensions'));
    for (const vsix of options.extraVsix ?? []) {
      await installExtension(vsix, extensionsDir, path.join(scratch, 'install-user-data'));
    }
    server = await startCodeServer({
      workspace: workspace.dir,
      userDataDir: path.join(scratch, 'user-data'),
      extensionsDir,
      env: options.env,
      settings: options.settings,
      workspaceTrust: options.workspaceTrust,
    });
    const executablePath = findChromium();
    if (!executablePath) throw new Error('Chromium not found');
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(server.url);
    const workbench = new Workbench(page, scenario);
    await workbench.waitReady();
    const userDataDir = server.userDataDir;
    const activeServer = server;
    const activeBrowser = browser;
    return {
      server: activeServer,
      browser: activeBrowser,
      page,
      workbench,
      workspace,
      consoleErrors,
      hostLog: () => extensionHostLog(userDataDir),
      extensionErrors: () => extensionErrors(extensionHostLog(userDataDir), extensionId()),
      outputChannel: (name = 'Explain Image') => outputChannelLog(userDataDir, name),
      updateSettings: async (patch) => {
        const file = path.join(userDataDir, 'User', 'settings.json');
        const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete settings[key];
          else settings[key] = value;
        }
        // One line: the editor would indent every inserted line again.
        await workbench.replaceUserSettings(JSON.stringify(settings));
        const saved = await waitFor(() => {
          try {
            const now = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
            return Object.entries(patch).every(([k, v]) => JSON.stringify(now[k]) === JSON.stringify(v ?? undefined)) ? true : undefined;
          } catch {
            return undefined;
          }
        }, 10_000);
        if (!saved) throw new Error(`settings.json was not saved with ${JSON.stringify(patch)}: ${fs.readFileSync(file, 'utf8').slice(-800)}`);
      },
      stop: async () => {
        await workbench.screenshot('final').catch(() => {});
        await stopAll();
      },
    };
  } catch (e) {
    const output = server?.output() ?? '';
    await stopAll();
    const message = (e as Error).message;
    throw new Error(`${scenario}: the e2e session did not start: ${message}${output ? `\ncode-server said:\n${output.slice(-3000)}` : ''}`);
  }
}

/**
 * The session of the enclosing describe(): started before its tests (after `prepare`, which may also say
 * the options), stopped after them; none where the e2e tests are skipped. The function it returns gives
 * the session inside a test.
 */
export function useSession(scenario: string, prepare?: () => SessionOptions | void | Promise<SessionOptions | void>): () => Session {
  let session: Session | undefined;
  before(async () => {
    if (e2eSkip()) return;
    session = await startSession(scenario, (await prepare?.()) ?? {});
  });
  after(async () => {
    await session?.stop();
  });
  return () => {
    if (!session) throw new Error(`${scenario}: no e2e session (it did not start, or the tests are skipped)`);
    return session;
  };
}

/** Polls `probe` until it returns a value other than `undefined`, or gives up after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  do {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  return undefined;
}
