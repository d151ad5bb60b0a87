// The integration suite of test/suite/ (the one `npm run test:vscode` runs in desktop VS Code), run
// inside code-server's extension host instead: a test-only companion extension runs the cases on
// startup and writes their results to a file named in its settings; each case becomes a subtest here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { buildCompanionVsix } from '../suite/build';
import type { CaseResult } from '../suite/runner';
import { tempDir } from './harness/codeServer';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();

describe('integration suite in code-server\'s extension host', { timeout: 6 * 60_000 }, () => {
  const resultsDir = tempDir('explain-image-suite-');
  const resultsFile = path.join(resultsDir, 'results.json');
  const session = useSession('suite', async () => ({ extraVsix: [await buildCompanionVsix()], settings: { 'explainImageSuite.resultsFile': resultsFile } }));
  after(() => fs.rmSync(resultsDir, { recursive: true, force: true }));

  it('runs every case of test/suite/cases.ts', { skip }, async (t) => {
    const s = session();
    const results = await waitFor(
      () => (fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as CaseResult[]) : undefined),
      120_000,
    );
    await s.workbench.screenshot('after-suite');
    assert.ok(results, `the companion extension wrote no results in 120 s. Extension host log:\n${s.hostLog().slice(-3000)}`);
    assert.ok(results.length > 0, 'the suite ran no case');
    for (const result of results) {
      await t.test(result.name, () => {
        if (!result.ok) assert.fail(result.error ?? 'failed');
      });
    }
  });
});
