// Run once by test/runAll.mjs before the scenario files: packages the extension and installs code-server
// and the VSIX, then writes what happened as JSON so the runner can tell the scenarios (through
// environment variables) whether to run, skip with a reason, or fail with a reason.
//   node --import tsx test/e2e/prepare.ts <result.json>
import * as fs from 'fs';
import { E2EUnavailable, prepareE2E } from './harness/prepare';

export type PrepareResult = { status: 'ready' } | { status: 'unavailable' | 'broken'; reason: string };

async function main(resultFile: string): Promise<void> {
  const started = Date.now();
  let result: PrepareResult;
  try {
    await prepareE2E((line) => console.log(`[e2e] ${line}`));
    result = { status: 'ready' };
  } catch (e) {
    const reason = (e as Error).message;
    result = { status: e instanceof E2EUnavailable ? 'unavailable' : 'broken', reason };
  }
  console.log(`[e2e] prepared in ${Math.round((Date.now() - started) / 1000)} s: ${result.status}`);
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

const resultFile = process.argv[2];
if (!resultFile) {
  console.error('usage: node --import tsx test/e2e/prepare.ts <result.json>');
  process.exit(2);
}
main(resultFile).catch((e) => {
  console.error(e);
  process.exit(1);
});
