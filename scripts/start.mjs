// npm start: try the extension in a real VS Code.
//   npm start                 build, package, install into code-server (installed into .cache/ on first
//                             use), open the bundled samples and serve http://127.0.0.1:<port>/ until Ctrl-C
//   npm start -- --port 9000  serve on a given port (default: 8080 when free, else any free port)
//   npm start -- --desktop    open the samples in desktop VS Code (`code` on PATH) with the extension
//                             loaded from this folder in development mode
// The code-server machinery is the e2e harness's (test/e2e/harness/), loaded through tsx.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { require as tsxRequire } from 'tsx/cjs/api';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
// Loaded as CommonJS (like the tests), so the harness's __dirname-based paths hold.
const harness = async (file) => tsxRequire(path.join(repoRoot, 'test', 'e2e', 'harness', file), import.meta.url);

function option(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function npm(script) {
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function samplesFolder() {
  const { samplesDir } = await harness('paths.ts');
  if (fs.existsSync(samplesDir)) return samplesDir;
  const { prepareWorkspace } = await harness('workspace.ts');
  const workspace = prepareWorkspace('explain-image-start-');
  process.on('exit', () => workspace.remove());
  console.log(`models/samples/ does not exist yet; opening ${workspace.dir} with a generated digit instead`);
  return workspace.dir;
}

async function desktop() {
  const { which } = await harness('codeServer.ts');
  const code = which('code');
  if (!code) {
    console.error('npm start -- --desktop needs desktop VS Code\'s `code` command on PATH; run `npm start` for code-server.');
    process.exit(1);
  }
  npm('build');
  const folder = await samplesFolder();
  const child = spawn(code, [`--extensionDevelopmentPath=${repoRoot}`, folder], { stdio: 'inherit' });
  child.on('exit', (status) => process.exit(status ?? 0));
}

async function codeServer() {
  const cs = await harness('codeServer.ts');
  const { missingPrerequisites } = await harness('prerequisites.ts');
  const { cacheDir, vsixPath } = await harness('paths.ts');
  if (!cs.isCodeServerInstalled()) {
    const missing = missingPrerequisites();
    if (missing && !/Chromium/.test(missing)) {
      // Chromium is only for the tests: a person brings their own browser.
      console.error(`cannot install code-server: ${missing}`);
      process.exit(1);
    }
    await cs.installCodeServer((line) => console.log(line));
  }
  npm('package');
  const home = path.join(cacheDir, 'start');
  const extensionsDir = path.join(home, 'extensions');
  const userDataDir = path.join(home, 'user-data');
  console.log('installing dist/explain-image.vsix into code-server');
  await cs.installExtension(vsixPath, extensionsDir, userDataDir);

  const requested = option('--port');
  const port = requested ? Number(requested) : await preferredPort(cs);
  const folder = await samplesFolder();
  const server = await cs.startCodeServer({ workspace: folder, userDataDir, extensionsDir, port });
  console.log(`\nExplain Image is running in code-server ${cs.CODE_SERVER_VERSION} (VS Code 1.100).`);
  console.log(`Open ${server.url}?folder=${encodeURIComponent(folder)} and right-click an image -> Explain Image.`);
  console.log('Press Ctrl-C to stop.\n');
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.on('exit', (status) => {
    console.error(`code-server exited (${status}):\n${server.output().slice(-2000)}`);
    process.exit(1);
  });
}

/** 8080 when nobody uses it, so the URL stays the same between runs; any free port otherwise. */
async function preferredPort(cs) {
  const net = await import('node:net');
  const free = await new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(8080, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  return free ? 8080 : cs.freePort();
}

(args.includes('--desktop') ? desktop() : codeServer()).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
