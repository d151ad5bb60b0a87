// code-server (VS Code 1.100.3 served to a browser) installed from the npm registry into the cache, and
// started on a free loopback port with isolated user data. The install works offline apart from the
// npm registry: @vscode/ripgrep's postinstall would download rg from the internet, so we hand it
// Debian's /usr/bin/rg through the download cache it checks first.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { ChildProcess } from 'child_process';
import { cacheDir } from './paths';
import { run, startGroup, stopGroup, tail } from './processes';

/** 4.100.x is the last code-server line whose server runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
/** The @vscode/ripgrep that code-server 4.100.3 depends on, and the rg release it downloads. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';

export const codeServerInstallDir = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const completeMarker = path.join(codeServerInstallDir, '.install-complete');

export function codeServerBin(): string {
  return path.join(codeServerInstallDir, 'node_modules', '.bin', 'code-server');
}

export function isCodeServerInstalled(): boolean {
  return fs.existsSync(completeMarker) && fs.existsSync(codeServerBin());
}

/** The environment for npm and code-server: ours, without the npm_* variables `npm test` sets. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** What @vscode/ripgrep calls the rg build for this machine. */
function ripgrepTarget(): string {
  switch (process.arch) {
    case 'x64':
      return 'x86_64-unknown-linux-musl';
    case 'arm64':
      return 'aarch64-unknown-linux-musl';
    default:
      throw new Error(`no ripgrep target known for ${process.arch}`);
  }
}

/** Finds an executable on PATH. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Puts a tar.gz holding the system's `rg` where @vscode/ripgrep looks before downloading:
 * `$TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<release>-<target>.tar.gz`. Returns that TMPDIR.
 */
async function seedRipgrepCache(): Promise<string> {
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep is not installed (Debian: apt-get install ripgrep); code-server needs it');
  const tmpDir = path.join(cacheDir, 'tmp');
  const rgCache = path.join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  fs.mkdirSync(rgCache, { recursive: true });
  const tarball = path.join(rgCache, `ripgrep-${RIPGREP_RELEASE}-${ripgrepTarget()}.tar.gz`);
  if (!fs.existsSync(tarball)) {
    // The archive must hold the binary as plain `rg`, which is what the real release archive holds.
    await run('tar', ['-czf', tarball, '-C', path.dirname(fs.realpathSync(rg)), path.basename(fs.realpathSync(rg))]);
    if (path.basename(fs.realpathSync(rg)) !== 'rg') throw new Error(`${rg} does not resolve to a file named rg`);
  }
  return tmpDir;
}

/**
 * Installs code-server into the cache unless a complete install is already there. Takes about
 * 1.5 minutes; needs a C++ toolchain, python3 and the Kerberos headers (libkrb5-dev) for its native
 * modules, and ripgrep.
 */
export async function installCodeServer(log: (line: string) => void = () => {}): Promise<string> {
  if (isCodeServerInstalled()) return codeServerBin();
  const tmpDir = await seedRipgrepCache();
  fs.rmSync(codeServerInstallDir, { recursive: true, force: true });
  fs.mkdirSync(codeServerInstallDir, { recursive: true });
  fs.writeFileSync(
    path.join(codeServerInstallDir, 'package.json'),
    JSON.stringify({ name: 'code-server-for-e2e', private: true }, null, 2),
  );
  log(`installing code-server@${CODE_SERVER_VERSION} into ${codeServerInstallDir} (about 2 minutes)`);
  const started = Date.now();
  const npm = which('npm') ?? 'npm';
  const { output } = await run(
    npm,
    [
      'install',
      '--prefix',
      codeServerInstallDir,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--unsafe-perm',
      `code-server@${CODE_SERVER_VERSION}`,
    ],
    {
      cwd: codeServerInstallDir,
      // npm_config_yes: a nested `npx node-gyp` in code-server's postinstall otherwise waits for a "y".
      env: cleanEnv({ TMPDIR: tmpDir, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' }),
      timeoutMs: 20 * 60_000,
    },
  );
  if (!fs.existsSync(codeServerBin())) throw new Error(`code-server install left no binary\n${tail(output)}`);
  fs.writeFileSync(completeMarker, `${CODE_SERVER_VERSION} installed ${new Date().toISOString()}\n`);
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerBin();
}

/** code-server writes a config (with a password) to ~/.config unless told otherwise: keep it in `dir`. */
function isolatedEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    ...extra,
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
  });
}

/** Installs a VSIX into an extensions folder with code-server's own CLI. */
export async function installExtension(vsix: string, extensionsDir: string, userDataDir: string): Promise<string> {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const { output } = await run(
    codeServerBin(),
    ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'],
    { env: isolatedEnv(userDataDir), timeoutMs: 3 * 60_000 },
  );
  if (!/successfully installed/i.test(output)) throw new Error(`installing ${vsix} said:\n${tail(output)}`);
  return output;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Settings that keep the workbench quiet and deterministic: no telemetry, welcome page, trust prompt. */
export const quietSettings = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'files.hotExit': 'off',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
};

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  process: ChildProcess;
  /** Everything code-server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  port?: number;
  /** Extra environment for the server and its extension host. */
  env?: Record<string, string>;
  /** Extra settings merged over `quietSettings`. */
  settings?: Record<string, unknown>;
  /** Print the server's output as it comes (npm start). */
  echo?: boolean;
  /** Keep VS Code's workspace trust on: the window asks whether to trust the folder (Restricted Mode tests). */
  workspaceTrust?: boolean;
}

/** Writes the user settings and starts code-server; resolves once it answers HTTP. */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  const settingsDir = path.join(options.userDataDir, 'User');
  fs.mkdirSync(settingsDir, { recursive: true });
  fs.writeFileSync(
    path.join(settingsDir, 'settings.json'),
    JSON.stringify({ ...quietSettings, ...(options.workspaceTrust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' } : {}), ...options.settings }, null, 2),
  );
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
    options.workspace,
  ];
  const env = isolatedEnv(options.userDataDir, options.env);
  const child = startGroup(codeServerBin(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.echo) process.stdout.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}/`;
  const server: CodeServer = {
    url,
    port,
    userDataDir: options.userDataDir,
    extensionsDir: options.extensionsDir,
    process: child,
    output: () => output,
    stop: () => stopGroup(child),
  };
  try {
    await waitForHttp(`${url}healthz`, 60_000, () => child.exitCode !== null);
  } catch (e) {
    await server.stop();
    throw new Error(`code-server did not start: ${(e as Error).message}\n${tail(output)}`);
  }
  return server;
}

async function waitForHttp(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error('the server exited');
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
