// npm run screenshots: refreshes the README's pictures (docs/images/panel.png, docs/images/compare.png) from
// a real VS Code. It packages the extension and runs test/e2e/screenshots.e2e.test.ts, the e2e scenario
// that takes them and checks that they show the heatmap and the figure, with its output set to docs/images/.
// Needs what the e2e tests need (bash scripts/bootstrap.sh): code-server is installed into .cache/ on first use.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(repoRoot, 'docs', 'images');

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const started = Date.now();
run('npm', ['run', '--silent', 'package']);
run('node', ['--import', 'tsx', '--test', 'test/e2e/screenshots.e2e.test.ts'], { EXPLAIN_IMAGE_SCREENSHOTS_DIR: out });
// A skipped scenario (no code-server or Chromium here) passes without writing: say so instead of keeping old pictures.
const stale = ['panel.png', 'compare.png'].filter((f) => !fs.existsSync(path.join(out, f)) || fs.statSync(path.join(out, f)).mtimeMs < started);
if (stale.length) {
  console.error(`not refreshed: ${stale.join(', ')} (were the e2e tests skipped? see bash scripts/bootstrap.sh)`);
  process.exit(1);
}
console.log(`screenshots written to ${path.relative(repoRoot, out)}/`);
