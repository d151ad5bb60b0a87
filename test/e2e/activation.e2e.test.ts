// The installed VSIX activates in a real VS Code (code-server) without errors: running its command
// activates it, the extension host logs the activation, no error in that log names the extension, and
// its "Explain Image" output channel exists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contributedCommand } from './harness/manifest';
import { extensionId } from './harness/paths';
import { e2eSkip, useSession, waitFor } from './harness/session';

const skip = e2eSkip();

describe('activation in code-server', { timeout: 5 * 60_000 }, () => {
  const session = useSession('activation');

  it('activates on its command and logs no error', { skip }, async () => {
    const s = session();
    await s.workbench.runCommand(contributedCommand('explainImage.explain').paletteLabel);
    const activation = `_doActivateExtension ${extensionId()}`;
    const activated = await waitFor(() => (s.hostLog().includes(activation) ? true : undefined), 30_000);
    await s.workbench.screenshot('after-command');
    assert.ok(activated, `the extension host log never says "${activation}":\n${s.hostLog().slice(-3000)}`);
    // Give a failing activation or a crashing first command time to reach the log.
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(s.extensionErrors(), [], 'errors naming the extension in the extension host log');
    assert.doesNotMatch(s.hostLog(), new RegExp(`Activating extension '?${extensionId()}'? failed`));
  });

  it('creates its "Explain Image" output channel', { skip }, async () => {
    const s = session();
    const channel = await waitFor(() => s.outputChannel('Explain Image'), 10_000);
    assert.ok(channel !== undefined, 'no "Explain Image" output channel was created');
  });
});
