// The command palette offers "Explain Image" (as "<category>: <title>" from package.json).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contributedCommand } from './harness/manifest';
import { e2eSkip, useSession } from './harness/session';

const skip = e2eSkip();

describe('command palette', { timeout: 5 * 60_000 }, () => {
  const session = useSession('palette');

  it('lists the Explain Image command', { skip }, async () => {
    const { paletteLabel } = contributedCommand('explainImage.explain');
    const s = session();
    const entries = await s.workbench.paletteEntries('Explain Image', paletteLabel, true);
    await s.workbench.screenshot('palette');
    await s.page.keyboard.press('Escape');
    assert.ok(
      entries.some((e) => e.startsWith(paletteLabel)),
      `the palette, filtered by "Explain Image", offers ${JSON.stringify(entries)}, not "${paletteLabel}"`,
    );
  });
});
